//! End-to-end conformance with Pod Security Admission: every upstream fixture under
//! `shared/conformance/pod-security/<level>/v1.<N>/` linted with exactly the checks of that
//! level's profile at that Kubernetes version must agree with PSA's verdict.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubelint_core::check::rule::Literal;
use kubelint_core::check::PssLevel;
use kubelint_core::checks::builtin;
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

/// The profile of `level`: every check implementing a control of that level or below, whatever
/// its default state. Restricted runs `proc-mount` without baseline's user-namespace
/// relaxation, which is restricted's `procMount_restricted`.
fn profile(level: PssLevel, version: KubeVersion) -> RunSettings {
    let checks = builtin()
        .iter()
        .filter(|c| c.pss.as_ref().is_some_and(|p| p.level <= level));
    let mut settings = RunSettings::with_checks(checks);
    settings.kubernetes_version = version;
    if level == PssLevel::Restricted {
        for active in &mut settings.checks {
            if &*active.check.id == "proc-mount" {
                active
                    .params
                    .insert("allowUnmaskedInUserNamespace".into(), Literal::Bool(false));
            }
        }
    }
    settings
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
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    let source = Arc::new(SourceFile::new(&name, text.as_str()));
                    let found: Vec<String> = run(vec![source], &settings)
                        .findings
                        .iter()
                        .map(|f| f.check.to_string())
                        .collect();
                    let rel = format!("{level_name}/v{version}/{outcome}/{name}");
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
    println!("Pod Security conformance: {agree}/{total} fixtures agree");
    assert_eq!(total, 4537, "fixture count changed");
    assert!(
        disagreements.is_empty(),
        "{agree}/{total} agree; {} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
