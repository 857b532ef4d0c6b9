//! Measures the cross-object stage against a whole run on a large generated corpus
//! (`python3 shared/bench/gen_corpus.py /tmp/gen100k --objects 100000`). Ignored by default;
//! run with `cargo test --release -p kubelint-core --test cross_bench -- --ignored --nocapture`.
//! It prints timings and peak memory and asserts nothing about them.

use std::path::PathBuf;
use std::time::Instant;

use kubelint_core::checks::{builtin, cross};
use kubelint_core::engine::{run, RunSettings};
use kubelint_core::load::{discover, read, WalkOptions};

/// `VmRSS` and `VmHWM` of this process in KiB (Linux).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak (`VmHWM`) to the current RSS.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[test]
#[ignore = "benchmark: needs a generated corpus and a release build"]
fn cross_stage_share() {
    let corpus = std::env::var("KUBELINT_BENCH_CORPUS").unwrap_or_else(|_| "/tmp/gen100k".into());
    let found = discover(&[PathBuf::from(&corpus)], &WalkOptions::default()).expect("corpus");
    let files: Vec<_> = found.inputs.iter().filter_map(|i| read(i).ok()).collect();
    let settings = RunSettings::with_checks(builtin());

    reset_peak();
    let (rss_start, _) = memory();
    let start = Instant::now();
    let outcome = run(files, &settings);
    let total = start.elapsed();
    let (_, peak_total) = memory();
    let objects: usize = outcome.inputs.iter().map(|i| i.objects.len()).sum();

    reset_peak();
    let (rss_before_cross, _) = memory();
    let start = Instant::now();
    let inventory = cross::inventory(&outcome.inputs, &settings);
    let build = start.elapsed();
    let pods = inventory.pods.len();
    drop(inventory);
    let start = Instant::now();
    let cross_findings = cross::run(&outcome.inputs, &settings);
    let cross_time = start.elapsed();
    let (_, peak_cross) = memory();

    for check in builtin().iter().filter(|c| c.cross) {
        let alone = RunSettings::with_checks([check]);
        let start = Instant::now();
        let n = cross::run(&outcome.inputs, &alone).len();
        println!("  {}: {:?}, {n} findings", check.id, start.elapsed());
    }
    println!(
        "corpus {corpus}: {} files, {objects} objects, {pods} pod templates, {} findings ({} cross)",
        outcome.inputs.len(),
        outcome.findings.len(),
        cross_findings.len()
    );
    println!(
        "engine::run total: {total:?}; peak RSS growth {} MiB",
        (peak_total - rss_start) / 1024
    );
    println!(
        "cross stage: {cross_time:?} ({:.1}% of the run), of which inventory build {build:?}; \
         extra peak {} MiB over the {} MiB held after the run ({:.1}% of the run's peak growth)",
        100.0 * cross_time.as_secs_f64() / total.as_secs_f64(),
        (peak_cross - rss_before_cross) / 1024,
        rss_before_cross / 1024,
        100.0 * (peak_cross - rss_before_cross) as f64 / (peak_total - rss_start).max(1) as f64,
    );
}
