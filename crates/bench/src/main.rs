//! `kubelint-bench DIR...`: times the YAML parse floor (read and `yaml::parse` every file)
//! against a full lint (`engine::run_inputs` with the default checks, reading files as the CLI
//! does) on 1 and 2 threads, each mode in its own child process so that its peak RSS (VmHWM) is
//! its own. Modes alternate for `--rounds` rounds; each child times `--runs` runs and reports
//! its best, and the table gives the median and the minimum of those over the rounds. Then
//! one child per thread count times `--pairs` pairs of a floor run and a lint run next to each
//! other, and gives the quartiles of the pairs' ratios: the steadiest measure of full/parse on
//! a machine whose speed moves from second to second. `--only ID,ID` runs only those checks
//! in `full`, to measure what one check costs.

// The CLI's allocator and its settings, so that what is measured is what users run.
#[path = "../../cli/src/allocator.rs"]
mod allocator;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use kubelint_core::engine::{self, Input, RunSettings};
use kubelint_core::load::{self, InputPath, WalkOptions};
use kubelint_core::source::SourceFile;
use kubelint_core::yaml;

fn discover(dirs: &[PathBuf]) -> Vec<InputPath> {
    load::discover(dirs, &WalkOptions::default())
        .expect("discover")
        .inputs
}

fn read(input: &InputPath) -> Option<Arc<SourceFile>> {
    load::read(input).ok()
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

/// What this process has used so far, all threads together (`getrusage`): CPU time (user and
/// system; steadier than wall time on a shared machine, and the measure of work done), the
/// system part of it, and minor page faults.
#[derive(Clone, Copy, Default)]
struct Usage {
    cpu_s: f64,
    sys_s: f64,
    minor_faults: i64,
}

impl std::ops::Sub for Usage {
    type Output = Usage;

    fn sub(self, before: Usage) -> Usage {
        Usage {
            cpu_s: self.cpu_s - before.cpu_s,
            sys_s: self.sys_s - before.sys_s,
            minor_faults: self.minor_faults - before.minor_faults,
        }
    }
}

fn usage() -> Usage {
    #[cfg(target_os = "linux")]
    {
        use nix::sys::resource::{getrusage, UsageWho};
        if let Ok(usage) = getrusage(UsageWho::RUSAGE_SELF) {
            let secs = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
            let sys_s = secs(usage.system_time());
            return Usage {
                cpu_s: secs(usage.user_time()) + sys_s,
                sys_s,
                minor_faults: usage.minor_page_faults(),
            };
        }
    }
    Usage {
        cpu_s: f64::NAN,
        sys_s: f64::NAN,
        minor_faults: 0,
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs one mode in this process and prints one JSON line.
fn child(mode: &str, threads: usize, runs: usize, only: Option<&str>, dirs: &[PathBuf]) {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(8 << 20)
        .build_global()
        .expect("pool");
    let base_kib = vm_hwm_kib();
    let files = discover(dirs);
    // One file at a time, so that this does not raise the peak of the modes that stream.
    let bytes: usize = files.iter().filter_map(read).map(|f| f.text.len()).sum();
    // What the CLI does for every report but the human one, which shows snippets.
    let mut settings = RunSettings::defaults();
    settings.retain_text = false;
    if let Some(only) = only {
        let ids: Vec<&str> = only.split(',').collect();
        settings.checks.retain(|c| ids.contains(&&*c.check.id));
    }
    // `load`: every file in memory at once, as runs held them before files were streamed.
    let loaded: Vec<Arc<SourceFile>> = if mode == "load" {
        files.iter().filter_map(read).collect()
    } else {
        Vec::new()
    };
    if mode == "paired" {
        paired(&files, &settings, runs, threads);
        return;
    }
    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    let mut objects = 0;
    let mut documents = 0;
    for _ in 0..runs {
        let run = timed_run(mode, &files, &settings);
        times.push(run.wall_s);
        cpu_times.push(run.used.cpu_s);
        objects = run.objects;
        documents = run.count;
    }
    let line = serde_json::json!({
        "mode": mode, "threads": threads, "files": files.len(), "bytes": bytes,
        "objects": objects, "count": documents, "median_s": median(times.clone()),
        "min_s": times.iter().copied().fold(f64::INFINITY, f64::min),
        "min_cpu_s": cpu_times.iter().copied().fold(f64::INFINITY, f64::min),
        "loaded_files": loaded.len(), "base_kib": base_kib, "peak_kib": vm_hwm_kib(),
    });
    println!("{line}");
}

/// What one timed run measured.
struct Timed {
    wall_s: f64,
    /// CPU time, its system part and minor page faults, of the run alone.
    used: Usage,
    objects: usize,
    /// Documents parsed (`parse`) or findings (`full`).
    count: usize,
}

/// One run of `mode` over `files`, timed.
fn timed_run(mode: &str, files: &[InputPath], settings: &RunSettings) -> Timed {
    let start = Instant::now();
    let usage_start = usage();
    // What the run hands back is freed after the clock stops, as the CLI leaves it to the
    // OS at exit (`std::mem::forget`) instead of freeing it piece by piece.
    let mut outcome = None;
    let (mut objects, mut count) = (0, 0);
    match mode {
        "parse" => {
            // As a lint does (see `allocator::AllocatorEvents`).
            allocator::files_start();
            count = files
                .par_iter()
                .filter_map(read)
                .map(|f| {
                    let bytes = f.len();
                    allocator::file_read(bytes);
                    let documents = yaml::parse(&f).documents.len();
                    drop(f);
                    allocator::file_done(bytes);
                    documents
                })
                .sum();
            allocator::files_done();
        }
        "full" => {
            let inputs = files.iter().cloned().map(Input::File).collect();
            let (run, _) = engine::run_inputs(inputs, settings, &allocator::AllocatorEvents);
            objects = run.summary().objects;
            count = run.findings.len();
            outcome = Some(run);
        }
        "load" => {}
        other => panic!("unknown mode {other}"),
    }
    let used = usage() - usage_start;
    let timed = Timed {
        wall_s: start.elapsed().as_secs_f64(),
        used,
        objects,
        count,
    };
    drop(outcome);
    // Every thread hands back what it kept, so that the next run starts from memory
    // handed back, as a fresh process's one run does, and not from what this run left.
    rayon::broadcast(|_| allocator::files_done());
    allocator::files_done();
    timed
}

/// `paired`: `runs` pairs of a floor run and a lint run, next to each other in this process
/// (their order swapped from pair to pair), each pair giving one full/parse ratio. This VM's
/// speed changes by up to 1.7x every few seconds, within a process as across processes, while
/// the two runs of a pair take a second together and mostly share one speed: the median of
/// the pairs' ratios is far steadier than a ratio of two processes' bests. One thread is
/// timed in CPU time, more in wall time (which includes waiting for the other thread).
fn paired(files: &[InputPath], settings: &RunSettings, runs: usize, threads: usize) {
    let measure = |t: &Timed| if threads == 1 { t.used.cpu_s } else { t.wall_s };
    let mut ratios = Vec::new();
    let (mut floors, mut fulls) = (Vec::new(), Vec::new());
    let (mut sys, mut faults) = (Vec::new(), Vec::new());
    for pair in 0..runs {
        let (floor, full) = if pair % 2 == 0 {
            let floor = timed_run("parse", files, settings);
            (floor, timed_run("full", files, settings))
        } else {
            let full = timed_run("full", files, settings);
            (timed_run("parse", files, settings), full)
        };
        ratios.push(measure(&full) / measure(&floor));
        floors.push(measure(&floor));
        fulls.push(measure(&full));
        sys.push((floor.used.sys_s, full.used.sys_s));
        faults.push((floor.used.minor_faults, full.used.minor_faults));
    }
    let quartile = |xs: &[f64], q: usize| {
        let mut xs = xs.to_vec();
        xs.sort_by(f64::total_cmp);
        xs[(xs.len() - 1) * q / 4]
    };
    let line = serde_json::json!({
        "mode": "paired", "threads": threads, "pairs": runs,
        "ratio_q1": quartile(&ratios, 1), "ratio_median": quartile(&ratios, 2),
        "ratio_q3": quartile(&ratios, 3),
        "floor_min_s": quartile(&floors, 0), "full_min_s": quartile(&fulls, 0),
        "ratios": ratios,
        // Per pair, floor then lint: system time (s) and minor page faults.
        "sys_s": sys, "minor_faults": faults,
    });
    println!("{line}");
}

fn main() {
    allocator::configure();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 3;
    let mut rounds = 5;
    let mut pairs = 12;
    let mut dirs = Vec::new();
    let mut child_mode: Option<(String, usize)> = None;
    let mut only: Option<String> = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--rounds" => rounds = it.next().and_then(|n| n.parse().ok()).expect("--rounds N"),
            "--pairs" => pairs = it.next().and_then(|n| n.parse().ok()).expect("--pairs N"),
            "--only" => only = Some(it.next().expect("--only ID,ID")),
            "--child" => {
                let mode = it.next().expect("mode");
                let threads = it.next().and_then(|n| n.parse().ok()).expect("threads");
                child_mode = Some((mode, threads));
            }
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    assert!(
        !dirs.is_empty(),
        "usage: kubelint-bench [--rounds N] [--runs N] [--pairs N] [--only ID,ID] DIR..."
    );
    if let Some((mode, threads)) = child_mode {
        let runs = if mode == "paired" { pairs } else { runs };
        child(&mode, threads, runs, only.as_deref(), &dirs);
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    const MODES: [(&str, usize); 5] = [
        ("load", 1),
        ("parse", 1),
        ("full", 1),
        ("parse", 2),
        ("full", 2),
    ];
    // Modes take turns, round after round, so that a burst of load on a shared machine hits
    // every mode alike instead of one of them; each round's time is the child's best run.
    let spawn = |mode: &str, threads: usize| -> serde_json::Value {
        let out = Command::new(&exe)
            .args([
                "--runs",
                &runs.to_string(),
                "--pairs",
                &pairs.to_string(),
                "--child",
                mode,
                &threads.to_string(),
            ])
            .args(only.iter().flat_map(|ids| ["--only", ids.as_str()]))
            .args(&dirs)
            .output()
            .expect("run child");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("child prints JSON")
    };
    let mut rounds_out: Vec<Vec<serde_json::Value>> = vec![Vec::new(); MODES.len()];
    for _ in 0..rounds {
        for (i, (mode, threads)) in MODES.iter().enumerate() {
            rounds_out[i].push(spawn(mode, *threads));
        }
    }
    let num = |v: &serde_json::Value, key: &str| v[key].as_f64().unwrap_or(f64::NAN);
    let first = &rounds_out[0][0];
    let input_mib = num(first, "bytes") / f64::from(1 << 20);
    let objects = num(&rounds_out[2][0], "objects");
    println!(
        "{} files, {input_mib:.1} MiB, {objects} objects; {rounds} rounds of {runs} runs per mode",
        first["files"]
    );
    println!("| mode | threads | median ms | min ms | MiB/s | objects/s | full/parse median (min) | CPU ms (min) | full/parse CPU | peak RSS MiB | RSS/input | (peak - start)/input |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let stats = |i: usize| {
        let bests: Vec<f64> = rounds_out[i].iter().map(|v| num(v, "min_s")).collect();
        let min = bests.iter().copied().fold(f64::INFINITY, f64::min);
        (median(bests), min)
    };
    let cpu = |i: usize| {
        rounds_out[i]
            .iter()
            .map(|v| num(v, "min_cpu_s"))
            .fold(f64::INFINITY, f64::min)
    };
    for (i, (mode, threads)) in MODES.iter().enumerate() {
        let (med, min) = stats(i);
        let peak = rounds_out[i]
            .iter()
            .map(|v| num(v, "peak_kib"))
            .fold(0.0, f64::max)
            / 1024.0;
        // The process before it reads anything: code, libraries, the check catalog, the pool.
        let start = rounds_out[i]
            .iter()
            .map(|v| num(v, "base_kib"))
            .fold(f64::INFINITY, f64::min)
            / 1024.0;
        let ratio = if *mode == "full" {
            let parse = MODES
                .iter()
                .position(|m| *m == ("parse", *threads))
                .map(stats)
                .expect("a parse mode per thread count");
            format!("{:.2} ({:.2})", med / parse.0, min / parse.1)
        } else {
            "–".into()
        };
        let cpu_ratio = if *mode == "full" {
            let parse = MODES
                .iter()
                .position(|m| *m == ("parse", *threads))
                .expect("a parse mode per thread count");
            format!("{:.2}", cpu(i) / cpu(parse))
        } else {
            "–".into()
        };
        let cpu_ms = if *mode == "load" {
            "–".into()
        } else {
            format!("{:.1}", cpu(i) * 1e3)
        };
        // `load` only reads the files: its row is the memory baseline, not a speed.
        let (med_ms, min_ms, mibs, objs) = if *mode == "load" {
            ("–".into(), "–".into(), "–".into(), "–".into())
        } else {
            (
                format!("{:.1}", med * 1e3),
                format!("{:.1}", min * 1e3),
                format!("{:.1}", input_mib / med),
                format!("{:.0}", objects / med),
            )
        };
        println!(
            "| {mode} | {threads} | {med_ms} | {min_ms} | {mibs} | {objs} | {ratio} | {cpu_ms} | {cpu_ratio} | {peak:.1} | {:.2} | {:.2} |",
            peak / input_mib,
            (peak - start) / input_mib,
        );
    }
    // The ratio the goal is about, from runs next to each other (see `paired`).
    if pairs > 0 {
        println!();
        println!("| threads | pairs | full/parse, paired: first quartile | median | third quartile | best floor ms | best full ms |");
        println!("|---:|---:|---:|---:|---:|---:|---:|");
        for threads in [1, 2] {
            let v = spawn("paired", threads);
            println!(
                "| {threads} | {pairs} | {:.3} | **{:.3}** | {:.3} | {:.1} | {:.1} |",
                num(&v, "ratio_q1"),
                num(&v, "ratio_median"),
                num(&v, "ratio_q3"),
                num(&v, "floor_min_s") * 1e3,
                num(&v, "full_min_s") * 1e3,
            );
        }
    }
}
