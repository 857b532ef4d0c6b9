//! The CLI contract end to end: exit codes, the JSON document, locations, Helm sources, `List`
//! items, JSON manifests, a broken file among good ones, stdin, and byte-identical output at
//! any `--jobs`.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn kubelint() -> Command {
    let mut cmd = Command::new(kubelint_tests::kubelint_bin());
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

fn json_run(args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut cmd = kubelint();
    cmd.args(["--format", "json"]).args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out.status.code().unwrap(), json)
}

fn findings<'a>(json: &'a Value, check: &str) -> Vec<&'a Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .collect()
}

#[test]
fn exit_codes_follow_the_contract() {
    let clean = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";
    kubelint().arg("-").write_stdin(clean).assert().code(0);
    let privileged = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext: {privileged: true}\n";
    kubelint()
        .args(["-", "--quiet"])
        .write_stdin(privileged)
        .assert()
        .code(1);
    kubelint()
        .args(["-", "--fail-on", "never"])
        .write_stdin(privileged)
        .assert()
        .code(0);
    let warning_only = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n";
    kubelint().args(["-", "--disable", "cpu-request-missing,memory-request-missing,memory-limit-missing,readiness-probe-missing,liveness-probe-missing,capabilities-drop-all,privilege-escalation,run-as-non-root,seccomp-required,read-only-root-fs"]).write_stdin(warning_only).assert().code(0);
    kubelint()
        .args(["-", "--fail-on", "warning"])
        .write_stdin(warning_only)
        .assert()
        .code(1);
    kubelint().arg("does/not/exist.yaml").assert().code(2);
    kubelint()
        .args(["--enable", "no-such-check", "-"])
        .write_stdin(clean)
        .assert()
        .code(2);
    kubelint()
        .args(["--profile", "strict", "-"])
        .write_stdin(clean)
        .assert()
        .code(2);
    kubelint()
        .args(["--kubernetes-version", "one.two", "-"])
        .write_stdin(clean)
        .assert()
        .code(2);
    // Paths given explicitly with no object at all is a run that could not be done.
    kubelint()
        .arg("-")
        .write_stdin("# only a comment\n")
        .assert()
        .code(2);
}

#[test]
fn json_document_has_the_contract_shape() {
    let (code, json) = json_run(&["fixtures/demo/web.yaml"], None);
    assert_eq!(code, 1);
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "kubelint");
    let privileged = findings(&json, "privileged");
    assert_eq!(privileged.len(), 1);
    let f = privileged[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "fixtures/demo/web.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(33), Some(25))
    );
    assert_eq!(
        (f["endLine"].as_u64(), f["endColumn"].as_u64()),
        (Some(33), Some(28))
    );
    assert_eq!(
        f["path"],
        "spec.template.spec.containers[0].securityContext.privileged"
    );
    assert_eq!(f["container"], "web");
    assert_eq!(
        f["object"],
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"})
    );
    assert!(f.get("helmSource").is_none(), "optional keys are omitted");
    let summary = &json["summary"];
    assert_eq!(summary["files"], 1);
    assert_eq!(summary["objects"], 2);
    assert_eq!(
        summary["findings"].as_u64().unwrap(),
        json["findings"].as_array().unwrap().len() as u64
    );
}

#[test]
fn a_broken_file_is_a_finding_and_the_others_are_still_linted() {
    let (code, json) = json_run(&["fixtures/demo"], None);
    assert_eq!(code, 1);
    let syntax = findings(&json, "yaml-syntax");
    assert_eq!(syntax.len(), 1);
    assert_eq!(syntax[0]["file"], "fixtures/demo/broken.yaml");
    assert_eq!(syntax[0]["line"], 7);
    let files: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    for file in [
        "fixtures/demo/web.yaml",
        "fixtures/demo/worker.yaml",
        "fixtures/demo/rendered/cache.yaml",
    ] {
        assert!(files.contains(file), "{file} was not linted");
    }
}

#[test]
fn helm_sources_are_carried_into_findings() {
    let (_, json) = json_run(&["fixtures/demo/rendered/cache.yaml"], None);
    let all = json["findings"].as_array().unwrap();
    assert!(!all.is_empty());
    for f in all {
        let expected = if f["object"]["kind"] == "StatefulSet" {
            "cache/templates/statefulset.yaml"
        } else {
            "cache/templates/serviceaccount.yaml"
        };
        assert_eq!(f["helmSource"], expected, "{f}");
    }
}

#[test]
fn list_items_are_objects_with_their_own_locations() {
    let list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec:\n      hostPID: true\n      containers: [{name: c, image: \"nginx:1.27\"}]\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: b}\n    spec:\n      hostPID: true\n      containers: [{name: c, image: \"nginx:1.27\"}]\n";
    let (_, json) = json_run(&["-", "--enable", "host-pid"], Some(list));
    let hits = findings(&json, "host-pid");
    let got: Vec<(u64, &str, &str)> = hits
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["object"]["name"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (8, "a", "items[0].spec.hostPID"),
            (14, "b", "items[1].spec.hostPID")
        ]
    );
    assert_eq!(json["summary"]["objects"], 2);
}

#[test]
fn json_manifests_report_json_lines() {
    let manifest = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"j\"},\n  \"spec\": {\n    \"hostIPC\": true,\n    \"containers\": [{\"name\": \"c\", \"image\": \"nginx:1.27\"}]\n  }\n}\n";
    let (_, json) = json_run(&["-", "--stdin-filename", "pod.json"], Some(manifest));
    let hit = findings(&json, "host-ipc");
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0]["file"], "pod.json");
    assert_eq!(
        (hit[0]["line"].as_u64(), hit[0]["column"].as_u64()),
        (Some(6), Some(16))
    );
}

#[test]
fn non_objects_are_skipped_and_templates_noted() {
    let values = "replicaCount: 2\nimage:\n  repository: nginx\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: real}\n";
    let (code, json) = json_run(&["-"], Some(values));
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["objects"], 1);
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);

    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.extra }}\ndata: {}\n{{- end }}\n";
    let out = kubelint()
        .args(["-", "--stdin-filename", "templates/cm.yaml"])
        .write_stdin(template)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("helm template"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a template alone holds no objects"
    );

    // A ConfigMap whose string values hold template text is an object.
    let istio_like = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: injector}\ndata:\n  template: |\n    {{- if .Values.x }}\n    a: b\n    {{- end }}\n";
    let (code, json) = json_run(&["-"], Some(istio_like));
    assert_eq!((code, json["summary"]["objects"].as_u64()), (0, Some(1)));
}

#[test]
fn output_is_byte_identical_at_any_jobs() {
    // Real manifests from ../shared/corpus when it is beside the repository, else fixtures only.
    let mut paths = vec!["fixtures".to_string()];
    for dir in ["microservices-demo", "edge-cases", "ingress-nginx"] {
        let path = format!("../shared/corpus/{dir}");
        if root().join(&path).is_dir() {
            paths.push(path);
        }
    }
    let run = |jobs: &str| {
        kubelint()
            .args(["--format", "json", "--jobs", jobs])
            .args(&paths)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("7"));
}

#[test]
fn checks_and_explain() {
    let out = kubelint()
        .args(["checks", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = json["checks"].as_array().unwrap();
    let privileged = checks.iter().find(|c| c["id"] == "privileged").unwrap();
    assert_eq!(privileged["theme"], "pod-security");
    assert_eq!(privileged["severity"], "error");
    assert_eq!(privileged["enabled"], true);
    let out = kubelint().args(["explain", "privileged"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for section in [
        "What it flags",
        "Why it matters",
        "How to fix",
        "Failing example",
        "Passing example",
    ] {
        assert!(text.contains(section), "explain lacks {section}");
    }
    let out = kubelint().args(["explain", "privilegd"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `privileged`"));
}

#[test]
fn human_report_snapshot() {
    let out = kubelint()
        .args(["--color", "never", "fixtures/demo/worker.yaml"])
        .output()
        .unwrap();
    insta::assert_snapshot!("human_worker", String::from_utf8_lossy(&out.stdout));
    insta::assert_snapshot!("human_worker_summary", String::from_utf8_lossy(&out.stderr));
}
