//! Fuzz target: any bytes, decoded and linted with every built-in check (enabled or not), must
//! never panic; a panicking check would surface as an `internal-error` finding, which is a bug.
#![no_main]

use std::sync::{Arc, OnceLock};

use kubelint_core::engine::{run, RunSettings};
use kubelint_core::load::source_from_bytes;
use libfuzzer_sys::fuzz_target;

fn settings() -> &'static RunSettings {
    static SETTINGS: OnceLock<RunSettings> = OnceLock::new();
    SETTINGS.get_or_init(|| RunSettings::with_checks(kubelint_core::checks::builtin()))
}

fuzz_target!(|data: &[u8]| {
    let source = Arc::new(source_from_bytes("fuzz.yaml".into(), data.to_vec()));
    let outcome = run(vec![source], settings());
    for f in &outcome.findings {
        assert!(&*f.check != "internal-error", "{}", f.message);
    }
});
