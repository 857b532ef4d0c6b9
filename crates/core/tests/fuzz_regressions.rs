//! Every input the fuzzers (`fuzz/`) ever crashed on, plus hand-made hostile seeds, kept in
//! `fuzz-regressions/`: each must parse and lint with every built-in check without a panic
//! and without an `internal-error` finding, with spans inside the text.

use std::sync::Arc;

use kubelint_core::engine::{run, RunSettings};
use kubelint_core::load::source_from_bytes;
use kubelint_core::yaml;

#[test]
fn every_kept_fuzz_input_parses_and_lints_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let settings = RunSettings::with_checks(kubelint_core::checks::builtin());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz-regressions folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty());
    for path in entries {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = Arc::new(source_from_bytes(name.clone(), bytes));
        if source.undecodable_problem().is_none() {
            let parsed = yaml::parse(&source);
            let len = u32::try_from(source.text.len()).unwrap();
            for doc in &parsed.documents {
                for node in &doc.nodes {
                    assert!(node.span.end <= len, "{name}: span past the end");
                    assert!(
                        source.text.is_char_boundary(node.span.start as usize),
                        "{name}"
                    );
                    assert!(
                        source.text.is_char_boundary(node.span.end as usize),
                        "{name}"
                    );
                }
            }
        }
        let outcome = run(vec![source], &settings);
        for f in &outcome.findings {
            assert!(&*f.check != "internal-error", "{name}: {}", f.message);
        }
    }
}
