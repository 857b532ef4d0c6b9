//! `kubelint-bench DIR...`: loads every manifest below the folders into memory, then times the
//! YAML parse floor (`yaml::parse` of every file) against a full lint (`engine::run` with the
//! default checks) on 1 and 2 threads, each mode in its own child process so that its peak RSS
//! (VmHWM) is its own. Reports the median of `--runs` timed runs.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use kubelint_core::engine::{self, RunSettings};
use kubelint_core::load::{self, WalkOptions};
use kubelint_core::source::SourceFile;
use kubelint_core::yaml;

fn load_all(dirs: &[PathBuf]) -> Vec<Arc<SourceFile>> {
    let found = load::discover(dirs, &WalkOptions::default()).expect("discover");
    found
        .inputs
        .iter()
        .filter_map(|input| load::read(input).ok())
        .collect()
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs one mode in this process and prints one JSON line.
fn child(mode: &str, threads: usize, runs: usize, dirs: &[PathBuf]) {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(8 << 20)
        .build_global()
        .expect("pool");
    let files = load_all(dirs);
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let loaded_kib = vm_hwm_kib();
    let settings = RunSettings::defaults();
    let mut times = Vec::new();
    let mut objects = 0;
    let mut documents = 0;
    for _ in 0..runs {
        let start = Instant::now();
        match mode {
            "parse" => {
                documents = files
                    .par_iter()
                    .map(|f| yaml::parse(f).documents.len())
                    .sum();
            }
            "full" => {
                let outcome = engine::run(files.clone(), &settings);
                objects = outcome.summary().objects;
                documents = outcome.findings.len();
            }
            "load" => {}
            other => panic!("unknown mode {other}"),
        }
        times.push(start.elapsed().as_secs_f64());
    }
    let line = serde_json::json!({
        "mode": mode, "threads": threads, "files": files.len(), "bytes": bytes,
        "objects": objects, "count": documents, "median_s": median(times.clone()),
        "min_s": times.iter().copied().fold(f64::INFINITY, f64::min),
        "loaded_kib": loaded_kib, "peak_kib": vm_hwm_kib(),
    });
    println!("{line}");
}

fn main() {
    // As the CLI does (see its `main`): no transparent huge pages.
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 5;
    let mut dirs = Vec::new();
    let mut child_mode: Option<(String, usize)> = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--child" => {
                let mode = it.next().expect("mode");
                let threads = it.next().and_then(|n| n.parse().ok()).expect("threads");
                child_mode = Some((mode, threads));
            }
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    assert!(!dirs.is_empty(), "usage: kubelint-bench [--runs N] DIR...");
    if let Some((mode, threads)) = child_mode {
        child(&mode, threads, runs, &dirs);
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let mut results = Vec::new();
    for (mode, threads) in [
        ("load", 1),
        ("parse", 1),
        ("full", 1),
        ("parse", 2),
        ("full", 2),
    ] {
        let out = Command::new(&exe)
            .args([
                "--runs",
                &runs.to_string(),
                "--child",
                mode,
                &threads.to_string(),
            ])
            .args(&dirs)
            .output()
            .expect("run child");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("child prints JSON");
        results.push(v);
    }
    let input_mib = results[0]["bytes"].as_f64().unwrap_or(0.0) / (1 << 20) as f64;
    let objects = results[2]["objects"].as_f64().unwrap_or(0.0);
    println!(
        "{} files, {:.1} MiB, {} objects; median of {runs} runs",
        results[0]["files"], input_mib, objects
    );
    println!("| mode | threads | median ms | MiB/s | objects/s | full/parse | peak RSS MiB | RSS/input |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &results {
        let secs = r["median_s"].as_f64().unwrap_or(0.0);
        let threads = r["threads"].as_u64().unwrap_or(1);
        let parse = results
            .iter()
            .find(|p| p["mode"] == "parse" && p["threads"].as_u64() == Some(threads))
            .and_then(|p| p["median_s"].as_f64())
            .unwrap_or(f64::NAN);
        let peak = r["peak_kib"].as_f64().unwrap_or(0.0) / 1024.0;
        let mode = r["mode"].as_str().unwrap_or_default();
        let ratio = if mode == "full" {
            format!("{:.2}", secs / parse)
        } else {
            "–".into()
        };
        // `load` only reads the files: its row is the memory baseline, not a speed.
        let (ms, mibs, objs) = if mode == "load" {
            ("–".to_string(), "–".to_string(), "–".to_string())
        } else {
            (
                format!("{:.1}", secs * 1e3),
                format!("{:.1}", input_mib / secs),
                format!("{:.0}", objects / secs),
            )
        };
        println!(
            "| {mode} | {threads} | {ms} | {mibs} | {objs} | {ratio} | {peak:.1} | {:.2} |",
            peak / input_mib,
        );
    }
}
