//! Shared by the library's integration tests: linting strings and reading `# expect:` markers.

use std::collections::BTreeSet;
use std::sync::Arc;

use kubelint_core::check::Check;
use kubelint_core::checks::builtin;
use kubelint_core::config::file::SuppressConfig;
use kubelint_core::engine::{run, Outcome, RunSettings};
use kubelint_core::source::SourceFile;
use kubelint_core::suppress::{self, Date};

/// Lints one text as `name` with `settings`.
pub fn lint_text(name: &str, text: &str, settings: &RunSettings) -> Outcome {
    run(vec![Arc::new(SourceFile::new(name, text))], settings)
}

/// `(line, check)` pairs named by `# expect: id[, id]` markers.
pub fn expected_markers(text: &str) -> BTreeSet<(u32, String)> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(pos) = line.find("# expect:") {
            for id in line[pos + 9..].split(',') {
                let id = id.trim();
                if !id.is_empty() {
                    out.insert((u32::try_from(i + 1).unwrap(), id.to_string()));
                }
            }
        }
    }
    out
}

/// `(line, check)` pairs of what a run reported.
pub fn reported(outcome: &Outcome) -> BTreeSet<(u32, String)> {
    outcome
        .findings
        .iter()
        .map(|f| (f.location.start.line, f.check.to_string()))
        .collect()
}

/// `settings` at the Kubernetes version a `# kubernetesVersion: 1.x` line of `text` names, for
/// checks that only fire at some versions (deprecated APIs); otherwise unchanged.
pub fn at_declared_version(settings: &RunSettings, text: &str) -> RunSettings {
    let mut out = settings.clone();
    if let Some(v) = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# kubernetesVersion:"))
    {
        out.kubernetes_version = v.trim().parse().expect("a valid kubernetesVersion marker");
    }
    out
}

/// Lints a fixture or docs example of `check` with `settings`. The suppression meta checks
/// report on other checks' suppressions: their texts name those checks in `# with-check: <id>`
/// lines, suppressions are applied (on a fixed date), and only the meta check's findings kept.
pub fn lint_for_check(check: &Check, name: &str, text: &str, settings: &RunSettings) -> Outcome {
    if !check.id.starts_with("suppression-") {
        return lint_text(name, text, settings);
    }
    let with: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# with-check:"))
        .map(str::trim)
        .collect();
    let mut settings = settings.clone();
    settings.checks.extend(
        RunSettings::with_checks(builtin().iter().filter(|c| with.contains(&&*c.id))).checks,
    );
    let mut outcome = lint_text(name, text, &settings);
    let today = Date::parse("2026-06-15").expect("a valid date");
    suppress::apply(
        &mut outcome,
        &settings,
        &suppress::Options {
            catalog: builtin(),
            config: &SuppressConfig::default(),
            today,
        },
    );
    outcome.findings.retain(|f| *f.check == *check.id);
    outcome
}
