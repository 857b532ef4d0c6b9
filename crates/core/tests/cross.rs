//! Cross-object checks over several files at once: references resolved across files, related
//! locations into other files, namespaces, and objects declared as external.

use std::sync::Arc;

use kubelint_core::checks::builtin;
use kubelint_core::engine::{run, Outcome, RunSettings};
use kubelint_core::finding::Finding;
use kubelint_core::object::inventory::{ExternalObject, Port};
use kubelint_core::object::selector::Labels;
use kubelint_core::source::SourceFile;

fn settings(ids: &[&str]) -> RunSettings {
    let checks: Vec<_> = builtin().iter().filter(|c| ids.contains(&&*c.id)).collect();
    assert_eq!(checks.len(), ids.len(), "unknown check id in {ids:?}");
    RunSettings::with_checks(checks)
}

fn lint(files: &[(&str, &str)], settings: &RunSettings) -> Outcome {
    run(
        files
            .iter()
            .map(|(name, text)| Arc::new(SourceFile::new(*name, *text)))
            .collect(),
        settings,
    )
}

/// `(file, line, check)` of every finding.
fn fired(outcome: &Outcome) -> Vec<(String, u32, String)> {
    outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.location.file.path.clone(),
                f.location.start.line,
                f.check.to_string(),
            )
        })
        .collect()
}

fn related_files(f: &Finding) -> Vec<(String, u32)> {
    f.related
        .iter()
        .map(|r| (r.location.file.path.clone(), r.location.start.line))
        .collect()
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - {name: http, containerPort: 8080}
";

const HPA: &str = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: shop
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 6
";

#[test]
fn hpa_in_another_file_relates_back() {
    let out = lint(
        &[("deploy.yaml", DEPLOYMENT), ("hpa.yaml", HPA)],
        &settings(&["replicas-with-hpa", "hpa-target-unresolved"]),
    );
    assert_eq!(
        fired(&out),
        vec![("deploy.yaml".into(), 7, "replicas-with-hpa".into())]
    );
    assert_eq!(
        related_files(&out.findings[0]),
        vec![("hpa.yaml".into(), 2)]
    );
}

#[test]
fn service_and_pods_split_across_files_resolve() {
    let service = "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: http}
---
apiVersion: v1
kind: Service
metadata: {name: web-typo, namespace: shop}
spec:
  selector: {app: web, tier: back}
  ports:
  - {port: 80}
";
    let out = lint(
        &[("svc.yaml", service), ("deploy.yaml", DEPLOYMENT)],
        &settings(&["service-selects-nothing", "service-targetport-unresolved"]),
    );
    assert_eq!(
        fired(&out),
        vec![("svc.yaml".into(), 13, "service-selects-nothing".into())]
    );
    // The nearest pod labels are those of the Deployment's template, in the other file.
    assert_eq!(
        related_files(&out.findings[0]),
        vec![("deploy.yaml".into(), 12)]
    );
}

#[test]
fn same_names_in_several_namespaces_stay_apart() {
    let other = DEPLOYMENT.replace("namespace: shop", "namespace: billing");
    let hpa_billing = HPA
        .replace("namespace: shop", "namespace: billing")
        .replace("name: web}", "name: api}");
    let out = lint(
        &[
            ("a.yaml", DEPLOYMENT),
            ("b.yaml", &other),
            ("hpa.yaml", HPA),
            ("hpa2.yaml", &hpa_billing),
        ],
        &settings(&["replicas-with-hpa", "hpa-target-unresolved"]),
    );
    assert_eq!(
        fired(&out),
        vec![
            ("a.yaml".into(), 7, "replicas-with-hpa".into()),
            ("hpa2.yaml".into(), 7, "hpa-target-unresolved".into()),
        ]
    );
}

#[test]
fn default_namespace_is_a_setting() {
    let sts = "\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
";
    let svc = "\
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec: {clusterIP: None, selector: {app: db}}
";
    let mut s = settings(&["statefulset-service-missing"]);
    let files = [("sts.yaml", sts), ("svc.yaml", svc)];
    assert_eq!(fired(&lint(&files, &s)).len(), 1);
    s.default_namespace = "data".into();
    assert!(fired(&lint(&files, &s)).is_empty());
}

#[test]
fn external_objects_resolve_references() {
    let input = "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: http}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend:
    service: {name: auth, port: {name: grpc}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 6
---
apiVersion: v1
kind: Pod
metadata: {name: job, namespace: shop}
spec:
  serviceAccountName: runner
  containers: [{name: job, image: busybox:1.36}]
";
    let ids = [
        "service-selects-nothing",
        "service-targetport-unresolved",
        "ingress-backend-unresolved",
        "hpa-target-unresolved",
        "sa-unresolved",
    ];
    let mut s = settings(&ids);
    let files = [("in.yaml", input)];
    let before: Vec<String> = fired(&lint(&files, &s)).into_iter().map(|f| f.2).collect();
    assert_eq!(
        before,
        vec![
            "service-selects-nothing",
            "ingress-backend-unresolved",
            "hpa-target-unresolved",
            "sa-unresolved"
        ]
    );
    s.external_objects = vec![
        ExternalObject {
            kind: "Deployment".into(),
            name: "web".into(),
            namespace: Some("shop".into()),
            labels: [("app".into(), "web".into())].into_iter().collect(),
            ports: vec![Port {
                name: Some("http".into()),
                number: Some(8080),
                protocol: "TCP".into(),
            }],
        },
        ExternalObject {
            kind: "Service".into(),
            name: "auth".into(),
            namespace: Some("shop".into()),
            labels: Labels::new(),
            ports: vec![Port {
                name: Some("grpc".into()),
                number: Some(9000),
                protocol: "TCP".into(),
            }],
        },
        ExternalObject {
            kind: "ServiceAccount".into(),
            name: "runner".into(),
            namespace: Some("shop".into()),
            ..ExternalObject::default()
        },
    ];
    assert!(fired(&lint(&files, &s)).is_empty());
    // An external Service without the named port still leaves the backend unresolved.
    s.external_objects[1].ports[0].name = Some("http".into());
    assert_eq!(fired(&lint(&files, &s)).len(), 1);
    // External objects in another namespace resolve nothing here.
    for ext in &mut s.external_objects {
        ext.namespace = None;
    }
    assert_eq!(fired(&lint(&files, &s)).len(), 4);
}

#[test]
fn external_network_policy_counts_as_isolation() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: nginx:1.27}]}
";
    let mut s = settings(&["pod-not-isolated"]);
    assert!(fired(&lint(&[("p.yaml", pod)], &s)).is_empty());
    s.checks[0].params.insert(
        "requirePolicies".into(),
        kubelint_core::check::Literal::Bool(true),
    );
    assert_eq!(fired(&lint(&[("p.yaml", pod)], &s)).len(), 1);
    s.external_objects.push(ExternalObject {
        kind: "NetworkPolicy".into(),
        name: "default-deny".into(),
        namespace: Some("shop".into()),
        ..ExternalObject::default()
    });
    assert!(fired(&lint(&[("p.yaml", pod)], &s)).is_empty());
}

#[test]
fn duplicate_across_files_points_at_the_first() {
    let out = lint(
        &[("a.yaml", DEPLOYMENT), ("b.yaml", DEPLOYMENT)],
        &settings(&["duplicate-object"]),
    );
    assert_eq!(
        fired(&out),
        vec![("b.yaml".into(), 2, "duplicate-object".into())]
    );
    assert_eq!(related_files(&out.findings[0]), vec![("a.yaml".into(), 2)]);
}

#[test]
fn duplicates_are_judged_per_folder_with_the_default_namespace() {
    let s = settings(&["duplicate-object"]);
    // Overlays and alternative installs in other folders are not clashes.
    let apart = lint(
        &[("dev/web.yaml", DEPLOYMENT), ("prod/web.yaml", DEPLOYMENT)],
        &s,
    );
    assert!(fired(&apart).is_empty());
    // No namespace means the default one, so these two are the same object.
    let implicit = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n";
    let explicit =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: default\n";
    let same = lint(&[("app/a.yaml", implicit), ("app/b.yaml", explicit)], &s);
    assert_eq!(
        fired(&same),
        vec![("app/b.yaml".into(), 2, "duplicate-object".into())]
    );
    // Cluster-scoped kinds have no namespace to tell them apart.
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  namespace: ignored\n";
    let ns2 = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
    assert_eq!(
        fired(&lint(&[("c/a.yaml", ns), ("c/b.yaml", ns2)], &s)).len(),
        1
    );
}
