//! Checks of the rollouts, services and metadata themes under non-default parameters (the
//! fixture harness runs every check with its defaults only).

use std::sync::Arc;

use kubelint_core::check::Literal;
use kubelint_core::checks::builtin;
use kubelint_core::engine::{run, RunSettings};
use kubelint_core::source::SourceFile;

/// Lines and messages of `id`'s findings on `text` with `params` overriding the defaults.
fn lint(id: &str, params: Vec<(&str, Literal)>, text: &str) -> Vec<(u32, String)> {
    let check = builtin().iter().find(|c| &*c.id == id).unwrap();
    let mut settings = RunSettings::with_checks([check]);
    for (k, v) in params {
        settings.checks[0].params.insert(k.to_string(), v);
    }
    run(vec![Arc::new(SourceFile::new("t.yaml", text))], &settings)
        .findings
        .iter()
        .map(|f| (f.location.start.line, f.message.clone()))
        .collect()
}

fn s(v: &str) -> Literal {
    Literal::Str(v.to_string())
}

const ROLLING: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  strategy:
    rollingUpdate:
      maxUnavailable: 50%
      maxSurge: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: \"nginx:1.27\"}]
";

#[test]
fn deployment_strategy_bounds_rolling_parameters() {
    assert!(lint("deployment-strategy", vec![], ROLLING).is_empty());
    let got = lint(
        "deployment-strategy",
        vec![
            ("maxUnavailable", s("25%")),
            ("maxSurge", Literal::Number(1.0)),
        ],
        ROLLING,
    );
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 9);
    assert!(got[0].1.contains("maxUnavailable: 50%"), "{}", got[0].1);
    // 1 of 4 pods is 25%, within a 25% bound; a bound of 1 pod against 50% of 4 is exceeded.
    assert!(lint("deployment-strategy", vec![("maxSurge", s("25%"))], ROLLING).is_empty());
    assert_eq!(
        lint(
            "deployment-strategy",
            vec![("maxUnavailable", Literal::Number(1.0))],
            ROLLING
        )
        .len(),
        1
    );
}

#[test]
fn replicas_minimum_reads_its_parameter() {
    assert!(lint("replicas-minimum", vec![], ROLLING).is_empty());
    let got = lint(
        "replicas-minimum",
        vec![("minReplicas", Literal::Number(5.0))],
        ROLLING,
    );
    assert_eq!(
        got,
        vec![(6, "Deployment `web` runs fewer than 5 replicas".into())]
    );
}

#[test]
fn service_type_forbidden_reads_deny_types() {
    let text = "apiVersion: v1
kind: Service
metadata:
  name: lb
spec:
  type: LoadBalancer
  ports: [{port: 80}]
";
    assert!(lint("service-type-forbidden", vec![], text).is_empty());
    let deny = Literal::List(vec![s("NodePort"), s("LoadBalancer")]);
    let got = lint("service-type-forbidden", vec![("denyTypes", deny)], text);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, 6);
}

#[test]
fn required_labels_check_value_patterns_and_kinds() {
    let text = "apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels:
    owner: Team-A
    tier: web
---
apiVersion: v1
kind: Secret
metadata:
  name: s
";
    let mut entry = std::collections::BTreeMap::new();
    entry.insert("key".to_string(), s("owner"));
    entry.insert("value".to_string(), s("^team-[a-z]+$"));
    let labels = Literal::List(vec![Literal::Map(entry), s("tier")]);
    let got = lint("required-labels", vec![("labels", labels.clone())], text);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, 6);
    assert!(
        got[0].1.contains("does not match `^team-[a-z]+$`"),
        "{}",
        got[0].1
    );
    assert_eq!(
        got[1],
        (
            11,
            "Secret `s` lacks the required labels `owner`, `tier`".into()
        )
    );
    let only_secret = lint(
        "required-labels",
        vec![
            ("labels", labels),
            ("kinds", Literal::List(vec![s("Secret")])),
        ],
        text,
    );
    assert_eq!(only_secret.len(), 1, "{only_secret:?}");
    assert_eq!(only_secret[0].0, 11);
}
