//! End-to-end conformance with Pod Security Admission: every upstream fixture under
//! `shared/conformance/pod-security/<level>/v1.<N>/` linted with exactly the checks of that
//! level's profile at that Kubernetes version must agree with PSA's verdict, both as the Pod and
//! as the template of a Deployment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubelint_core::check::PssLevel;
use kubelint_core::checks::builtin;
use kubelint_core::config::{self, Profile, Selection};
use kubelint_core::engine::{run, RunSettings};
use kubelint_core::k8s::version::KubeVersion;
use kubelint_core::source::SourceFile;

fn fixtures_root() -> Option<PathBuf> {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/pod-security"
    ));
    if root.is_dir() {
        return Some(root.to_path_buf());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "Pod Security conformance fixtures missing at {} (required in CI)",
        root.display()
    );
    eprintln!(
        "skipping Pod Security conformance: fixtures not found at {}",
        root.display()
    );
    None
}

/// The run `--profile pss-baseline` or `--profile pss-restricted` makes at `version`.
fn profile(level: PssLevel, version: KubeVersion) -> RunSettings {
    let profile = match level {
        PssLevel::Baseline => Profile::PssBaseline,
        PssLevel::Restricted => Profile::PssRestricted,
    };
    let selection = Selection {
        profile: Some(profile),
        ..Selection::default()
    };
    config::settings(builtin(), &selection, version).expect("profiles name only known checks")
}

/// PSA control id (lower-cased, as in fixture names) → the kubelint checks implementing it.
fn control_checks() -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for check in builtin() {
        if let Some(pss) = &check.pss {
            map.entry(pss.control.to_lowercase())
                .or_default()
                .push(check.id.to_string());
        }
    }
    // Restricted's procMount override is `proc-mount` with the relaxation turned off.
    map.insert("procmount_restricted".into(), vec!["proc-mount".into()]);
    map
}

/// The fixture's pod as the template of a Deployment, as upstream also checks it: PSA judges a
/// workload's template like a pod, with the template's metadata as the pod's.
fn as_deployment(pod: &str) -> String {
    let mut out = String::from(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wrapped\nspec:\n  selector:\n    matchLabels: {app: wrapped}\n  template:\n",
    );
    for line in pod.lines().skip_while(|l| !l.starts_with("metadata:")) {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn kubelint_agrees_with_pod_security_admission() {
    let Some(root) = fixtures_root() else { return };
    let controls = control_checks();
    let mut total = 0usize;
    let mut agree = 0usize;
    let mut disagreements = Vec::new();
    for (level_name, level) in [
        ("baseline", PssLevel::Baseline),
        ("restricted", PssLevel::Restricted),
    ] {
        for minor in 0..=KubeVersion::NEWEST.minor() {
            let version = KubeVersion::new(1, minor);
            let dir = root.join(level_name).join(format!("v{version}"));
            assert!(dir.is_dir(), "missing {}", dir.display());
            let settings = profile(level, version);
            for (outcome, must_fail) in [("pass", false), ("fail", true)] {
                for path in yaml_files(&dir.join(outcome)) {
                    total += 1;
                    let text = std::fs::read_to_string(&path).expect("fixture readable");
                    assert!(
                        text.starts_with("apiVersion: v1\nkind: Pod\n"),
                        "{}: not a Pod",
                        path.display()
                    );
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let checks_of = |text: String| -> Vec<String> {
                        let source = Arc::new(SourceFile::new(name.as_str(), text));
                        run(vec![source], &settings)
                            .findings
                            .iter()
                            .map(|f| f.check.to_string())
                            .collect()
                    };
                    let found = checks_of(text.clone());
                    let wrapped = checks_of(as_deployment(&text));
                    let rel = format!("{level_name}/v{version}/{outcome}/{name}");
                    if wrapped != found {
                        disagreements.push(format!(
                            "{rel}: as a Pod {found:?}, as a Deployment template {wrapped:?}"
                        ));
                        continue;
                    }
                    let verdict = if must_fail {
                        let stem = name
                            .trim_end_matches(".yaml")
                            .trim_end_matches(|c: char| c.is_ascii_digit());
                        let Some(ids) = controls.get(stem) else {
                            disagreements.push(format!("{rel}: no check implements `{stem}`"));
                            continue;
                        };
                        if found.iter().any(|f| ids.contains(f)) {
                            Ok(())
                        } else {
                            Err(format!("{rel}: expected one of {ids:?}, got {found:?}"))
                        }
                    } else if found.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("{rel}: expected no finding, got {found:?}"))
                    };
                    match verdict {
                        Ok(()) => agree += 1,
                        Err(e) => disagreements.push(e),
                    }
                }
            }
        }
    }
    println!(
        "Pod Security conformance: {agree}/{total} fixtures agree (each as a Pod and as a Deployment template)"
    );
    assert_eq!(total, 4537, "fixture count changed");
    assert!(
        disagreements.is_empty(),
        "{agree}/{total} agree; {} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
