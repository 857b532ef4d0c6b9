//! Every built-in check against its fixtures: `fixtures/checks/<id>/fail.yaml` must produce
//! exactly the `(line, id)` pairs its `# expect:` markers name, `pass.yaml` none, and the docs
//! examples one finding or none.

mod harness;

use std::path::PathBuf;

use harness::{expected_markers, lint_for_check, reported};
use kubelint_core::checks::builtin;
use kubelint_core::engine::RunSettings;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/checks")
}

/// Checks whose findings cannot be produced by a manifest.
const NO_FIXTURE: &[&str] = &["internal-error"];

#[test]
fn every_check_matches_its_fixtures() {
    let mut failures = Vec::new();
    for check in builtin() {
        if NO_FIXTURE.contains(&&*check.id) {
            continue;
        }
        let base = RunSettings::with_checks([check]);
        let dir = fixtures_dir().join(&*check.id);
        for (file, must_fire) in [("fail.yaml", true), ("pass.yaml", false)] {
            let path = dir.join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                failures.push(format!("{}: missing {}", check.id, path.display()));
                continue;
            };
            let expected = expected_markers(&text)
                .into_iter()
                .filter(|(_, id)| id == &*check.id)
                .collect::<std::collections::BTreeSet<_>>();
            if must_fire && expected.is_empty() {
                failures.push(format!(
                    "{}: fail.yaml has no `# expect: {}` marker",
                    check.id, check.id
                ));
            }
            let settings = harness::at_declared_version(&base, &text);
            let got = reported(&lint_for_check(check, file, &text, &settings));
            if got != expected {
                failures.push(format!(
                    "{}/{file}: expected {expected:?}\n    got {got:?}",
                    check.id
                ));
            }
        }
        for (example, must_fire) in [
            (&check.docs.fail_example, true),
            (&check.docs.pass_example, false),
        ] {
            if example.is_empty() {
                failures.push(format!(
                    "{}: docs lack a {} example",
                    check.id,
                    if must_fire { "failing" } else { "passing" }
                ));
                continue;
            }
            let settings = harness::at_declared_version(&base, example);
            let got = lint_for_check(check, "example.yaml", example, &settings)
                .findings
                .len();
            if must_fire != (got > 0) {
                failures.push(format!(
                    "{}: docs {} example gives {got} findings",
                    check.id,
                    if must_fire { "failing" } else { "passing" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn catalog_loads_and_ids_are_unique() {
    let checks = builtin();
    let mut ids: Vec<&str> = checks.iter().map(|c| &*c.id).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate check ids");
}
