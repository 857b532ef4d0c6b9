//! Agreement with kube-linter: kubelint's counterpart checks run on kube-linter's own test
//! inputs must fire on exactly the objects (document index and container) that kube-linter's
//! expectations name, except for the differences each row declares and explains.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubelint_core::checks::builtin;
use kubelint_core::engine::{run, RunSettings};
use kubelint_core::source::SourceFile;
use serde_json::Value;

/// What fires: the 0-based YAML document index (as `expectations.json` counts them) and the
/// container the finding names, if any.
type Unit = (usize, Option<String>);

/// Where kubelint deliberately disagrees with kube-linter on one unit.
struct Difference {
    doc: usize,
    container: Option<&'static str>,
    /// True when only kube-linter fires (a kube-linter finding kubelint does not make).
    kube_linter_only: bool,
}

/// One kube-linter check compared with one kubelint check on one kube-linter input.
struct Row {
    kube_linter_check: &'static str,
    /// Path under `shared/conformance/kube-linter/`.
    input: &'static str,
    kubelint_check: &'static str,
    /// What kube-linter fires on, as `(doc index, container)`; checked against
    /// `expectations.json` so the table cannot drift from the data.
    kube_linter_fires: &'static [(usize, Option<&'static str>)],
    differences: &'static [Difference],
}

/// Add a row for each kube-linter check that has a kubelint counterpart.
const ROWS: &[Row] = &[
    Row {
        kube_linter_check: "mismatching-selector",
        input: "tests/mismatching-selector.yml",
        kubelint_check: "workload-selector-mismatch",
        kube_linter_fires: &[(2, None), (3, None)],
        // Document 3 is an OpenShift DeploymentConfig, whose selector is a plain map; the
        // spec scopes the check to the built-in workload kinds.
        differences: &[Difference {
            doc: 3,
            container: None,
            kube_linter_only: true,
        }],
    },
    Row {
        kube_linter_check: "duplicate-env-var",
        input: "tests/duplicate-env-var.yaml",
        kubelint_check: "env-duplicate",
        kube_linter_fires: &[(0, Some("fire-deployment")), (1, Some("fire-stateful"))],
        differences: &[],
    },
    Row {
        kube_linter_check: "liveness-port",
        input: "tests/liveness-port.yml",
        kubelint_check: "probe-port-unexposed",
        kube_linter_fires: &[
            (0, Some("fire-deployment-name")),
            (0, Some("fire-deployment-int")),
            (0, Some("fire-deployment-udp")),
            (1, Some("fire-stateful-name")),
        ],
        differences: &[],
    },
    Row {
        kube_linter_check: "readiness-port",
        input: "tests/readiness-port.yml",
        kubelint_check: "probe-port-unexposed",
        kube_linter_fires: &[
            (0, Some("fire-deployment-name")),
            (0, Some("fire-deployment-int")),
            (0, Some("fire-deployment-udp")),
            (0, Some("fire-deployment-grpc")),
        ],
        differences: &[],
    },
    Row {
        kube_linter_check: "startup-port",
        input: "tests/startup-port.yml",
        kubelint_check: "probe-port-unexposed",
        kube_linter_fires: &[
            (0, Some("fire-deployment-name")),
            (0, Some("fire-deployment-int")),
            (0, Some("fire-deployment-udp")),
            (0, Some("fire-deployment-grpc")),
        ],
        differences: &[],
    },
    Row {
        kube_linter_check: "no-liveness-probe",
        input: "tests/no-liveness-probe.yml",
        kubelint_check: "liveness-probe-missing",
        kube_linter_fires: &[(2, Some("app1")), (3, Some("app2"))],
        // Document 3 is an OpenShift DeploymentConfig: not a kind kubelint knows to carry a
        // pod template unless configured (`podTemplatePaths`).
        differences: &[Difference {
            doc: 3,
            container: Some("app2"),
            kube_linter_only: true,
        }],
    },
    Row {
        kube_linter_check: "invalid-target-ports",
        input: "tests/invalid-target-ports.yaml",
        kubelint_check: "port-name-invalid",
        // The Service also has a numeric `targetPort: 123456`, which kube-linter reports as
        // out of range and kubelint leaves to schema validation; its quoted
        // `'n234567890123456'` makes the Service fire in both, so the units agree.
        kube_linter_fires: &[(0, None), (1, Some("invalid-target-ports"))],
        differences: &[],
    },
    Row {
        kube_linter_check: "no-extensions-v1beta",
        input: "tests/no-extensions-v1beta.yml",
        kubelint_check: "api-removed",
        kube_linter_fires: &[(1, None)],
        differences: &[],
    },
    Row {
        kube_linter_check: "latest-tag",
        input: "tests/latest-tag.yml",
        kubelint_check: "image-tag-mutable",
        kube_linter_fires: &[(2, Some("app")), (3, Some("app"))],
        // Document 3 is an OpenShift DeploymentConfig (see no-liveness-probe).
        differences: &[Difference {
            doc: 3,
            container: Some("app"),
            kube_linter_only: true,
        }],
    },
];

fn conformance_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/kube-linter"
    ));
    if dir.join("expectations.json").is_file() {
        return Some(dir.to_path_buf());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "kube-linter conformance data missing at {} (required when CI is set)",
        dir.display()
    );
    eprintln!(
        "SKIP kube-linter agreement: no conformance data at {}",
        dir.display()
    );
    None
}

/// The units kube-linter's expectations name for `check` on `input`.
fn expected_units(expectations: &Value, check: &str, input: &str) -> BTreeSet<Unit> {
    let test = expectations["tests"]
        .as_array()
        .expect("tests[]")
        .iter()
        .find(|t| {
            t["input"] == input
                && t["checks"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c == check))
        })
        .unwrap_or_else(|| panic!("expectations.json has no test of {check} on {input}"));
    let reports = test["asserted_reports"]
        .as_array()
        .expect("asserted_reports");
    if let Some(count) = test["expected_report_count"].as_u64() {
        assert_eq!(
            count as usize,
            reports.len(),
            "{check}: not every report is asserted, so the expected set would be incomplete"
        );
    }
    reports
        .iter()
        .map(|r| {
            let doc = r["doc_index"]
                .as_u64()
                .unwrap_or_else(|| panic!("{check}: a report without doc_index"));
            let message = r["message"].as_str().unwrap_or_default();
            let container = message
                .split_once("container \"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(name, _)| name.to_string());
            (usize::try_from(doc).unwrap(), container)
        })
        .collect()
}

/// The units kubelint's `check` fires on in `text`, with documents counted as
/// `expectations.json` counts them.
fn kubelint_units(check: &str, name: &str, text: &str) -> BTreeSet<Unit> {
    let definition = builtin()
        .iter()
        .find(|c| &*c.id == check)
        .unwrap_or_else(|| panic!("no built-in check {check}"));
    let outcome = run(
        vec![Arc::new(SourceFile::new(name, text))],
        &RunSettings::with_checks([definition]),
    );
    let docs = &outcome.inputs[0].document_info;
    // kubelint counts the empty chunk before a leading `---`; kube-linter's reader (and so
    // expectations.json) does not.
    let skipped = usize::from(text.starts_with("---"));
    outcome
        .findings
        .iter()
        .map(|f| {
            let at = f.location.span.start;
            let doc = docs
                .iter()
                .find(|d| d.span.start <= at && at <= d.span.end)
                .unwrap_or_else(|| panic!("{check}: finding outside every document"));
            (
                doc.index - skipped,
                f.container.as_deref().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn kubelint_agrees_with_kube_linter_on_its_test_inputs() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let expectations: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expectations.json")).expect("read expectations.json"),
    )
    .expect("expectations.json is JSON");
    let mut failures = Vec::new();
    for row in ROWS {
        let from_json = expected_units(&expectations, row.kube_linter_check, row.input);
        let table: BTreeSet<Unit> = row
            .kube_linter_fires
            .iter()
            .map(|&(d, c)| (d, c.map(str::to_string)))
            .collect();
        assert_eq!(
            table, from_json,
            "{}: the table's kube_linter_fires differs from expectations.json",
            row.kube_linter_check
        );
        let mut wanted = from_json.clone();
        for d in row.differences {
            let unit = (d.doc, d.container.map(str::to_string));
            if d.kube_linter_only {
                assert!(
                    wanted.remove(&unit),
                    "{}: difference {unit:?} is not a kube-linter finding",
                    row.kube_linter_check
                );
            } else {
                wanted.insert(unit);
            }
        }
        let text = std::fs::read_to_string(dir.join(row.input)).expect("read input");
        let got = kubelint_units(row.kubelint_check, row.input, &text);
        let common = got.intersection(&from_json).count();
        eprintln!(
            "{:<22} -> {:<27} kube-linter {} units, kubelint {}, agree on {}, declared differences {}",
            row.kube_linter_check,
            row.kubelint_check,
            from_json.len(),
            got.len(),
            common,
            row.differences.len()
        );
        if got != wanted {
            failures.push(format!(
                "{} vs {} on {}:\n  expected {wanted:?}\n  got      {got:?}",
                row.kube_linter_check, row.kubelint_check, row.input
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
