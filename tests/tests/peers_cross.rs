//! Peer agreement for the cross-object checks: runs each kubelint check over the inputs that
//! kube-linter's and kube-score's own tests use for the corresponding check, and compares which
//! objects fire. Deliberate differences are listed in `KNOWN_DIFFERENCES`, each with its reason;
//! any other disagreement (or a listed one that disappears) fails the test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubelint_core::check::Literal;
use kubelint_core::checks::builtin;
use kubelint_core::engine::{run, RunSettings};
use kubelint_core::source::SourceFile;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance");

/// kube-linter check → kubelint check.
const KUBE_LINTER: &[(&str, &str)] = &[
    ("dangling-service", "service-selects-nothing"),
    ("dangling-networkpolicy", "networkpolicy-selects-nothing"),
    ("dangling-horizontalpodautoscaler", "hpa-target-unresolved"),
    ("dangling-ingress", "ingress-backend-unresolved"),
    ("non-isolated-pod", "pod-not-isolated"),
    ("non-existent-service-account", "sa-unresolved"),
    ("pdb-max-unavailable", "pdb-blocks-eviction"),
    ("pdb-min-available", "pdb-blocks-eviction"),
];

/// kube-score check id → kubelint check. Older kube-score releases treated `podSelector: {}`
/// as selecting nothing (kube-score #293, #420); kubelint follows the API (every pod of the
/// namespace), and the `networkpolicy-targets-all-pods` input of this kube-score version agrees.
const KUBE_SCORE: &[(&str, &str)] = &[
    ("service-targets-pod", "service-selects-nothing"),
    ("networkpolicy-targets-pod", "networkpolicy-selects-nothing"),
    ("pod-networkpolicy", "pod-not-isolated"),
    (
        "horizontalpodautoscaler-has-target",
        "hpa-target-unresolved",
    ),
    ("ingress-targets-service", "ingress-backend-unresolved"),
    ("statefulset-has-servicename", "statefulset-service-missing"),
    ("deployment-has-poddisruptionbudget", "pdb-missing"),
    ("statefulset-has-poddisruptionbudget", "pdb-missing"),
    (
        "deployment-targeted-by-hpa-does-not-have-replicas-configured",
        "replicas-with-hpa",
    ),
];

/// `(peer, input, peer check)` where kubelint deliberately disagrees, and why.
const KNOWN_DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    // `foo` has no pod template, so it creates no pods; kube-linter matches the PDB against the
    // Deployment's own `spec.selector` instead. baz2 and baz3 agree.
    (
        "kube-linter",
        "tests/pdb-min-available.yaml",
        "pdb-min-available",
        "a workload without a pod template has no pods for the budget to block",
    ),
    // kube-score wants a budget for every Deployment/StatefulSet; pdb-missing only asks where
    // `replicas` is 2 or more (these inputs set no replicas, which is one).
    (
        "kube-score",
        "testdata/deployment-poddisruptionbudget-v1-different-namespace.yaml",
        "deployment-has-poddisruptionbudget",
        "single replica",
    ),
    (
        "kube-score",
        "testdata/deployment-poddisruptionbudget-v1-no-match.yaml",
        "deployment-has-poddisruptionbudget",
        "single replica",
    ),
    (
        "kube-score",
        "testdata/deployment-poddisruptionbudget-v1beta1-expression-no-match.yaml",
        "deployment-has-poddisruptionbudget",
        "single replica",
    ),
    (
        "kube-score",
        "testdata/deployment-poddisruptionbudget-v1beta1-no-match.yaml",
        "deployment-has-poddisruptionbudget",
        "single replica",
    ),
    (
        "kube-score",
        "testdata/statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml",
        "statefulset-has-poddisruptionbudget",
        "single replica",
    ),
    (
        "kube-score",
        "testdata/statefulset-poddisruptionbudget-v1beta1-no-match.yaml",
        "statefulset-has-poddisruptionbudget",
        "single replica",
    ),
    // kube-score grades WARNING when policies cover ingress but not egress; pod-not-isolated
    // judges ingress isolation only (egress-only policies still fire).
    (
        "kube-score",
        "testdata/networkpolicy-matching-only-ingress.yaml",
        "pod-networkpolicy",
        "egress isolation is not required",
    ),
    // The headless Service exists but selects other labels: that is service-selects-nothing's
    // finding, not statefulset-service-missing's.
    (
        "kube-score",
        "testdata/statefulset-service-name-different-label.yaml",
        "statefulset-has-servicename",
        "reported by service-selects-nothing",
    ),
];

fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(SHARED);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "shared conformance data missing at {SHARED} (required in CI)"
    );
    eprintln!("skipping peer agreement: no shared conformance data at {SHARED}");
    None
}

/// The check alone, as the peers run theirs; peers treat OpenShift DeploymentConfigs as pod
/// templates, which kubelint does through `pod_template_paths`. kube-linter's non-isolated-pod
/// judges every namespace, hence `requirePolicies`; by default kubelint waits for a namespace
/// to have a NetworkPolicy in the input, because policies are often defined elsewhere
/// (kube-linter #179; `externalObjects` declares those).
fn settings(id: &str) -> RunSettings {
    let check = builtin()
        .iter()
        .find(|c| &*c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    let mut s = RunSettings::with_checks([check]);
    s.pod_template_paths
        .insert("DeploymentConfig".into(), "spec.template.spec".into());
    if id == "pod-not-isolated" {
        s.checks[0]
            .params
            .insert("requirePolicies".into(), Literal::Bool(true));
    }
    s
}

/// `(kind, name)` of every object the check fires on.
fn fired(path: &Path, id: &str) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let outcome = run(
        vec![Arc::new(SourceFile::new(path.display().to_string(), text))],
        &settings(id),
    );
    outcome
        .findings
        .iter()
        .filter(|f| &*f.check == id)
        .filter_map(|f| f.object.as_ref())
        .map(|o| (o.kind.to_string(), o.name.clone()))
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[derive(Default)]
struct Tally {
    cases: usize,
    agree: usize,
    disagreements: BTreeSet<(String, String, String)>,
    details: Vec<String>,
    by_peer: Vec<(String, bool)>,
}

impl Tally {
    fn per_peer(&self, peer: &str) -> (usize, usize) {
        let cases = self.by_peer.iter().filter(|(p, _)| p == peer).count();
        let agree = self.by_peer.iter().filter(|(p, a)| p == peer && *a).count();
        (agree, cases)
    }

    fn record(&mut self, peer: &str, input: &str, check: &str, agree: bool, detail: String) {
        self.cases += 1;
        self.by_peer.push((peer.into(), agree));
        if agree {
            self.agree += 1;
        } else {
            self.disagreements
                .insert((peer.into(), input.into(), check.into()));
            self.details.push(detail);
        }
    }
}

fn kube_linter(dir: &Path, tally: &mut Tally) {
    let root = dir.join("kube-linter");
    let expectations = json(&root.join("expectations.json"));
    for test in expectations["tests"].as_array().unwrap() {
        let checks: Vec<&str> = test["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        let [peer_check] = checks[..] else { continue };
        let Some(&(_, ours)) = KUBE_LINTER.iter().find(|(p, _)| *p == peer_check) else {
            continue;
        };
        let input = test["input"].as_str().unwrap();
        let expected: BTreeSet<(String, String)> = test["asserted_reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap().to_string(),
                    r["object_name"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let got = fired(&root.join(input), ours);
        // Where bats does not assert the count, the asserted reports are a lower bound.
        let agree = if test["expected_report_count"].is_null() {
            got.is_superset(&expected)
        } else {
            got == expected
        };
        tally.record(
            "kube-linter",
            input,
            peer_check,
            agree,
            format!(
                "kube-linter {input} ({peer_check} vs {ours}): peer {expected:?}, kubelint {got:?}"
            ),
        );
    }
}

fn kube_score(dir: &Path, tally: &mut Tally) {
    let root = dir.join("kube-score");
    let expectations = json(&root.join("expectations.json"));
    for exp in expectations["expectations"].as_array().unwrap() {
        let peer_check = exp["check_id"].as_str().unwrap();
        let Some(&(_, ours)) = KUBE_SCORE.iter().find(|(p, _)| *p == peer_check) else {
            continue;
        };
        let Some(grade) = exp["expected_grade"].as_str() else {
            continue;
        };
        let input = exp["inputs"][0].as_str().unwrap();
        let peer_fires = grade != "OK";
        let got = fired(&root.join(input), ours);
        tally.record(
            "kube-score",
            input,
            peer_check,
            peer_fires != got.is_empty(),
            format!("kube-score {input} ({peer_check} vs {ours}): peer {grade}, kubelint {got:?}"),
        );
    }
}

#[test]
fn cross_checks_agree_with_peers() {
    let Some(dir) = shared_dir() else { return };
    let mut tally = Tally::default();
    kube_linter(&dir, &mut tally);
    kube_score(&dir, &mut tally);
    eprintln!(
        "cross-check peer agreement: {}/{} cases agree, {} known differences",
        tally.agree,
        tally.cases,
        KNOWN_DIFFERENCES.len()
    );
    for peer in ["kube-linter", "kube-score"] {
        let (agree, cases) = tally.per_peer(peer);
        eprintln!("  {peer}: {agree}/{cases}");
    }
    for d in &tally.details {
        eprintln!("  differs: {d}");
    }
    let known: BTreeSet<(String, String, String)> = KNOWN_DIFFERENCES
        .iter()
        .map(|(p, i, c, _)| ((*p).into(), (*i).into(), (*c).into()))
        .collect();
    let unexpected: Vec<_> = tally.disagreements.difference(&known).collect();
    let resolved: Vec<_> = known.difference(&tally.disagreements).collect();
    assert!(
        unexpected.is_empty() && resolved.is_empty(),
        "unexpected disagreements: {unexpected:?}\nlisted differences that no longer occur: {resolved:?}"
    );
    assert!(tally.cases > 40, "too few peer cases ran: {}", tally.cases);
}
