//! The configured lint end to end: `.kubelint.yaml` discovery and `--no-config`, command-line
//! precedence, config errors as exit 2, custom checks in `checks`/`explain`, suppressions in the
//! summary, baselines, and `kubelint init`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch repository (it holds `.git`, so discovery never looks above it).
fn repo(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubelint-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn kubelint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn checks_reported(o: &Output) -> Vec<(u64, String)> {
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["check"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        privileged: true
";

fn only(ids: &str) -> Vec<String> {
    vec![
        "--profile".into(),
        "all".into(),
        "--format".into(),
        "json".into(),
        "--disable".into(),
        everything_but(ids),
    ]
}

/// Every check id except `ids`, for a `--disable` that leaves only those running.
fn everything_but(ids: &str) -> String {
    let keep: Vec<&str> = ids.split(',').collect();
    kubelint_core::checks::builtin()
        .iter()
        .map(|c| c.id.to_string())
        .filter(|id| !keep.contains(&id.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

fn run_only(dir: &Path, ids: &str, extra: &[&str]) -> Output {
    let mut args: Vec<String> = only(ids);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    kubelint(dir, &args)
}

#[test]
fn a_config_mistake_is_exit_2_pointing_into_the_file() {
    let dir = repo("mistake");
    write(
        &dir.join(".kubelint.yaml"),
        "checks:\n  disable: [host-netwrok]\n",
    );
    write(&dir.join("deploy/pod.yaml"), POD);
    let out = kubelint(&dir.join("deploy"), &["pod.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown check `host-netwrok`"), "{err}");
    assert!(err.contains("../.kubelint.yaml:2:13"), "{err}");
    assert!(err.contains("did you mean `host-network`?"), "{err}");
    assert!(stdout(&out).is_empty());
    // --no-config ignores it; --config names another file.
    let out = kubelint(&dir.join("deploy"), &["--no-config", "pod.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    write(&dir.join("other.yaml"), "failOn: never\n");
    let out = kubelint(
        &dir.join("deploy"),
        &["--config", "../other.yaml", "pod.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = kubelint(&dir, &["--config", "missing.yaml", "deploy"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_command_line_wins_over_the_file() {
    let dir = repo("precedence");
    write(&dir.join("pod.yaml"), POD);
    write(
        &dir.join(".kubelint.yaml"),
        "checks:\n  disable: [privileged]\nfailOn: never\n",
    );
    let out = run_only(&dir, "privileged,host-network", &["pod.yaml"]);
    // `--disable` (everything else) plus the file's disable of privileged.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["host-network"]);
    assert_eq!(out.status.code(), Some(0), "failOn: never from the file");
    let out = run_only(
        &dir,
        "privileged,host-network",
        &["--enable", "privileged", "--fail-on", "error", "pod.yaml"],
    );
    assert_eq!(checks_reported(&out).len(), 2);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn suppressions_apply_before_rendering_and_are_counted() {
    let dir = repo("suppress");
    let text = POD.replace(
        "privileged: true\n",
        "privileged: true # kubelint: ignore[privileged] eBPF agent\n",
    );
    write(&dir.join("pod.yaml"), &text);
    write(
        &dir.join(".kubelint.yaml"),
        "ignores:\n  - check: host-network\n    name: web\n    reason: node agent\n",
    );
    let out = run_only(&dir, "privileged,host-network", &["pod.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
    assert_eq!(json["summary"]["suppressed"], 2);
    let out = run_only(
        &dir,
        "privileged,host-network",
        &["--show-suppressed", "pod.yaml"],
    );
    assert_eq!(checks_reported(&out).len(), 2);
}

#[test]
fn each_suppression_covers_only_its_scope_and_the_first_in_the_file_gives_the_reason() {
    let dir = repo("scopes");
    let pods = "\
apiVersion: v1
kind: Pod
metadata:
  name: one
  annotations:
    ignore-check.kubelint.dev/privileged: \"from the annotation\"
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        privileged: true # kubelint: ignore[privileged] from the comment
---
apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  # kubelint: ignore[host-network] not on this pod's network
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: three
spec:
  hostNetwork: true # kubelint: ignore[host-network] node agent
  containers:
    - name: app
      image: busybox:1.36 # kubelint: ignore[privileged] not here either
      securityContext:
        privileged: true
";
    // Many copies in one file: each finding still meets only its own object's directives.
    let copies = 300;
    write(&dir.join("pods.yaml"), &vec![pods; copies].join("---\n"));
    let ids = "privileged,host-network,suppression-unused";
    let out = run_only(&dir, ids, &["--show-suppressed", "pods.yaml"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seen: Vec<(u64, &str, Option<&str>)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["check"].as_str().unwrap(),
                f["suppressed"].as_str(),
            )
        })
        .collect();
    let lines = pods.lines().count() as u64 + 1;
    let expected: Vec<(u64, &str, Option<&str>)> = (0..copies as u64)
        .flat_map(|n| {
            let at = n * lines;
            [
                // Both the annotation and the comment hold it; the annotation comes first.
                (at + 12, "privileged", Some("from the annotation")),
                (at + 19, "suppression-unused", None),
                (at + 24, "privileged", None),
                (at + 31, "host-network", Some("node agent")),
                (at + 34, "suppression-unused", None),
                (at + 36, "privileged", None),
            ]
        })
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn custom_checks_are_listed_explained_and_run() {
    let dir = repo("custom");
    write(
        &dir.join(".kubelint.yaml"),
        "customChecks:\n  - id: team-label\n    severity: error\n    summary: Object has no team label\n    remediation: add a team label\n    for-each: object\n    rules:\n      - when: {field: metadata.labels.team, missing: true}\n        message: \"{kind} `{name}` has no team label\"\n    docs:\n      flags: An object without a `team` label.\n      why: Routing pages needs an owner.\n",
    );
    write(&dir.join("pod.yaml"), POD);
    let out = kubelint(&dir, &["checks"]);
    let list = stdout(&out);
    assert!(
        list.lines()
            .any(|l| l.starts_with("team-label ") && l.contains("custom")),
        "{list}"
    );
    let out = kubelint(&dir, &["explain", "team-label"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Routing pages needs an owner."));
    let out = run_only(&dir, "team-label", &["pod.yaml"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["findings"][0]["message"],
        "Pod `web` has no team label"
    );
}

#[test]
fn a_baseline_reports_only_new_findings() {
    let dir = repo("baseline");
    write(&dir.join("pod.yaml"), POD);
    let out = run_only(
        &dir,
        "privileged,host-network",
        &["--write-baseline", "baseline.json", "pod.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("recorded 2 findings in baseline.json"));
    // Lines inserted above the findings, one finding fixed, one added.
    let edited = POD
        .replace("metadata:\n", "metadata:\n  labels:\n    app: web\n")
        .replace("  hostNetwork: true\n", "  hostPID: true\n")
        .replace(
            "privileged: true",
            "privileged: true\n        allowPrivilegeEscalation: true",
        );
    write(&dir.join("pod.yaml"), &edited);
    let out = run_only(
        &dir,
        "privileged,host-network,host-pid,privilege-escalation",
        &["--baseline", "baseline.json", "pod.yaml"],
    );
    let reported: Vec<String> = checks_reported(&out)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(reported, ["host-pid", "privilege-escalation"]);
    assert!(
        stderr(&out).contains(
            "note: 1 finding matched the baseline baseline.json; 1 baseline entry no longer occurs"
        ),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["suppressed"], 1);
}

#[test]
fn init_writes_a_starter_file_and_never_overwrites() {
    let dir = repo("init");
    let out = kubelint(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.join(".kubelint.yaml")).unwrap();
    assert!(text.starts_with("# .kubelint.yaml"));
    write(&dir.join("pod.yaml"), POD);
    let out = kubelint(&dir, &["pod.yaml"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the starter file loads: {}",
        stderr(&out)
    );
    std::fs::write(dir.join(".kubelint.yaml"), "failOn: never\n").unwrap();
    let out = kubelint(&dir, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.join(".kubelint.yaml")).unwrap(),
        "failOn: never\n"
    );
}
