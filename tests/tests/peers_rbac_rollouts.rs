//! Peer agreement for the secrets, rollouts, services, rbac and metadata checks: runs each on
//! kube-linter's and kube-score's own test inputs (shared/conformance) where a counterpart exists
//! and compares which objects fire with what those tools expect. Every deliberate difference is
//! spelled out below and in the check's `docs.notes`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use kubelint_core::check::Literal;
use kubelint_core::checks::builtin;
use kubelint_core::engine::{run, RunSettings};
use kubelint_core::source::SourceFile;
use serde_json::Value;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance");

/// The conformance data, or `None` (with a message) when it is not checked out; in CI its
/// absence is an error, since the comparison would silently not run.
fn shared_dir(tool: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(SHARED).join(tool);
    if dir.join("expectations.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "peer conformance data missing at {} (CI is set, so this is an error)",
        dir.display()
    );
    eprintln!(
        "SKIP: peer conformance data not found at {}; peer agreement not checked",
        dir.display()
    );
    None
}

/// An object of an input file: kind, name and 0-based document index.
type ObjKey = (String, String, usize);

/// Runs one kubelint check (with parameter overrides) on a file; returns every object of the
/// file and the objects the check fired on.
fn fire(
    path: &std::path::Path,
    check: &str,
    params: &[(&str, Literal)],
) -> (BTreeSet<ObjKey>, BTreeSet<ObjKey>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let def = builtin()
        .iter()
        .find(|c| &*c.id == check)
        .unwrap_or_else(|| panic!("no built-in check `{check}`"));
    let mut settings = RunSettings::with_checks([def]);
    for (name, value) in params {
        settings.checks[0]
            .params
            .insert((*name).to_string(), value.clone());
    }
    // kube-linter treats OpenShift DeploymentConfig as a workload; a kubelint user gets the same
    // by configuring its pod-template path, which is what this comparison does.
    settings
        .pod_template_paths
        .insert("DeploymentConfig".into(), "spec.template.spec".into());
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let outcome = run(
        vec![Arc::new(SourceFile::new(name.as_str(), text.as_str()))],
        &settings,
    );
    let input = &outcome.inputs[0];
    let objects: Vec<(ObjKey, u32, u32)> = input
        .objects
        .iter()
        .map(|o| {
            let span = o.span;
            (
                (o.id.kind.to_string(), o.id.name.clone(), o.doc),
                span.start,
                span.end,
            )
        })
        .collect();
    let all = objects.iter().map(|(k, _, _)| k.clone()).collect();
    let mut fired = BTreeSet::new();
    for f in &outcome.findings {
        assert_eq!(&*f.check, check, "{name}: unexpected finding {f:?}");
        let at = f.location.span.start;
        let owner = objects
            .iter()
            .filter(|(_, s, e)| *s <= at && at <= *e)
            .min_by_key(|(_, s, e)| e - s)
            .unwrap_or_else(|| panic!("{name}: finding outside any object: {}", f.message));
        fired.insert(owner.0.clone());
    }
    (all, fired)
}

fn key(kind: &str, name: &str, doc: usize) -> ObjKey {
    (kind.to_string(), name.to_string(), doc)
}

/// Agreement over all objects of the inputs: objects where both tools fire or both stay quiet.
#[derive(Default)]
struct Tally {
    agree: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, all: &BTreeSet<ObjKey>, ours: &BTreeSet<ObjKey>, theirs: &BTreeSet<ObjKey>) {
        for o in all {
            self.total += 1;
            if ours.contains(o) == theirs.contains(o) {
                self.agree += 1;
            }
        }
    }
}

/// A kube-linter check, its kubelint counterpart, and where kubelint deliberately differs.
struct KlCase {
    kube_linter: &'static str,
    kubelint: &'static str,
    params: Vec<(&'static str, Literal)>,
    /// Objects kube-linter reports and kubelint does not.
    not_ours: Vec<ObjKey>,
    /// Objects kubelint reports and kube-linter does not.
    only_ours: Vec<ObjKey>,
}

fn kl_cases() -> Vec<KlCase> {
    let case = |kl, ours| KlCase {
        kube_linter: kl,
        kubelint: ours,
        params: Vec::new(),
        not_ours: Vec::new(),
        only_ours: Vec::new(),
    };
    vec![
        case("wildcard-in-rules", "rbac-wildcard"),
        KlCase {
            // kube-linter reports the binding to a role that can read Secrets; kubelint reports
            // the granting rule in the Role itself (naming subjects is the cross-object pass).
            not_ours: vec![key("RoleBinding", "role-binding1", 2)],
            only_ours: vec![key("Role", "role1", 1)],
            ..case("access-to-secrets", "rbac-secrets-read")
        },
        KlCase {
            // Same design choice as access-to-secrets: the rule, not the binding, is reported.
            not_ours: vec![key("RoleBinding", "role-binding1", 2)],
            only_ours: vec![key("Role", "role1", 1)],
            ..case("access-to-create-pods", "rbac-pod-create")
        },
        case("cluster-admin-role-binding", "rbac-cluster-admin-binding"),
        case("env-var-secret", "env-secret-literal"),
        case("read-secret-from-env-var", "secret-in-env"),
        case("ssh-port", "ssh-port-exposed"),
        KlCase {
            // kube-linter flags any explicit strategy type other than RollingUpdate (here the
            // invalid `Other`, on a Deployment and a DeploymentConfig); kubelint's
            // deployment-strategy flags Recreate on Deployments, as its contract says.
            not_ours: vec![
                key("Deployment", "app1", 0),
                key("DeploymentConfig", "app2", 1),
            ],
            ..case("no-rolling-update-strategy", "deployment-strategy")
        },
        KlCase {
            params: vec![("minReplicas", Literal::Number(3.0))],
            // replicas-minimum covers Deployment and StatefulSet only, per its contract.
            not_ours: vec![key("DeploymentConfig", "app", 3)],
            ..case("minimum-three-replicas", "replicas-minimum")
        },
        KlCase {
            // kube-linter also flags a CronJob whose job template sets ttlSecondsAfterFinished;
            // kubelint treats that as a valid choice and checks standalone Jobs only.
            not_ours: vec![key("CronJob", "bad-cronjob", 2)],
            ..case("job-ttl-seconds-after-finished", "job-ttl-missing")
        },
        case("deprecated-service-account-field", "sa-deprecated-field"),
        case("default-service-account", "sa-default-used"),
        KlCase {
            params: vec![("labels", Literal::List(vec![Literal::Str("owner".into())]))],
            ..case("required-label-owner", "required-labels")
        },
    ]
}

#[test]
fn kube_linter_agreement() {
    let Some(dir) = shared_dir("kube-linter") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("expectations.json")).unwrap();
    let expectations: Value = serde_json::from_str(&text).unwrap();
    let tests = expectations["tests"].as_array().unwrap();
    let mut failures = Vec::new();
    let mut report = Vec::new();
    let mut total = Tally::default();
    for case in kl_cases() {
        let test = tests
            .iter()
            .find(|t| {
                t["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c == case.kube_linter)
            })
            .unwrap_or_else(|| panic!("no kube-linter test for `{}`", case.kube_linter));
        let input = dir.join(test["input"].as_str().unwrap());
        let reports = test["asserted_reports"].as_array().unwrap();
        // Every report must be attributable, or the comparison would be incomplete.
        assert_eq!(
            Some(reports.len() as u64),
            test["expected_report_count"].as_u64(),
            "{}: not every kube-linter report is asserted",
            case.kube_linter
        );
        let theirs: BTreeSet<ObjKey> = reports
            .iter()
            .map(|r| {
                key(
                    r["kind"].as_str().unwrap(),
                    r["object_name"].as_str().unwrap(),
                    usize::try_from(r["doc_index"].as_u64().unwrap()).unwrap(),
                )
            })
            .collect();
        let (all, ours) = fire(&input, case.kubelint, &case.params);
        let mut intended = theirs.clone();
        for o in &case.not_ours {
            assert!(
                intended.remove(o),
                "{}: documented difference {o:?} is not a kube-linter report",
                case.kube_linter
            );
        }
        for o in &case.only_ours {
            assert!(
                !theirs.contains(o) && all.contains(o),
                "{}: documented extra {o:?} is not a quiet object of the input",
                case.kube_linter
            );
            intended.insert(o.clone());
        }
        if ours != intended {
            failures.push(format!(
                "{} vs {}: kubelint fired on {ours:?}, expected {intended:?} (kube-linter: {theirs:?})",
                case.kube_linter, case.kubelint
            ));
        }
        let mut tally = Tally::default();
        tally.add(&all, &ours, &theirs);
        report.push(format!(
            "  {:<34} -> {:<28} {}/{} objects agree",
            case.kube_linter, case.kubelint, tally.agree, tally.total
        ));
        total.agree += tally.agree;
        total.total += tally.total;
    }
    eprintln!(
        "kube-linter agreement ({}/{} objects):\n{}",
        total.agree,
        total.total,
        report.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// kube-score checks with a kubelint counterpart: the kinds the graded object has, and how
/// kube-score's run config maps to kubelint parameters.
fn ks_counterpart(check_id: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match check_id {
        "deployment-has-host-podantiaffinity" => ("anti-affinity-missing", &["Deployment"]),
        "statefulset-has-host-podantiaffinity" => ("anti-affinity-missing", &["StatefulSet"]),
        "pod-topology-spread-constraints" => ("topology-spread-invalid", &[]),
        "service-type" => ("service-type-forbidden", &["Service"]),
        "deployment-strategy" => ("deployment-strategy", &["Deployment"]),
        "deployment-replicas" => ("replicas-minimum", &["Deployment"]),
        _ => return None,
    })
}

/// Inputs where kubelint deliberately reaches a different verdict than kube-score, and why.
const KS_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "statefulset-has-host-podantiaffinity",
        "testdata/statefulset-host-antiaffinity-undefined-replicas.yaml",
        // kube-score checks a StatefulSet without `replicas`; it defaults to 1, which has
        // nothing to spread, so kubelint stays quiet.
        "unset replicas",
    ),
    (
        "deployment-replicas",
        "testdata/hpa-target-deployment.yaml",
        // kube-score skips a Deployment an HPA scales; kubelint judges the object alone and
        // reports the single replica (suppress it where an HPA owns the count).
        "HPA-managed",
    ),
    (
        "deployment-replicas",
        "testdata/service-not-target-deployment.yaml",
        // kube-score skips Deployments no Service targets; kubelint does not look at Services.
        "no Service",
    ),
];

#[test]
fn kube_score_agreement() {
    let Some(dir) = shared_dir("kube-score") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("expectations.json")).unwrap();
    let expectations: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut per_check: BTreeMap<String, Tally> = BTreeMap::new();
    for e in expectations["expectations"].as_array().unwrap() {
        let check_id = e["check_id"].as_str().unwrap();
        let Some((ours, kinds)) = ks_counterpart(check_id) else {
            continue;
        };
        let input = e["inputs"][0].as_str().unwrap();
        let skipped = e["expected_skipped"].as_bool() == Some(true);
        let grade = e["expected_grade"].as_str().unwrap_or("");
        let mut params = Vec::new();
        if let Some(min) = e["run_config"]["MinReplicasDeployment"].as_f64() {
            params.push(("minReplicas", Literal::Number(min)));
        }
        let (_, fired) = fire(&dir.join(input), ours, &params);
        let fired_on_graded = fired
            .iter()
            .any(|(k, _, _)| kinds.is_empty() || kinds.contains(&k.as_str()));
        // A skipped check means kube-score judged nothing there, i.e. reported nothing.
        let theirs = !skipped && grade != "OK";
        let different = KS_DIFFERENCES
            .iter()
            .any(|(c, i, _)| *c == check_id && *i == input);
        let expected = theirs != different;
        if fired_on_graded != expected {
            failures.push(format!(
                "{check_id} on {input}: kube-score {} , kubelint `{ours}` {}",
                if skipped {
                    "skipped".to_string()
                } else {
                    grade.to_string()
                },
                if fired_on_graded {
                    "fired"
                } else {
                    "stayed quiet"
                }
            ));
        }
        let tally = per_check
            .entry(format!("{check_id} -> {ours}"))
            .or_default();
        tally.total += 1;
        if fired_on_graded == theirs {
            tally.agree += 1;
        }
    }
    let lines: Vec<String> = per_check
        .iter()
        .map(|(k, t)| format!("  {k:<62} {}/{} graded inputs agree", t.agree, t.total))
        .collect();
    eprintln!("kube-score agreement:\n{}", lines.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
