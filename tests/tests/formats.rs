//! Report formats end to end: SARIF against the official schema, snapshots of every format on
//! the shop fixture, pre-commit's `--context`, `--output`, completions and the man page.

use std::path::Path;

use assert_cmd::Command;
use kubelint_tests::{kubelint_bin, sarif_schema, workspace_root};

/// The secret value in `fixtures/shop/deployment.yaml`; no format may print it.
const SHOP_SECRET: &str = "s3cr3t-shop-db-pass";

fn kubelint() -> Command {
    let mut cmd = Command::new(kubelint_bin());
    cmd.current_dir(workspace_root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn run(args: &[&str]) -> (String, String, i32) {
    let out = kubelint().args(args).output().expect("kubelint runs");
    (
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
        out.status.code().unwrap_or(-1),
    )
}

/// Replaces what differs between machines and releases: the tool version and the root URI.
fn redact(text: &str) -> String {
    let root = format!(
        "file://{}/",
        workspace_root()
            .canonicalize()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches('/')
    );
    text.replace(&root, "file:///[SRCROOT]/").replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[VERSION]\"",
    )
}

fn validate(sarif: &str, what: &str) -> serde_json::Value {
    let log: serde_json::Value =
        serde_json::from_str(sarif).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
    if let Some(schema) = sarif_schema() {
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: invalid SARIF: {errors:#?}");
    }
    log
}

#[test]
fn sarif_of_every_failing_fixture_validates_against_the_schema() {
    let fixtures = workspace_root().join("fixtures/checks");
    let mut checked = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let dir = entry.unwrap().path();
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        let fail = format!("fixtures/checks/{id}/fail.yaml");
        if !workspace_root().join(&fail).is_file() {
            continue;
        }
        // Version-dependent fixtures name the Kubernetes version they are judged at.
        let text = std::fs::read_to_string(workspace_root().join(&fail)).unwrap();
        let version = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("# kubernetesVersion:"))
            .map_or_else(|| "1.37".to_string(), |v| v.trim().to_string());
        let (out, err, code) = run(&[
            "--format",
            "sarif",
            "--no-config",
            "--kubernetes-version",
            &version,
            "--enable",
            &id,
            &fail,
        ]);
        assert!(code == 0 || code == 1, "{fail}: exit {code}: {err}");
        let log = validate(&out, &fail);
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert!(
            results.iter().any(|r| r["ruleId"] == id.as_str()),
            "{fail}: no result of {id}"
        );
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for r in results {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"], "{fail}: ruleIndex");
            let location = &r["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uri"], fail.as_str());
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(r["partialFingerprints"]["kubelint/v1"].is_string());
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures found");
}

#[test]
fn sarif_of_a_clean_run_has_empty_results_and_every_active_rule() {
    let (out, err, code) = run(&[
        "--format",
        "sarif",
        "--context",
        "fixtures/precommit",
        "fixtures/precommit/web.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    let log = validate(&out, "clean run");
    let run = &log["runs"][0];
    assert_eq!(run["results"], serde_json::json!([]));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "privileged"));
    let privileged = rules.iter().find(|r| r["id"] == "privileged").unwrap();
    assert_eq!(
        privileged["helpUri"],
        "https://kubelint.dev/checks/privileged"
    );
    assert_eq!(
        privileged["properties"]["tags"],
        serde_json::json!(["pod-security", "security"])
    );
}

#[test]
fn sarif_fingerprints_survive_unrelated_edits() {
    let dir = tempdir("fingerprints");
    let original =
        std::fs::read_to_string(workspace_root().join("fixtures/shop/rendered.yaml")).unwrap();
    let file = dir.join("rendered.yaml");
    let fingerprints = |text: &str| {
        std::fs::write(&file, text).unwrap();
        let out = kubelint()
            .args(["--format", "sarif"])
            .arg(&file)
            .output()
            .unwrap();
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["kubelint/v1"].clone(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = fingerprints(&original);
    let after = fingerprints(&format!("# a comment\n# and another\n{original}"));
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.0, a.0, "fingerprint changed");
        assert_ne!(b.1, a.1, "the edit should have moved the finding");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every format on the same fixture: a Deployment and Service, and Helm-rendered output whose
/// chart is on disk.
fn shop(format: &str) -> String {
    let (out, err, code) = run(&[
        "--format",
        format,
        "--color",
        "never",
        "--chart-dir",
        "fixtures/charts/shop",
        "fixtures/shop",
    ]);
    assert_eq!(code, 1, "{format}: {err}");
    assert!(!out.contains(SHOP_SECRET), "{format} printed the secret");
    assert!(!err.contains(SHOP_SECRET), "{format} logged the secret");
    redact(&out)
}

#[test]
fn snapshot_human() {
    insta::assert_snapshot!("shop_human", shop("human"));
}

#[test]
fn snapshot_json() {
    let out = shop("json");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let privileged = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "privileged")
        .unwrap();
    assert_eq!(privileged["helmSource"], "shop/templates/cart.yaml");
    insta::assert_snapshot!("shop_json", out);
}

#[test]
fn snapshot_sarif() {
    let out = shop("sarif");
    let log = validate(&out, "shop");
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "privileged")
        .unwrap()
        .clone();
    assert_eq!(
        result["properties"]["helmSource"],
        "shop/templates/cart.yaml"
    );
    let related = &result["relatedLocations"][0]["physicalLocation"];
    assert_eq!(
        related["artifactLocation"]["uri"],
        "fixtures/charts/shop/templates/cart.yaml"
    );
    assert_eq!(related["region"]["startLine"], 19);
    insta::assert_snapshot!("shop_sarif", stable_sarif(log));
}

/// The SARIF document with only the rules its results use, their long help text elided and
/// rule indexes masked, so that checks added to the catalog do not churn the snapshot (indexes
/// are verified against the rules in the fixture test).
fn stable_sarif(mut log: serde_json::Value) -> String {
    let run = &mut log["runs"][0];
    let used: Vec<serde_json::Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].clone())
        .collect();
    let rules = run["tool"]["driver"]["rules"].as_array_mut().unwrap();
    rules.retain(|r| used.contains(&r["id"]));
    for rule in rules {
        for part in ["text", "markdown"] {
            assert!(rule["help"][part].as_str().is_some_and(|t| t.len() > 40));
            rule["help"][part] = "[help]".into();
        }
    }
    for result in run["results"].as_array_mut().unwrap() {
        result["ruleIndex"] = "[index]".into();
    }
    serde_json::to_string_pretty(&log).unwrap() + "\n"
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!("shop_github", shop("github"));
}

#[test]
fn snapshot_junit() {
    insta::assert_snapshot!("shop_junit", shop("junit"));
}

#[test]
fn helm_source_resolves_under_the_working_folder_without_chart_dir() {
    // From the folder holding the chart, `# Source: shop/templates/cart.yaml` is a path on disk.
    let out = kubelint()
        .current_dir(workspace_root().join("fixtures/charts"))
        .args(["--format", "json", "../shop/rendered.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let privileged = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "privileged")
        .unwrap();
    assert_eq!(privileged["helmSource"], "shop/templates/cart.yaml");
    assert_eq!(
        privileged["related"],
        serde_json::json!([{
            "file": "shop/templates/cart.yaml",
            "line": 19,
            "column": 13,
            "message": "produced by this chart template line"
        }])
    );
    // Elsewhere the template is not on disk: the finding keeps its helmSource and nothing more.
    let (out, _, _) = run(&["--format", "json", "fixtures/shop/rendered.yaml"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(doc["findings"][0].get("related").is_none());
    assert_eq!(doc["findings"][0]["helmSource"], "shop/templates/cart.yaml");
}

#[test]
fn helm_template_line_is_not_guessed_when_the_key_repeats() {
    let dir = tempdir("helm-ambiguous");
    let templates = dir.join("chart/templates");
    std::fs::create_dir_all(&templates).unwrap();
    // Two `image:` lines: which one produced the `latest` tag cannot be told from the text.
    std::fs::write(
        templates.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  containers:\n    - name: a\n      image: {{ .Values.a }}\n    - name: b\n      image: {{ .Values.b }}\n",
    )
    .unwrap();
    let rendered = "---\n# Source: demo/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\nspec:\n  containers:\n    - name: a\n      image: nginx:1.27.0\n    - name: b\n      image: busybox:latest\n";
    let out = kubelint()
        .current_dir(&dir)
        .args(["--format", "json", "-", "--chart-dir", "chart"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "image-tag-mutable")
        .unwrap();
    assert_eq!(
        finding["related"],
        serde_json::json!([{
            "file": "chart/templates/pod.yaml",
            "line": 1,
            "column": 1,
            "message": "rendered from this chart template"
        }])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn precommit_context_loads_the_repository_but_reports_only_named_files() {
    // Alone, the changed StatefulSet names a Service that is nowhere to be seen.
    let (out, err, code) = run(&["--format", "json", "fixtures/precommit/web.yaml"]);
    assert_eq!(code, 0, "{err}");
    let alone: serde_json::Value = serde_json::from_str(&out).unwrap();
    let checks: Vec<&str> = alone["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, vec!["statefulset-service-missing"]);

    // As pre-commit runs it: the whole folder as context, only the changed file named. The
    // Service resolves from the context; the context's own problems (a privileged `legacy`
    // Deployment with a `latest` tag) are not reported; and the named file, inside the
    // context, is read once (else `duplicate-object` would report it against itself).
    let (out, err, code) = run(&[
        "--format",
        "json",
        "--enable",
        "duplicate-object",
        "--context",
        "fixtures/precommit",
        "fixtures/precommit/web.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["findings"], serde_json::json!([]));
}

#[test]
fn output_writes_the_file_and_nothing_to_stdout() {
    let dir = tempdir("output");
    let report = dir.join("report.sarif");
    let out = kubelint()
        .args(["--format", "sarif", "--output"])
        .arg(&report)
        .arg("fixtures/shop")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&report).unwrap();
    validate(&text, "--output");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_are_generated_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (out, err, code) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains("kubelint"), "{shell}: {out}");
        assert!(out.contains("--chart-dir"), "{shell} misses options");
    }
}

/// `docs/kubelint.1` is generated from the argument definitions; regenerate it with
/// `UPDATE_DOCS=1 cargo test -p kubelint-tests man_page`.
#[test]
fn man_page_is_current() {
    let (page, err, code) = run(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        page.starts_with(".ie") || page.contains(".TH kubelint"),
        "{page}"
    );
    assert!(page.contains("chart\\-dir"));
    let path = workspace_root().join("docs/kubelint.1");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &page).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == page,
        "docs/kubelint.1 is stale; run UPDATE_DOCS=1 cargo test -p kubelint-tests man_page"
    );
}

#[test]
fn pre_commit_hook_definition_runs_with_context() {
    let text = std::fs::read_to_string(workspace_root().join(".pre-commit-hooks.yaml")).unwrap();
    for needle in [
        "- id: kubelint",
        "language: rust",
        "entry: kubelint --context .",
        "types_or: [yaml, json]",
        "require_serial: true",
    ] {
        assert!(text.contains(needle), "missing `{needle}`");
    }
}

#[test]
fn colour_follows_the_option() {
    let (plain, _, _) = run(&["--color", "never", "fixtures/shop"]);
    assert!(!plain.contains('\u{1b}'));
    let (coloured, _, _) = run(&["--color", "always", "fixtures/shop"]);
    assert!(coloured.contains('\u{1b}'));
    // Piped, `auto` means no colour, whatever NO_COLOR says.
    let out = kubelint()
        .env("NO_COLOR", "1")
        .arg("fixtures/shop")
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b));
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = tempdir("progress");
    for i in 0..60 {
        std::fs::write(
            dir.join(format!("cm-{i:02}.yaml")),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n"),
        )
        .unwrap();
    }
    let out = kubelint().arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "0 findings (0 error, 0 warning, 0 info) in 60 files, 60 objects\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubelint-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(Path::new(&dir).is_dir());
    dir
}
