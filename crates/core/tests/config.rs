//! `.kubelint.yaml`: discovery, precedence of the command line, every kind of configuration
//! mistake as the CLI renders it, custom checks on their fixtures, and docs/configuration.md
//! kept in step with the decoder.

#[allow(dead_code)]
mod harness;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use harness::{expected_markers, lint_text, reported};
use kubelint_core::config::file::{self, CliOptions, ConfigError, FailOn};
use kubelint_core::config::Profile;
use kubelint_core::finding::Severity;
use kubelint_core::k8s::version::KubeVersion;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubelint-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn parse(text: &str) -> Result<file::ConfigFile, ConfigError> {
    file::parse(Path::new(".kubelint.yaml"), text)
}

#[test]
fn discovery_finds_the_nearest_file_upward_from_nested_folders() {
    let root = scratch("nested");
    std::fs::create_dir_all(root.join(".git")).unwrap();
    write(&root.join(".kubelint.yaml"), "failOn: warning\n");
    let deep = root.join("deploy/apps/web");
    std::fs::create_dir_all(&deep).unwrap();
    assert_eq!(file::discover(&deep), Some(root.join(".kubelint.yaml")));
    write(&root.join("deploy/.kubelint.yaml"), "failOn: info\n");
    assert_eq!(
        file::discover(&deep),
        Some(root.join("deploy/.kubelint.yaml"))
    );
    assert_eq!(file::discover(&root), Some(root.join(".kubelint.yaml")));
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let outer = scratch("boundary");
    write(&outer.join(".kubelint.yaml"), "failOn: never\n");
    let repo = outer.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("k8s")).unwrap();
    assert_eq!(file::discover(&repo.join("k8s")), None);
    assert_eq!(file::discover(&repo), None);
    // Outside any repository the search goes on upward.
    std::fs::create_dir_all(outer.join("loose/dir")).unwrap();
    assert_eq!(
        file::discover(&outer.join("loose/dir")),
        Some(outer.join(".kubelint.yaml"))
    );
}

const PRECEDENCE: &str = "\
profile: pss-baseline
kubernetesVersion: \"1.25\"
failOn: warning
include: [\"deploy/**\"]
exclude: [\"vendor/**\"]
checks:
  enable: [cpu-limit-missing, required-labels]
  disable: [host-network, liveness-probe-missing]
  severity:
    privileged: warning
  params:
    required-labels:
      labels: [team]
";

fn active_ids(resolved: &file::Resolved) -> BTreeSet<String> {
    resolved
        .settings
        .checks
        .iter()
        .map(|c| c.check.id.to_string())
        .collect()
}

#[test]
fn file_settings_apply_when_the_command_line_is_silent() {
    let config = parse(PRECEDENCE).unwrap();
    let resolved = file::resolve(Some(&config), &CliOptions::default()).unwrap();
    let ids = active_ids(&resolved);
    assert!(ids.contains("privileged") && ids.contains("cpu-limit-missing"));
    assert!(!ids.contains("host-network"));
    assert_eq!(
        resolved.settings.kubernetes_version,
        KubeVersion::new(1, 25)
    );
    assert_eq!(resolved.fail_on, FailOn::Warning);
    assert_eq!(resolved.walk.include, ["deploy/**"]);
    let privileged = resolved
        .settings
        .checks
        .iter()
        .find(|c| &*c.check.id == "privileged")
        .unwrap();
    assert_eq!(privileged.severity, Severity::Warning);
    let labels = resolved
        .settings
        .checks
        .iter()
        .find(|c| &*c.check.id == "required-labels")
        .unwrap();
    assert_eq!(labels.params["labels"].display(), "[team]");
}

#[test]
fn command_line_overrides_the_file() {
    let config = parse(PRECEDENCE).unwrap();
    let cli = CliOptions {
        profile: Some(Profile::All),
        enable: vec!["host-network".into()],
        disable: vec!["cpu-limit-missing".into()],
        kubernetes_version: Some(KubeVersion::new(1, 30)),
        fail_on: Some(FailOn::Never),
        include: vec!["k8s/**".into()],
        exclude: Vec::new(),
    };
    let resolved = file::resolve(Some(&config), &cli).unwrap();
    let ids = active_ids(&resolved);
    assert!(
        ids.contains("host-network"),
        "--enable beats the file's disable"
    );
    assert!(
        !ids.contains("cpu-limit-missing"),
        "--disable beats the file's enable"
    );
    assert!(
        !ids.contains("liveness-probe-missing"),
        "the file's other disables stay"
    );
    assert!(
        ids.contains("ephemeral-storage-missing"),
        "--profile all replaces pss-baseline"
    );
    assert_eq!(
        resolved.settings.kubernetes_version,
        KubeVersion::new(1, 30)
    );
    assert_eq!(resolved.fail_on, FailOn::Never);
    assert_eq!(resolved.walk.include, ["k8s/**"]);
    assert_eq!(
        resolved.walk.exclude,
        ["vendor/**"],
        "no --exclude keeps the file's"
    );
}

#[test]
fn every_top_level_key_is_accepted() {
    let text: String = file::TOP_LEVEL_KEYS
        .iter()
        .map(|k| format!("{k}: null\n"))
        .collect();
    parse(&text).unwrap();
    parse("").unwrap();
    parse("# only a comment\n").unwrap();
}

fn render(err: &ConfigError) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, err)
        .unwrap();
    out
}

/// One case per kind of mistake: what a user sees, exactly.
const MISTAKES: &[(&str, &str)] = &[
    ("unknown_top_level_key", "exlude: [\"vendor/**\"]\n"),
    ("unknown_key_far_from_any", "banana: 1\n"),
    ("not_a_mapping", "- include\n"),
    ("yaml_syntax", "checks:\n  enable: [privileged\n"),
    ("unknown_check_in_disable", "checks:\n  disable: [host-netwrok]\n"),
    ("unknown_check_in_severity", "checks:\n  severity:\n    privilegd: error\n"),
    ("bad_severity_value", "checks:\n  severity:\n    privileged: critical\n"),
    ("unknown_key_in_checks", "checks:\n  enabled: [privileged]\n"),
    (
        "unknown_param",
        "checks:\n  params:\n    required-labels:\n      label: [team]\n",
    ),
    ("param_on_check_without_params", "checks:\n  params:\n    privileged:\n      strict: true\n"),
    ("unknown_profile", "profile: pss-restriced\n"),
    ("bad_kubernetes_version", "kubernetesVersion: latest\n"),
    ("bad_fail_on", "failOn: warnings\n"),
    ("bad_glob", "exclude: [\"deploy/[\"]\n"),
    (
        "ignore_without_reason",
        "ignores:\n  - check: privileged\n    kind: DaemonSet\n",
    ),
    (
        "ignore_misspelt_reason",
        "ignores:\n  - check: privileged\n    reasn: agent\n",
    ),
    (
        "ignore_unknown_check",
        "ignores:\n  - check: priviledged\n    reason: agent\n",
    ),
    (
        "ignore_unknown_key",
        "ignores:\n  - check: privileged\n    namespaces: kube-system\n    reason: agent\n",
    ),
    ("locked_unknown_check", "lockedChecks: [privileged, hostpid]\n"),
    ("bare_core_kind_pod_template", "podTemplatePaths:\n  Service: spec.template.spec\n"),
    ("bad_pod_template_path", "podTemplatePaths:\n  Rollout: spec..template\n"),
    (
        "external_object_unknown_key",
        "externalObjects:\n  - name: db\n    kind: Service\n    port: [5432]\n",
    ),
    (
        "external_object_bad_port",
        "externalObjects:\n  - name: db\n    kind: Service\n    ports: [70000]\n",
    ),
    (
        "custom_check_bad_rule",
        "customChecks:\n  - id: team-label\n    severity: error\n    summary: s\n    remediation: r\n    for-each: object\n    rules:\n      - when: {field: metadata.labels.team, missing: true}\n        mesage: no team label\n",
    ),
    (
        "custom_check_duplicates_builtin",
        "customChecks:\n  - id: privileged\n    severity: error\n    summary: s\n    remediation: r\n    for-each: object\n    rules:\n      - when: {field: metadata.labels.team, missing: true}\n        message: no team label\n",
    ),
    (
        "custom_check_code_logic",
        "customChecks:\n  - id: mine\n    severity: error\n    summary: s\n    remediation: r\n    logic: code\n",
    ),
    (
        "custom_check_cross",
        "customChecks:\n  - id: mine\n    severity: error\n    summary: s\n    remediation: r\n    cross: true\n    for-each: object\n    rules:\n      - when: {field: metadata.labels.team, missing: true}\n        message: no team label\n",
    ),
    ("custom_check_missing_file", "customChecks:\n  - policies/nowhere.yaml\n"),
];

#[test]
fn every_config_mistake_points_into_the_file() {
    for (name, text) in MISTAKES {
        let err = parse(text).expect_err(name);
        assert!(
            err.location().is_some(),
            "{name}: the error has no location"
        );
        insta::assert_snapshot!(*name, format!("{text}\n{}", render(&err)));
    }
}

#[test]
fn a_mistake_in_a_custom_check_file_points_into_that_file() {
    let dir = scratch("custom-file");
    write(
        &dir.join("policies/team.yaml"),
        "- id: team-label\n  severity: eror\n  summary: s\n  remediation: r\n  for-each: object\n  rules:\n    - when: {field: metadata.labels.team, missing: true}\n      message: no team label\n",
    );
    let config_path = dir.join(".kubelint.yaml");
    write(&config_path, "customChecks: [policies/team.yaml]\n");
    let err = file::load(&config_path).unwrap_err();
    let (source, span) = err.location().unwrap();
    assert!(
        source.path.ends_with("policies/team.yaml"),
        "{}",
        source.path
    );
    assert_eq!(&source.text[span.start as usize..span.end as usize], "eror");
    // The checks named by the config may be its custom checks.
    write(
        &dir.join("policies/team.yaml"),
        "- id: team-label\n  severity: error\n  summary: s\n  remediation: r\n  for-each: object\n  rules:\n    - when: {field: metadata.labels.team, missing: true}\n      message: no team label\n",
    );
    write(
        &config_path,
        "customChecks: [policies/team.yaml]\nchecks:\n  severity:\n    team-label: warning\nlockedChecks: [team-label]\n",
    );
    let config = file::load(&config_path).unwrap();
    assert_eq!(config.custom_checks[0].theme, "custom");
    assert_eq!(config.severity["team-label"], Severity::Warning);
}

fn custom_fixture_dir() -> PathBuf {
    repo_root().join("fixtures/config/custom-checks")
}

#[test]
fn custom_checks_match_their_fixtures() {
    let config = file::load(&custom_fixture_dir().join("kubelint.yaml")).unwrap();
    let ids: Vec<&str> = config.custom_checks.iter().map(|c| &*c.id).collect();
    assert_eq!(
        ids,
        [
            "team-label-required",
            "allowed-registries",
            "no-nodeport-in-prod",
            "frontend-min-replicas"
        ]
    );
    let mut resolved = file::resolve(Some(&config), &CliOptions::default()).unwrap();
    // Only the custom checks, so the fixtures need not satisfy every built-in.
    resolved
        .settings
        .checks
        .retain(|c| c.check.theme == "custom");
    assert_eq!(resolved.settings.checks.len(), 4);
    assert!(resolved
        .catalog
        .iter()
        .any(|c| &*c.id == "team-label-required"));
    for (name, must_fire) in [("fail.yaml", true), ("pass.yaml", false)] {
        let text = std::fs::read_to_string(custom_fixture_dir().join(name)).unwrap();
        let expected = expected_markers(&text);
        assert_eq!(!expected.is_empty(), must_fire, "{name}");
        let got = reported(&lint_text(name, &text, &resolved.settings));
        assert_eq!(got, expected, "{name}");
    }
    // The configured parameter overrides the check's default (3) in messages too.
    let text = std::fs::read_to_string(custom_fixture_dir().join("fail.yaml")).unwrap();
    let outcome = lint_text("fail.yaml", &text, &resolved.settings);
    assert!(outcome
        .findings
        .iter()
        .any(|f| f.message == "frontend `cache` runs fewer than 2 replicas"));
    let team = config
        .custom_checks
        .iter()
        .find(|c| &*c.id == "team-label-required")
        .unwrap();
    let explained = kubelint_core::docs::explain(team);
    assert!(explained.contains("On-call routing"), "{explained}");
}

/// The ```yaml blocks of docs/configuration.md that start with `# .kubelint.yaml`.
fn doc_config_blocks(doc: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if line.trim() != "```yaml" {
            continue;
        }
        let mut block = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            block.push_str(l);
            block.push('\n');
        }
        if block.starts_with("# .kubelint.yaml") {
            out.push((i + 1, block));
        }
    }
    out
}

#[test]
fn configuration_docs_parse_and_cover_every_key() {
    let doc = std::fs::read_to_string(repo_root().join("docs/configuration.md")).unwrap();
    let blocks = doc_config_blocks(&doc);
    assert!(blocks.len() >= 10, "only {} config examples", blocks.len());
    // Parsed as if next to the custom-check fixtures, so `policies/team.yaml` resolves.
    let as_if = custom_fixture_dir().join(".kubelint.yaml");
    let mut used_keys = BTreeSet::new();
    for (line, block) in &blocks {
        if let Err(e) = file::parse(&as_if, block) {
            panic!("docs/configuration.md:{line}: {}", render(&e));
        }
        for l in block.lines() {
            if let Some((key, _)) = l.split_once(':') {
                if !key.starts_with([' ', '#', '-']) {
                    used_keys.insert(key.to_string());
                }
            }
        }
    }
    for key in file::TOP_LEVEL_KEYS {
        assert!(
            doc.contains(&format!("[`{key}`]")),
            "docs/configuration.md: `{key}` is missing from the reference table"
        );
        assert!(
            used_keys.contains(*key),
            "docs/configuration.md: no `# .kubelint.yaml` example uses `{key}`"
        );
    }
    // And the starter file `kubelint init` writes is a valid configuration.
    parse(file::STARTER).unwrap();
}

#[test]
fn pod_template_paths_may_be_qualified_by_api_version() {
    let config = parse(
        "podTemplatePaths:\n  serving.knative.dev/v1/Service: spec.template.spec\n  Rollout: spec.template.spec\n",
    )
    .unwrap();
    let mut resolved = file::resolve(Some(&config), &CliOptions::default()).unwrap();
    resolved
        .settings
        .checks
        .retain(|c| &*c.check.id == "privileged");
    let text = "\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    spec:
      containers:
        - image: registry.example.com/hello:1.0
          securityContext:
            privileged: true
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
          securityContext:
            privileged: true
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - securityContext:
            privileged: true
";
    let got: Vec<u32> = lint_text("knative.yaml", text, &resolved.settings)
        .findings
        .iter()
        .map(|f| f.location.start.line)
        .collect();
    // The core Service is not a pod template, whatever it holds.
    assert_eq!(got, [11, 24]);
}

#[test]
fn external_objects_reach_the_cross_object_checks() {
    let config = parse(
        "externalObjects:\n  - kind: Service\n    name: db\n    namespace: shop\n    ports:\n      - {port: 5432, name: pg}\n",
    )
    .unwrap();
    let resolved = file::resolve(Some(&config), &CliOptions::default()).unwrap();
    let ext = &resolved.settings.external_objects;
    assert_eq!(ext.len(), 1);
    assert_eq!(
        (ext[0].kind.as_str(), ext[0].name.as_str()),
        ("Service", "db")
    );
    let statefulset = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n  serviceName: db\n  template:\n    spec:\n      containers: [{name: db, image: \"postgres:16\"}]\n";
    let mut settings = resolved.settings.clone();
    settings
        .checks
        .retain(|c| &*c.check.id == "statefulset-service-missing");
    assert_eq!(settings.checks.len(), 1);
    // Declared as managed elsewhere, the Service resolves; without the declaration it does not.
    assert!(lint_text("db.yaml", statefulset, &settings)
        .findings
        .is_empty());
    settings.external_objects.clear();
    let out = lint_text("db.yaml", statefulset, &settings);
    assert_eq!(out.findings.len(), 1);
}
