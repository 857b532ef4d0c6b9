//! Fuzz target: any bytes, decoded and linted with every built-in check (enabled or not), must
//! never panic; a panicking check would surface as an `internal-error` finding, which is a bug.
//! The input is linted twice, keeping and freeing the text, and both runs must report the same
//! findings at the same lines and columns.
#![no_main]

use std::sync::{Arc, OnceLock};

use kubelint_core::engine::{run, RunSettings};
use kubelint_core::load::source_from_bytes;
use libfuzzer_sys::fuzz_target;

fn settings(retain_text: bool) -> &'static RunSettings {
    static KEEP: OnceLock<RunSettings> = OnceLock::new();
    static FREE: OnceLock<RunSettings> = OnceLock::new();
    let make = move || RunSettings {
        retain_text,
        ..RunSettings::with_checks(kubelint_core::checks::builtin())
    };
    if retain_text {
        KEEP.get_or_init(make)
    } else {
        FREE.get_or_init(make)
    }
}

fuzz_target!(|data: &[u8]| {
    let lint = |retain_text| {
        let source = Arc::new(source_from_bytes("fuzz.yaml".into(), data.to_vec()));
        run(vec![source], settings(retain_text))
    };
    let kept = lint(true);
    for f in &kept.findings {
        assert!(&*f.check != "internal-error", "{}", f.message);
    }
    let freed = lint(false);
    let positions = |outcome: &kubelint_core::engine::Outcome| -> Vec<_> {
        outcome
            .findings
            .iter()
            .map(|f| (f.check.clone(), f.location.start, f.location.end, f.message.clone()))
            .collect()
    };
    assert_eq!(positions(&kept), positions(&freed));
});
