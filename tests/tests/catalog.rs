//! The built-in catalog matches the check contract `../shared/spec/checks.yaml` exactly: every
//! id exists with the contract's theme, severity, default state, `cross` flag and PSS control.

use std::path::Path;

use kubelint_core::check::PssLevel;
use kubelint_core::checks::builtin;
use kubelint_core::source::SourceFile;
use kubelint_core::yaml::{self, NodeRef};

#[test]
fn catalog_matches_the_check_contract() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/spec/checks.yaml"
    ));
    let Ok(text) = std::fs::read_to_string(path) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing (required in CI)",
            path.display()
        );
        eprintln!("skipping: {} not found", path.display());
        return;
    };
    let source = SourceFile::new("checks.yaml", text);
    let parsed = yaml::parse(&source);
    assert!(parsed.errors.is_empty());
    let root = parsed.documents[0].root().unwrap();
    let mut problems = Vec::new();
    let mut ids = Vec::new();
    for entry in root.items() {
        let text = |k: &str| {
            entry
                .get(k)
                .and_then(NodeRef::as_display)
                .unwrap_or_default()
        };
        let id = text("id");
        ids.push(id.clone());
        let Some(check) = builtin().iter().find(|c| *c.id == *id) else {
            problems.push(format!("{id}: missing from the catalog"));
            continue;
        };
        let mut expect = |what: &str, contract: String, ours: String| {
            if contract != ours {
                problems.push(format!(
                    "{id}: {what} is `{ours}`, the contract says `{contract}`"
                ));
            }
        };
        expect("theme", text("theme"), check.theme.clone());
        expect("severity", text("severity"), check.severity.to_string());
        expect("enabled", text("enabled"), check.enabled.to_string());
        let cross = entry
            .get("cross")
            .and_then(NodeRef::as_bool)
            .unwrap_or(false);
        expect("cross", cross.to_string(), check.cross.to_string());
        let pss = text("pss");
        let ours = check.pss.as_ref().map_or(String::new(), |p| {
            let level = match p.level {
                PssLevel::Baseline => "baseline",
                PssLevel::Restricted => "restricted",
            };
            match p.since {
                Some(v) => format!("{level} {} ({v})", p.control),
                None => format!("{level} {}", p.control),
            }
        });
        expect("pss", pss, ours);
    }
    for check in builtin() {
        if !ids.iter().any(|id| *id == *check.id) {
            problems.push(format!("{}: not in the contract", check.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
