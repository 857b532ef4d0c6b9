//! Every real-world manifest of `../shared/corpus/` lints with every check without a crash or
//! an internal error, and the files that yield `yaml-syntax` are exactly the expected ones.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kubelint_core::checks::builtin;
use kubelint_core::config::{self, Profile, Selection};
use kubelint_core::engine;
use kubelint_core::k8s::version::KubeVersion;
use kubelint_core::load::{self, WalkOptions};

/// Files of the corpus that must be reported as `yaml-syntax`, each with why that is right.
///
/// None: every corpus file is YAML that Kubernetes reads. In particular
/// `prometheus-operator/monitoring.coreos.com_alertmanagerconfigs.full.yaml` holds plain
/// scalars `- =` that PyYAML (YAML 1.1) refuses, but go-yaml v2, which Kubernetes uses, reads
/// them as the string "="; `configmap-multi-dash` style certificates sit inside block scalars,
/// and `--- ` separators with trailing spaces are separators.
const EXPECTED_SYNTAX_ERRORS: &[(&str, &str)] = &[];

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    if dir.is_dir() {
        return Some(dir.to_path_buf());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "../shared/corpus is missing (required in CI)"
    );
    eprintln!("skipping: {} not found", dir.display());
    None
}

#[test]
fn corpus_lints_without_crash_with_every_check() {
    let Some(dir) = corpus() else { return };
    let discovery = load::discover(std::slice::from_ref(&dir), &WalkOptions::default()).unwrap();
    assert!(
        discovery.inputs.len() >= 50,
        "{} files",
        discovery.inputs.len()
    );
    let files: Vec<_> = discovery
        .inputs
        .iter()
        .map(|i| load::read(i).unwrap())
        .collect();
    let selection = Selection {
        profile: Some(Profile::All),
        ..Selection::default()
    };
    let settings = config::settings(builtin(), &selection, KubeVersion::NEWEST).unwrap();
    let outcome = engine::run(files, &settings);

    let internal: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| &*f.check == "internal-error")
        .map(|f| {
            format!(
                "{}:{}: {}",
                f.location.file.path, f.location.start.line, f.message
            )
        })
        .collect();
    assert!(
        internal.is_empty(),
        "internal errors:\n{}",
        internal.join("\n")
    );

    let syntax: BTreeSet<String> = outcome
        .findings
        .iter()
        .filter(|f| &*f.check == "yaml-syntax")
        .map(|f| {
            f.location
                .file
                .path
                .strip_prefix(&format!("{}/", dir.display()))
                .unwrap_or(&f.location.file.path)
                .to_string()
        })
        .collect();
    let expected: BTreeSet<String> = EXPECTED_SYNTAX_ERRORS
        .iter()
        .map(|(f, _)| (*f).to_string())
        .collect();
    assert_eq!(syntax, expected);

    // `kind: List`/`*List` items are objects: the ConfigMapList alone holds 33.
    let summary = outcome.summary();
    assert!(summary.objects > 725, "{} objects", summary.objects);
    eprintln!(
        "corpus: {} files, {} objects, {} findings",
        summary.files, summary.objects, summary.findings
    );
}
