//! Fuzz target: any bytes, decoded and linted with every built-in check (enabled or not), must
//! never panic; a panicking check would surface as an `internal-error` finding, which is a bug.
//! The input is linted twice, keeping the text and freeing it (with the fingerprint and secret
//! spans the human report reads files again with), suppressions applied to both: both runs must
//! report the same findings at the same lines and columns, suppressed alike, with the same
//! secret spans. The selections the cross checks read, worked out ahead by the inventory, must
//! be those worked out on demand, and those a scan of every pod finds.
#![no_main]

use std::sync::{Arc, OnceLock};

use kubelint_core::checks::cross;
use kubelint_core::config::file::SuppressConfig;
use kubelint_core::engine::{run, Outcome, RunSettings};
use kubelint_core::load::source_from_bytes;
use kubelint_core::object::facts::Facts;
use kubelint_core::object::inventory::Inventory;
use kubelint_core::source::text_fingerprint;
use kubelint_core::suppress::{self, Date};
use libfuzzer_sys::fuzz_target;

fn settings(retain_text: bool) -> &'static RunSettings {
    static KEEP: OnceLock<RunSettings> = OnceLock::new();
    static FREE: OnceLock<RunSettings> = OnceLock::new();
    let make = move || RunSettings {
        retain_text,
        fingerprint_text: !retain_text,
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
        let settings = settings(retain_text);
        let mut outcome = run(vec![source], settings);
        suppress::apply(
            &mut outcome,
            settings,
            &suppress::Options {
                catalog: kubelint_core::checks::builtin(),
                config: &SuppressConfig::default(),
                today: Date::parse("2026-06-01").expect("a valid date"),
            },
        );
        outcome
    };
    let kept = lint(true);
    for f in &kept.findings {
        assert!(&*f.check != "internal-error", "{}", f.message);
    }
    let settings = settings(true);
    let ahead = cross::inventory(&kept.inputs, settings);
    let on_demand = Inventory::build(&kept.inputs, settings, &[]);
    for (i, entry) in ahead.entries.iter().enumerate() {
        let selected = ahead.selected(i);
        assert_eq!(selected, on_demand.selected(i), "entry {i}");
        let scanned: Vec<usize> = entry
            .facts()
            .and_then(Facts::pod_selector)
            .map(|sel| {
                (0..ahead.pods.len())
                    .filter(|&p| {
                        let pod = &ahead.pods[p];
                        pod.namespace == entry.namespace && sel.matches(pod.labels)
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(*selected, scanned, "entry {i}");
    }
    drop((ahead, on_demand));
    let freed = lint(false);
    let positions = |outcome: &Outcome| -> Vec<_> {
        outcome
            .findings
            .iter()
            .map(|f| {
                (
                    f.check.clone(),
                    f.location.start,
                    f.location.end,
                    f.message.clone(),
                    f.suppression.as_ref().map(|s| s.justification.clone()),
                )
            })
            .collect()
    };
    assert_eq!(positions(&kept), positions(&freed));
    let (kept, freed) = (&kept.inputs[0], &freed.inputs[0]);
    assert_eq!(kept.secret_spans, freed.secret_spans);
    assert_eq!(
        freed.text_fingerprint,
        Some(text_fingerprint(&kept.source.text))
    );
});
