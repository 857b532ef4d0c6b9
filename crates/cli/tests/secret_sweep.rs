//! No output format ever prints a secret value: every format on this branch, with and without
//! `--show-suppressed`, over manifests full of secrets (Secret `data`/`stringData`, literal env
//! values, credential-like ConfigMap values, PEM keys, tokens), including findings that point
//! straight at a secret value and documents that do not parse.

use std::process::Command;

/// Every secret value in the fixtures below, plus decoded forms; none may appear in any output.
const SECRETS: &[&str] = &[
    "c3VwZXJzZWNyZXQtZGF0YQ==",
    "supersecret-data",
    "stringdata-secret-2",
    "MIIEpAIBAAKCAQEAsecretpembody",
    "env-literal-secret-3",
    "cm-secret-value-4",
    "AKIAIOSFODNN7SECRETX",
    "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
    "flow-secret-5",
    "not-base64-secret-6",
    "duplicated-secret-7",
    "duplicated-secret-8",
    "suppressed-secret-9",
    "broken-secret-10",
    "numeric-secret",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ",
];

const FIXTURES: &[(&str, &str)] = &[
    (
        "secret.yaml",
        r#"apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
data:
  password: c3VwZXJzZWNyZXQtZGF0YQ==
  bad: "not-base64-secret-6!!"
  password: duplicated-secret-7
stringData:
  api-token: stringdata-secret-2
  tls.key: |
    -----BEGIN RSA PRIVATE KEY-----
    MIIEpAIBAAKCAQEAsecretpembody
    -----END RSA PRIVATE KEY-----
  number: 12345
  flag: yes
---
apiVersion: v1
kind: Secret
metadata: {name: flow}
stringData: {token: flow-secret-5, token: duplicated-secret-8, pin: numeric-secret}
"#,
    ),
    (
        "deploy.yaml",
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example/api:1.0
          env:
            - name: DB_PASSWORD
              value: env-literal-secret-3
            - name: AWS_KEY_ID
              value: AKIAIOSFODNN7SECRETX
            - name: HARMLESS
              value: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAsecretpembody\n-----END RSA PRIVATE KEY-----"
            - name: SESSION
              value: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.sig
---
apiVersion: v1
kind: Pod
metadata:
  name: quiet
  annotations:
    ignore-check.kubelint.dev/env-secret-literal: "test fixture"
spec:
  containers:
    - name: quiet
      image: example/quiet:1.0
      env:
        - name: API_TOKEN
          value: suppressed-secret-9 # kubelint: ignore[env-secret-literal] fixture
"#,
    ),
    (
        "configmap.yaml",
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  aws_secret_access_key: cm-secret-value-4
  github: ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
  client_secret: 42
"#,
    ),
    (
        "broken.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: broken\nstringData:\n  password: broken-secret-10\n   oops: [\n",
    ),
];

#[test]
fn no_format_prints_a_secret_value() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in FIXTURES {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut runs = 0;
    for format in ["human", "json", "sarif", "github", "junit"] {
        for extra in [
            &[][..],
            &["--show-suppressed"][..],
            &["--profile", "all"][..],
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_kubelint"))
                .current_dir(dir.path())
                .args(["--format", format, "--color", "never", "."])
                .args(extra)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{format} {extra:?}: {stderr}");
            // The sweep only means something if the secret checks fired.
            for check in [
                "env-secret-literal",
                "configmap-sensitive",
                "duplicate-key",
                "yaml-syntax",
            ] {
                assert!(
                    stdout.contains(check),
                    "{format} {extra:?}: no {check}\n{stdout}"
                );
            }
            for secret in SECRETS {
                assert!(
                    !stdout.contains(secret) && !stderr.contains(secret),
                    "{format} {extra:?} printed `{secret}`:\n{stdout}\n{stderr}"
                );
            }
            runs += 1;
        }
    }
    assert_eq!(runs, 15);
}

/// A custom workload kind's env values are masked like a Deployment's, even where no check
/// flags them (`env-secret-literal` off): a neighbouring finding's snippet shows the line.
#[test]
fn custom_pod_kinds_are_masked_without_any_secret_check() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".kubelint.yaml"),
        "podTemplatePaths:\n  Rollout: spec.template.spec\nchecks:\n  disable: [env-secret-literal]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rollout.yaml"),
        r"apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: canary
spec:
  selector:
    matchLabels: {app: canary}
  template:
    metadata:
      labels: {app: canary}
    spec:
      containers:
        - name: canary
          image: example/canary:1.0
          env:
            - name: PLAIN
              value: a
            - name: SIGNING_SECRET
              value: rollout-secret-11
            - name: PLAIN
              value: b
",
    )
    .unwrap();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kubelint"))
            .current_dir(dir.path())
            .args(["--format", format, "--color", "never", "."])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("env-duplicate"), "{format}: {stdout}");
        assert!(!stdout.contains("rollout-secret-11"), "{format}:\n{stdout}");
    }
}
