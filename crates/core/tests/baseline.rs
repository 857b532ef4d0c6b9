//! Baselines: written sorted and versioned, matched by fingerprint so that edits elsewhere in a
//! file (lines inserted above a finding) keep findings matched, and new findings still reported.

#[allow(dead_code)]
mod harness;

use harness::lint_text;
use kubelint_core::baseline::Baseline;
use kubelint_core::checks::builtin;
use kubelint_core::engine::RunSettings;
use kubelint_core::finding::SuppressionKind;

const BEFORE: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  hostNetwork: true
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
    - name: sidecar
      image: envoy:1.30
      securityContext:
        privileged: true
";

fn settings() -> RunSettings {
    RunSettings::with_checks(
        builtin()
            .iter()
            .filter(|c| ["privileged", "host-network"].contains(&&*c.id)),
    )
}

#[test]
fn baseline_survives_lines_inserted_above_findings() {
    let settings = settings();
    let recorded = Baseline::from_findings(&lint_text("pod.yaml", BEFORE, &settings).findings);
    assert_eq!(recorded.len(), 3);
    let text = recorded.to_json();
    let reread = Baseline::parse(&text).unwrap();
    assert_eq!(reread, recorded);

    let edited = BEFORE
        .replace(
            "metadata:\n",
            "# Owned by the shop team.\nmetadata:\n  labels:\n    app: web\n",
        )
        .replace(
            "  hostNetwork: true\n",
            "  dnsPolicy: ClusterFirst\n  hostNetwork: true\n",
        );
    let mut outcome = lint_text("pod.yaml", &edited, &settings);
    let stale = reread.apply(&mut outcome.findings);
    assert_eq!(stale, 0);
    assert_eq!(outcome.findings.len(), 3);
    for f in &outcome.findings {
        let s = f.suppression.as_ref().expect("matched by the baseline");
        assert_eq!(s.kind, SuppressionKind::External);
        assert_eq!(s.justification, "in baseline");
    }
    assert_eq!(outcome.summary().suppressed, 3);
}

#[test]
fn new_findings_are_reported_and_gone_ones_counted() {
    let settings = settings();
    let baseline = Baseline::from_findings(&lint_text("pod.yaml", BEFORE, &settings).findings);
    // The sidecar is no longer privileged; a third container is.
    let edited = BEFORE.replacen(
        "    - name: sidecar\n      image: envoy:1.30\n      securityContext:\n        privileged: true\n",
        "    - name: sidecar\n      image: envoy:1.30\n    - name: debug\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n",
        1,
    );
    let mut outcome = lint_text("pod.yaml", &edited, &settings);
    let stale = baseline.apply(&mut outcome.findings);
    let open: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .map(|f| (f.location.start.line, f.container.clone()))
        .collect();
    assert_eq!(open, [(18, Some("debug".into()))]);
    assert_eq!(stale, 1);
    // The same file under another name is not the baseline's.
    let mut elsewhere = lint_text("other.yaml", BEFORE, &settings);
    assert_eq!(baseline.apply(&mut elsewhere.findings), 3);
}

#[test]
fn baseline_survives_reordered_and_added_containers() {
    let settings = settings();
    let baseline = Baseline::from_findings(&lint_text("pod.yaml", BEFORE, &settings).findings);
    let edited = BEFORE.replace(
        "  containers:\n",
        "  containers:\n    - name: init-db\n      image: postgres:16\n",
    );
    let mut outcome = lint_text("pod.yaml", &edited, &settings);
    assert_eq!(baseline.apply(&mut outcome.findings), 0);
    assert!(outcome.findings.iter().all(|f| f.suppression.is_some()));
}

#[test]
fn baseline_file_is_sorted_versioned_and_free_of_line_numbers() {
    let settings = settings();
    let text =
        Baseline::from_findings(&lint_text("pod.yaml", BEFORE, &settings).findings).to_json();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    let entries = json["entries"].as_array().unwrap();
    let keys: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["check"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        keys,
        [
            ("host-network".to_string(), "spec.hostNetwork".to_string()),
            (
                "privileged".to_string(),
                "spec.containers[sidecar].securityContext.privileged".to_string()
            ),
            (
                "privileged".to_string(),
                "spec.containers[web].securityContext.privileged".to_string()
            ),
        ]
    );
    assert!(!text.contains("\"line\""));
    assert!(Baseline::parse("{\"version\": 2, \"entries\": []}").is_err());
    assert!(Baseline::parse("[]").is_err());
}
