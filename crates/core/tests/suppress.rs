//! Suppressions: every form and its scope, expiry, the unused/invalid/expired reports, config
//! ignores and locked checks.

#[allow(dead_code)]
mod harness;

use std::path::Path;
use std::sync::Arc;

use harness::lint_text;
use kubelint_core::check::Check;
use kubelint_core::checks::{builtin, parse_check_list};
use kubelint_core::config::file::{self, SuppressConfig};
use kubelint_core::engine::RunSettings;
use kubelint_core::finding::SuppressionKind;
use kubelint_core::suppress::{self, Date};

const TODAY: Date = Date {
    year: 2026,
    month: 6,
    day: 15,
};

/// A replica minimum on Deployments: an object-level finding outside the pod template.
const REPLICAS: &str = "
- id: too-few-replicas
  severity: warning
  summary: s
  remediation: r
  for-each: object
  kinds: [Deployment]
  rules:
    - when: {field: spec.replicas, less-than: 2}
      message: too few replicas
";

fn catalog() -> Vec<Arc<Check>> {
    let mut out = builtin().to_vec();
    out.extend(
        parse_check_list("custom.yaml", REPLICAS, false)
            .unwrap()
            .into_iter()
            .map(Arc::new),
    );
    out
}

/// `(line, check, suppressed)` of every finding after suppressions, with `checks` and the
/// three meta checks running.
fn run(text: &str, checks: &[&str], config: &SuppressConfig) -> Vec<(u32, String, bool)> {
    let catalog = catalog();
    let mut ids = checks.to_vec();
    ids.extend([
        "suppression-unused",
        "suppression-expired",
        "suppression-invalid",
    ]);
    let settings = RunSettings::with_checks(catalog.iter().filter(|c| ids.contains(&&*c.id)));
    let mut outcome = lint_text("test.yaml", text, &settings);
    suppress::apply(
        &mut outcome,
        &settings,
        &suppress::Options {
            catalog: &catalog,
            config,
            today: TODAY,
        },
    );
    outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.location.start.line,
                f.check.to_string(),
                f.suppression.is_some(),
            )
        })
        .collect()
}

fn line(l: u32, id: &str, suppressed: bool) -> (u32, String, bool) {
    (l, id.to_string(), suppressed)
}

const TWO_CONTAINERS: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  containers:
    - name: a
      image: nginx:1.27
      securityContext:
        privileged: true
    - name: b
      image: nginx:1.27
      securityContext:
        privileged: true
";

#[test]
fn without_suppressions_everything_is_reported() {
    let got = run(
        TWO_CONTAINERS,
        &["privileged", "host-network"],
        &SuppressConfig::default(),
    );
    assert_eq!(
        got,
        [
            line(6, "host-network", false),
            line(11, "privileged", false),
            line(15, "privileged", false)
        ]
    );
}

#[test]
fn a_directive_on_the_same_line_covers_that_node_only() {
    let text = TWO_CONTAINERS.replacen(
        "privileged: true\n",
        "privileged: true # kubelint: ignore[privileged] the CNI agent\n",
        1,
    );
    let got = run(
        &text,
        &["privileged", "host-network"],
        &SuppressConfig::default(),
    );
    assert_eq!(
        got,
        [
            line(6, "host-network", false),
            line(11, "privileged", true),
            line(15, "privileged", false)
        ]
    );
}

#[test]
fn a_directive_on_its_own_line_covers_the_next_entry() {
    let text = TWO_CONTAINERS.replace(
        "  hostNetwork: true\n",
        "  # kubelint: ignore[host-network, privileged] node agent\n  hostNetwork: true\n",
    );
    let got = run(
        &text,
        &["privileged", "host-network"],
        &SuppressConfig::default(),
    );
    // `privileged` is named but nothing under `hostNetwork` has that finding.
    assert_eq!(
        got,
        [
            line(6, "suppression-unused", false),
            line(7, "host-network", true),
            line(12, "privileged", false),
            line(16, "privileged", false)
        ]
    );
}

#[test]
fn a_directive_before_a_container_entry_covers_that_container() {
    let text = TWO_CONTAINERS.replace(
        "    - name: b\n",
        "    # kubelint: ignore[privileged] debug sidecar\n    - name: b\n",
    );
    let got = run(
        &text,
        &["privileged", "host-network"],
        &SuppressConfig::default(),
    );
    assert_eq!(
        got,
        [
            line(6, "host-network", false),
            line(11, "privileged", false),
            line(16, "privileged", true)
        ]
    );
}

#[test]
fn a_directive_at_the_top_of_a_document_covers_the_whole_document() {
    let text = format!(
        "# kubelint: ignore[privileged, host-network] lab cluster only\n{TWO_CONTAINERS}---\n{TWO_CONTAINERS}"
    );
    let got = run(
        &text,
        &["privileged", "host-network"],
        &SuppressConfig::default(),
    );
    assert_eq!(
        got,
        [
            line(7, "host-network", true),
            line(12, "privileged", true),
            line(16, "privileged", true),
            line(23, "host-network", false),
            line(28, "privileged", false),
            line(32, "privileged", false)
        ]
    );
}

#[test]
fn a_hash_inside_a_string_is_not_a_directive() {
    let text = TWO_CONTAINERS.replace(
        "image: nginx:1.27\n      securityContext:\n        privileged: true\n    - name: b",
        "image: \"nginx # kubelint: ignore[privileged] no\"\n      securityContext:\n        privileged: true\n    - name: b",
    );
    let got = run(&text, &["privileged"], &SuppressConfig::default());
    assert_eq!(
        got,
        [line(11, "privileged", false), line(15, "privileged", false)]
    );
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
  annotations:
    OBJECT
spec:
  replicas: 1
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
      annotations:
        TEMPLATE
    spec:
      hostNetwork: true
      containers:
        - name: agent
          image: nginx:1.27
          securityContext:
            privileged: true
";

fn deployment(object: &str, template: &str) -> String {
    DEPLOYMENT
        .replace("OBJECT", object)
        .replace("TEMPLATE", template)
}

const DEPLOY_CHECKS: &[&str] = &["privileged", "host-network", "too-few-replicas"];

#[test]
fn an_object_annotation_covers_the_whole_object() {
    // The second spelling's `\u002E` is `.`: its file never spells the annotation out.
    for annotation in [
        "ignore-check.kubelint.dev/privileged: \"eBPF agent\"",
        "\"ignore-check.kubelint\\u002Edev/privileged\": \"eBPF agent\"",
    ] {
        let text = deployment(annotation, "example.com/x: y");
        let got = run(&text, DEPLOY_CHECKS, &SuppressConfig::default());
        assert_eq!(
            got,
            [
                line(8, "too-few-replicas", false),
                line(17, "host-network", false),
                line(22, "privileged", true)
            ],
            "{annotation}"
        );
    }
    let text = deployment("kubelint.dev/ignore-all: \"lab only\"", "example.com/x: y");
    let got = run(&text, DEPLOY_CHECKS, &SuppressConfig::default());
    assert!(got.iter().all(|(_, _, s)| *s), "{got:?}");
}

#[test]
fn a_pod_template_annotation_covers_that_pod_spec_only() {
    let text = deployment(
        "example.com/x: y",
        "kubelint.dev/ignore-all: \"node agent\"",
    );
    let got = run(&text, DEPLOY_CHECKS, &SuppressConfig::default());
    assert_eq!(
        got,
        [
            line(8, "too-few-replicas", false),
            line(17, "host-network", true),
            line(22, "privileged", true)
        ]
    );
}

#[test]
fn expired_suppressions_stop_suppressing() {
    let at = |date: &str| {
        let text = TWO_CONTAINERS.replacen(
            "privileged: true\n",
            &format!("privileged: true # kubelint: ignore[privileged] CNI until={date}\n"),
            1,
        );
        run(&text, &["privileged"], &SuppressConfig::default())
    };
    assert_eq!(
        at("2026-06-14"),
        [
            line(11, "privileged", false),
            line(11, "suppression-expired", false),
            line(15, "privileged", false)
        ]
    );
    // The until date itself is still covered.
    assert_eq!(
        at("2026-06-15"),
        [line(11, "privileged", true), line(15, "privileged", false)]
    );
    let text = deployment(
        "ignore-check.kubelint.dev/privileged: \"eBPF agent until=2025-01-01\"",
        "example.com/x: y",
    );
    let got = run(&text, &["privileged"], &SuppressConfig::default());
    assert_eq!(
        got,
        [
            line(6, "suppression-expired", false),
            line(22, "privileged", false)
        ]
    );
}

#[test]
fn invalid_suppressions_are_reported_and_suppress_nothing() {
    let text = deployment(
        "ignore-check.kubelint.dev/privilegd: \"typo\"\n    ignore-check.kubelint.dev/host-network: \"\"",
        "ignore-check.kubelint.dev/privileged: \"agent until=2026-13-01\"",
    )
    .replace(
        "  replicas: 1\n",
        "  replicas: 1\n  ignore-check.kubelint.dev/too-few-replicas: \"misplaced under spec\"\n",
    );
    let got = run(&text, DEPLOY_CHECKS, &SuppressConfig::default());
    assert_eq!(
        got,
        [
            line(6, "suppression-invalid", false),
            line(7, "suppression-invalid", false),
            line(9, "too-few-replicas", false),
            line(10, "suppression-invalid", false),
            line(17, "suppression-invalid", false),
            line(19, "host-network", false),
            line(24, "privileged", false)
        ]
    );
    let text = "# kubelint: ignore[] nothing named\n# kubelint: ignore[privileged] at the end\n";
    let got = run(text, &["privileged"], &SuppressConfig::default());
    assert_eq!(
        got,
        [
            line(1, "suppression-invalid", false),
            line(2, "suppression-invalid", false)
        ]
    );
}

#[test]
fn unused_suppressions_are_reported_only_for_checks_that_ran() {
    let text = deployment(
        "ignore-check.kubelint.dev/host-pid: \"agent\"\n    ignore-check.kubelint.dev/host-ipc: \"agent\"",
        "kubelint.dev/ignore-all: \"node agent\"",
    );
    let got = run(&text, &["host-pid"], &SuppressConfig::default());
    assert_eq!(
        got,
        [
            line(6, "suppression-unused", false),
            line(16, "suppression-unused", false)
        ]
    );
}

fn config(text: &str) -> SuppressConfig {
    let config = file::parse(Path::new(".kubelint.yaml"), text).unwrap();
    file::resolve(Some(&config), &file::CliOptions::default())
        .unwrap()
        .suppress
}

#[test]
fn config_ignores_match_objects_by_glob_and_report_when_unused() {
    let cfg = config(
        "ignores:\n  - check: privileged\n    kind: Deploy*\n    name: \"{agent,other}\"\n    container: agent\n    reason: eBPF agent\n  - check: host-network\n    namespace: kube-*\n    reason: only in kube-system\n",
    );
    let catalog = catalog();
    let ids = ["privileged", "host-network", "suppression-unused"];
    let settings = RunSettings::with_checks(catalog.iter().filter(|c| ids.contains(&&*c.id)));
    let mut outcome = lint_text("test.yaml", &deployment("a: b", "c: d"), &settings);
    suppress::apply(
        &mut outcome,
        &settings,
        &suppress::Options {
            catalog: &catalog,
            config: &cfg,
            today: TODAY,
        },
    );
    let got: Vec<_> = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.location.file.path.as_str(),
                f.location.start.line,
                f.check.to_string(),
                f.suppression
                    .as_ref()
                    .map(|s| (s.kind, s.justification.as_str())),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (".kubelint.yaml", 7, "suppression-unused".to_string(), None),
            ("test.yaml", 17, "host-network".to_string(), None),
            (
                "test.yaml",
                22,
                "privileged".to_string(),
                Some((SuppressionKind::External, "eBPF agent"))
            ),
        ]
    );
}

#[test]
fn locked_checks_cannot_be_suppressed_in_manifests() {
    let cfg = config("lockedChecks: [privileged]\n");
    let text = deployment(
        "ignore-check.kubelint.dev/privileged: \"eBPF agent\"",
        "kubelint.dev/ignore-all: \"node agent\"",
    );
    let got = run(&text, DEPLOY_CHECKS, &cfg);
    assert_eq!(
        got,
        [
            line(6, "suppression-invalid", false),
            line(8, "too-few-replicas", false),
            line(17, "host-network", true),
            line(22, "privileged", false)
        ]
    );
    // The configuration itself may still ignore a locked check.
    let cfg = config(
        "lockedChecks: [privileged]\nignores:\n  - check: privileged\n    name: agent\n    reason: reviewed by security\n",
    );
    let got = run(&deployment("a: b", "c: d"), &["privileged"], &cfg);
    assert_eq!(got, [line(22, "privileged", true)]);
}

#[test]
fn dates_parse_strictly_and_come_from_the_clock() {
    assert_eq!(
        Date::parse("2024-02-29"),
        Some(Date {
            year: 2024,
            month: 2,
            day: 29
        })
    );
    assert_eq!(Date::parse("2023-02-29"), None);
    assert_eq!(Date::parse("2024-2-1"), None);
    assert_eq!(Date::parse("2024-04-31"), None);
    assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
    assert_eq!(Date::from_days(19_782).to_string(), "2024-02-29");
    assert!(Date::today() > Date::parse("2024-01-01").unwrap());
}

#[test]
fn a_config_ignore_overlapping_an_annotation_is_not_unused() {
    let cfg = config("ignores:\n  - check: privileged\n    name: agent\n    reason: reviewed\n");
    let text = deployment(
        "ignore-check.kubelint.dev/privileged: \"eBPF agent\"",
        "example.com/x: y",
    );
    let got = run(&text, &["privileged"], &cfg);
    assert_eq!(got, [line(22, "privileged", true)]);
}
