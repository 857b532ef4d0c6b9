//! What the cross-object checks know of an object: read from its tree while its file is linted,
//! so that no tree outlives its file. Each field is what one cross check reads, already
//! interpreted (YAML 1.1 scalars, the kind's selector rules) and with the span it reports at.

use crate::engine::object_anchor;
use crate::object::collect_small;
use crate::object::inventory::{label_map, Port};
use crate::object::pod::{Container, ContainerField, ContainerKind, PodSpec};
use crate::object::selector::{
    network_policy_selector, network_policy_types, pdb_selection, service_selector, Labels,
    Selection, Selector,
};
use crate::source::Span;
use crate::yaml::NodeRef;

/// The cross-check view of one object.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The `replicas:` key of `spec`, whatever the kind (an HPA may scale any kind).
    pub replicas_key: Option<Span>,
    pub detail: Detail,
}

/// What is known of an object beyond its identity, by kind.
#[derive(Clone, Debug, Default)]
pub enum Detail {
    #[default]
    Identity,
    Workload(Box<Workload>),
    Service(Box<Service>),
    Ingress(Box<[Backend]>),
    Hpa(Box<Hpa>),
    Pdb(Box<Pdb>),
    NetworkPolicy(Box<NetworkPolicy>),
    /// A RoleBinding or ClusterRoleBinding with a `roleRef.name` string.
    Binding(Box<RoleRef>),
    ServiceAccount {
        /// `automountServiceAccountToken` when it is a boolean.
        automount: Option<bool>,
    },
}

/// A kind with a pod template (or a Pod).
#[derive(Clone, Debug, Default)]
pub struct Workload {
    /// The pod count the spec fixes: `None` for kinds whose count the input does not say
    /// (DaemonSets, Jobs, custom kinds) and for a `replicas` that is not an integer.
    pub replicas: Option<i64>,
    /// `None` for a template with neither a spec nor metadata.
    pub pod: Option<Pod>,
    /// A StatefulSet's `spec.serviceName`: the name when it is a non-empty string, and where.
    pub service_name: Option<(Option<String>, Span)>,
}

/// A pod template as selectors and Services see it.
#[derive(Clone, Debug, Default)]
pub struct Pod {
    pub labels: Labels,
    /// The `labels:` key of the template metadata, for related locations.
    pub labels_key: Option<Span>,
    pub ports: Vec<Port>,
    /// `None` for a template without a spec.
    pub spec: Option<PodSpecFacts>,
}

/// What the ServiceAccount checks read of a pod spec.
#[derive(Clone, Debug)]
pub struct PodSpecFacts {
    /// The key of the pod spec (`spec:` of the template).
    pub key: Span,
    /// `automountServiceAccountToken` when it is a boolean, and where.
    pub automount: Option<(bool, Span)>,
    /// `serviceAccountName` (else the legacy `serviceAccount`) when a non-empty string.
    pub service_account: Option<(String, Span)>,
}

/// What the Service checks read of a Service.
#[derive(Clone, Debug, Default)]
pub struct Service {
    /// The pods it sends traffic to, and its `selector:` key (see [`service_selector`]).
    pub selector: Option<(Selector, Span)>,
    pub ports: Vec<ServicePort>,
    pub cluster_ip: Option<String>,
}

/// One entry of a Service's `spec.ports`.
#[derive(Clone, Debug)]
pub struct ServicePort {
    pub name: Option<String>,
    pub number: Option<i64>,
    pub protocol: Protocol,
    /// Where traffic goes: `targetPort`, else `port`; `None` when neither says.
    pub target: Option<PortTarget>,
}

/// A Service port's target as written.
#[derive(Clone, Debug)]
pub struct PortTarget {
    /// `targetPort` or `port`.
    pub field: &'static str,
    pub value: PortValue,
    pub span: Span,
}

/// A port given by number or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortValue {
    Number(i64),
    Name(String),
}

/// A backend of an Ingress.
#[derive(Clone, Debug)]
pub enum Backend {
    Service {
        /// Field path of the name (`spec.rules[0].http.paths[0].backend.service.name`).
        path: String,
        /// The Service name when it is a string.
        name: Option<String>,
        name_span: Span,
        port: Option<BackendPort>,
    },
    /// A `networking.k8s.io/v1` backend spelled the pre-v1 way (`serviceName`), which v1 drops.
    OldSpelling { path: String, key: Span },
}

/// The port a backend names.
#[derive(Clone, Debug)]
pub struct BackendPort {
    /// `None` when the port is neither an integer nor a string.
    pub value: Option<PortValue>,
    /// As messages show it.
    pub shown: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Hpa {
    /// `spec.scaleTargetRef` kind and name (strings), and the name's place.
    pub target: Option<(String, String, Span)>,
    /// Where a finding about an incomplete target points.
    pub incomplete_at: Span,
}

#[derive(Clone, Debug)]
pub struct Pdb {
    /// `Err` for a selector the API rejects.
    pub selection: Result<Selection, ()>,
    /// Where findings about the selector point.
    pub selector_at: Span,
    /// `spec.selector` is a mapping (an empty selector, when it selects nothing).
    pub selector_is_map: bool,
    pub has_spec: bool,
    /// `spec.maxUnavailable`: whether it is zero, and where.
    pub max_unavailable: Option<(bool, Span)>,
    pub min_available: Option<MinAvailable>,
}

#[derive(Clone, Debug)]
pub struct MinAvailable {
    /// Written as `100%`.
    pub all: bool,
    pub count: Option<i64>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct NetworkPolicy {
    /// `Err` for a selector the API rejects.
    pub selector: Result<Selector, ()>,
    /// Whether it restricts ingress.
    pub ingress: bool,
    /// Where findings about `podSelector` point.
    pub selector_at: Span,
}

#[derive(Clone, Debug)]
pub struct RoleRef {
    pub kind: String,
    pub name: String,
    pub name_span: Span,
}

/// Key of `field` in `node`, or the node itself: where a finding about that field points.
pub(crate) fn key_span(node: NodeRef<'_>, field: &str) -> Span {
    node.get_entry(field).map_or(node.span(), |(k, _)| k.span())
}

impl Facts {
    /// Reads the facts of the `kind` object at `root`, whose pod spec (if any) is at
    /// `pod_spec_path`.
    #[must_use]
    pub fn read(root: NodeRef<'_>, kind: &str, pod_spec_path: Option<&str>) -> Self {
        let pod_spec = pod_spec_path.and_then(|path| PodSpec::find(root, path));
        let containers: Vec<Container<'_>> =
            pod_spec.iter().flat_map(PodSpec::containers).collect();
        Self::read_found(root, kind, pod_spec_path, pod_spec.as_ref(), &containers)
    }

    /// [`Facts::read`] with the pod spec already found at `pod_spec_path` (`None` when it is
    /// not there), and its containers: the engine finds them once for the checks and the facts.
    #[must_use]
    pub fn read_found<'d>(
        root: NodeRef<'d>,
        kind: &str,
        pod_spec_path: Option<&str>,
        pod_spec: Option<&PodSpec<'d>>,
        containers: &[Container<'d>],
    ) -> Self {
        let spec = root.get("spec");
        let detail = match (kind, pod_spec_path) {
            (_, Some(path)) => {
                Detail::Workload(Box::new(workload(root, kind, path, pod_spec, containers)))
            }
            ("Service", None) => Detail::Service(Box::new(service(root))),
            ("Ingress", None) => Detail::Ingress(ingress_backends(root).into()),
            ("HorizontalPodAutoscaler", None) => Detail::Hpa(Box::new(hpa(root))),
            ("PodDisruptionBudget", None) => Detail::Pdb(Box::new(pdb(root))),
            ("NetworkPolicy", None) => Detail::NetworkPolicy(Box::new(NetworkPolicy {
                selector: network_policy_selector(root).map_err(drop),
                ingress: network_policy_types(root).0,
                selector_at: spec.map_or(object_anchor(root), |s| key_span(s, "podSelector")),
            })),
            ("RoleBinding" | "ClusterRoleBinding", None) => role_ref(root)
                .map(|r| Detail::Binding(Box::new(r)))
                .unwrap_or_default(),
            ("ServiceAccount", None) => Detail::ServiceAccount {
                automount: root
                    .get("automountServiceAccountToken")
                    .and_then(NodeRef::as_bool),
            },
            _ => Detail::Identity,
        };
        Self {
            replicas_key: spec
                .and_then(|s| s.get_entry("replicas"))
                .map(|(k, _)| k.span()),
            detail,
        }
    }

    /// The pod template, for kinds that have one.
    #[must_use]
    pub fn pod(&self) -> Option<&Pod> {
        match &self.detail {
            Detail::Workload(w) => w.pod.as_ref(),
            _ => None,
        }
    }

    /// A Service's facts, when the object is one.
    #[must_use]
    pub fn service(&self) -> Option<&Service> {
        match &self.detail {
            Detail::Service(svc) => Some(svc),
            _ => None,
        }
    }

    /// An HPA's facts, when the object is one.
    #[must_use]
    pub fn hpa(&self) -> Option<&Hpa> {
        match &self.detail {
            Detail::Hpa(hpa) => Some(hpa),
            _ => None,
        }
    }

    /// A PodDisruptionBudget's facts, when the object is one.
    #[must_use]
    pub fn pdb(&self) -> Option<&Pdb> {
        match &self.detail {
            Detail::Pdb(pdb) => Some(pdb),
            _ => None,
        }
    }

    /// A NetworkPolicy's facts, when the object is one.
    #[must_use]
    pub fn network_policy(&self) -> Option<&NetworkPolicy> {
        match &self.detail {
            Detail::NetworkPolicy(np) => Some(np),
            _ => None,
        }
    }

    /// The selector through which the object picks pods of its namespace: a Service's
    /// `selector`, a NetworkPolicy's `podSelector`, a PodDisruptionBudget's `selector`. `None`
    /// for other kinds, and where the API selects nothing or rejects the selector.
    #[must_use]
    pub fn pod_selector(&self) -> Option<&Selector> {
        match &self.detail {
            Detail::Service(svc) => svc.selector.as_ref().map(|(sel, _)| sel),
            Detail::NetworkPolicy(np) => np.selector.as_ref().ok(),
            Detail::Pdb(pdb) => match &pdb.selection {
                Ok(Selection::Pods(sel)) => Some(sel),
                _ => None,
            },
            _ => None,
        }
    }

    /// The pod count the spec fixes (see [`Workload::replicas`]).
    #[must_use]
    pub fn replicas(&self) -> Option<i64> {
        match &self.detail {
            Detail::Workload(w) => w.replicas,
            _ => None,
        }
    }
}

fn workload<'d>(
    root: NodeRef<'d>,
    kind: &str,
    path: &str,
    pod_spec: Option<&PodSpec<'d>>,
    containers: &[Container<'d>],
) -> Workload {
    let spec = root.get("spec");
    let replicas = match kind {
        "Pod" => Some(1),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => spec
            .and_then(|s| s.get("replicas"))
            .map_or(Some(1), NodeRef::as_i64),
        _ => None,
    };
    let service_name = if kind == "StatefulSet" {
        spec.and_then(|s| s.get("serviceName")).map(|node| {
            let name = node.as_str().filter(|s| !s.is_empty()).map(str::to_string);
            (name, node.span())
        })
    } else {
        None
    };
    Workload {
        replicas,
        pod: pod(root, path, pod_spec, containers),
        service_name,
    }
}

fn pod<'d>(
    root: NodeRef<'d>,
    path: &str,
    spec: Option<&PodSpec<'d>>,
    containers: &[Container<'d>],
) -> Option<Pod> {
    // A template without a spec still stamps out pods with its labels.
    let metadata = spec.map_or_else(|| template_metadata(root, path), |s| s.metadata);
    if spec.is_none() && metadata.is_none() {
        return None;
    }
    let labels_entry = metadata.and_then(|m| m.get_entry("labels"));
    Some(Pod {
        labels: labels_entry.map_or_else(Labels::new, |(_, v)| label_map(v)),
        labels_key: labels_entry.map(|(k, _)| k.span()),
        ports: container_ports(containers),
        spec: spec.map(|s| PodSpecFacts {
            key: s.key.span(),
            automount: s
                .spec
                .get("automountServiceAccountToken")
                .and_then(|v| Some((v.as_bool()?, v.span()))),
            service_account: ["serviceAccountName", "serviceAccount"]
                .into_iter()
                .find_map(|field| {
                    let node = s.spec.get(field)?;
                    let name = node.as_str().filter(|n| !n.is_empty())?;
                    Some((name.to_string(), node.span()))
                }),
        }),
    })
}

/// The metadata next to the pod spec at `path` (`spec.template.metadata`), when the spec
/// itself is missing.
fn template_metadata<'d>(root: NodeRef<'d>, path: &str) -> Option<NodeRef<'d>> {
    let parent = match path.rsplit_once('.') {
        Some((parent, _)) => parent.split('.').try_fold(root, |n, step| n.get(step))?,
        None => root,
    };
    parent.get("metadata").filter(|m| m.is_map())
}

/// A port's protocol as written, `TCP` unless given.
pub type Protocol = std::borrow::Cow<'static, str>;

/// The `protocol` of a port: the three Kubernetes knows without a copy (every port of a run
/// has one, and most say nothing or `TCP`).
fn protocol(port: NodeRef<'_>) -> Protocol {
    match port.get("protocol").and_then(NodeRef::as_str) {
        None | Some("TCP") => Protocol::Borrowed("TCP"),
        Some("UDP") => Protocol::Borrowed("UDP"),
        Some("SCTP") => Protocol::Borrowed("SCTP"),
        Some(other) => Protocol::Owned(other.to_string()),
    }
}

/// Ports declared by the pod's containers (regular and init, which includes sidecars).
fn container_ports(containers: &[Container<'_>]) -> Vec<Port> {
    let mut out = Vec::new();
    for c in containers {
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        for p in c.list(ContainerField::Ports) {
            out.push(Port {
                name: p.get("name").and_then(NodeRef::as_display),
                number: p.get("containerPort").and_then(NodeRef::as_i64),
                protocol: protocol(p),
            });
        }
    }
    // Most workloads expose one port or none; the run keeps this to its end.
    out.shrink_to_fit();
    out
}

fn service(root: NodeRef<'_>) -> Service {
    let spec = root.get("spec");
    let ports = spec
        .and_then(|s| s.get("ports"))
        .map_or_else(Vec::new, |ports| {
            collect_small(ports.items().map(|port| {
                let number = port.get("port");
                let target = match port.get("targetPort") {
                    Some(t) => match (t.as_i64(), t.as_str()) {
                        (Some(n), _) => Some(("targetPort", PortValue::Number(n), t.span())),
                        (None, Some(name)) => {
                            Some(("targetPort", PortValue::Name(name.to_string()), t.span()))
                        }
                        _ => None,
                    },
                    None => number
                        .and_then(|p| Some(("port", PortValue::Number(p.as_i64()?), p.span()))),
                };
                ServicePort {
                    name: port.get("name").and_then(NodeRef::as_display),
                    number: number.and_then(NodeRef::as_i64),
                    protocol: protocol(port),
                    target: target.map(|(field, value, span)| PortTarget { field, value, span }),
                }
            }))
        });
    Service {
        selector: service_selector(root).map(|(sel, key)| (sel, key.span())),
        ports,
        cluster_ip: spec
            .and_then(|s| s.get("clusterIP"))
            .and_then(NodeRef::as_str)
            .map(str::to_string),
    }
}

/// Every service backend of an Ingress, read as its API version defines them:
/// `service.name` with `service.port.number|name` for `networking.k8s.io/v1`, and
/// `serviceName`/`servicePort` before. Resource backends are skipped.
fn ingress_backends(root: NodeRef<'_>) -> Vec<Backend> {
    let mut out = Vec::new();
    let Some(spec) = root.get("spec") else {
        return out;
    };
    let v1 = root.get("apiVersion").and_then(NodeRef::as_str) == Some("networking.k8s.io/v1");
    let mut push = |path: String, b: NodeRef<'_>| {
        let service =
            |path: String, name: NodeRef<'_>, port: Option<NodeRef<'_>>| Backend::Service {
                path,
                name: name.as_str().map(str::to_string),
                name_span: name.span(),
                port: port.map(|p| BackendPort {
                    value: match (p.as_i64(), p.as_str()) {
                        (Some(n), _) => Some(PortValue::Number(n)),
                        (None, Some(s)) => Some(PortValue::Name(s.to_string())),
                        _ => None,
                    },
                    shown: p.as_display().unwrap_or_default(),
                    span: p.span(),
                }),
            };
        if v1 {
            if let Some(svc) = b.get("service") {
                if let Some(name) = svc.get("name") {
                    let port = svc
                        .get("port")
                        .and_then(|p| p.get("number").or_else(|| p.get("name")));
                    out.push(service(format!("{path}.service.name"), name, port));
                }
            } else if let Some((key, _)) = b.get_entry("serviceName") {
                out.push(Backend::OldSpelling {
                    path: format!("{path}.serviceName"),
                    key: key.span(),
                });
            }
        } else if let Some(name) = b.get("serviceName") {
            out.push(service(
                format!("{path}.serviceName"),
                name,
                b.get("servicePort"),
            ));
        }
    };
    let field = if v1 { "defaultBackend" } else { "backend" };
    if let Some(b) = spec.get(field) {
        push(format!("spec.{field}"), b);
    }
    for (r, rule) in spec
        .get("rules")
        .into_iter()
        .flat_map(NodeRef::items)
        .enumerate()
    {
        let paths = rule.get("http").and_then(|h| h.get("paths"));
        for (p, item) in paths.into_iter().flat_map(NodeRef::items).enumerate() {
            if let Some(b) = item.get("backend") {
                push(format!("spec.rules[{r}].http.paths[{p}].backend"), b);
            }
        }
    }
    out
}

fn hpa(root: NodeRef<'_>) -> Hpa {
    let spec = root.get("spec");
    let target_ref = spec.and_then(|s| s.get_entry("scaleTargetRef"));
    let target = target_ref.and_then(|(_, t)| {
        let kind = t.get("kind")?.as_str()?;
        let name = t.get("name")?;
        Some((kind.to_string(), name.as_str()?.to_string(), name.span()))
    });
    let incomplete_at = match (target_ref, spec) {
        (Some((key, _)), _) => key.span(),
        (None, Some(_)) => key_span(root, "spec"),
        (None, None) => object_anchor(root),
    };
    Hpa {
        target,
        incomplete_at,
    }
}

fn pdb(root: NodeRef<'_>) -> Pdb {
    let spec = root.get("spec");
    let selector_at = spec.map_or(object_anchor(root), |s| {
        s.get_entry("selector")
            .map_or_else(|| key_span(root, "spec"), |(k, _)| k.span())
    });
    let max_unavailable = spec.and_then(|s| s.get("maxUnavailable")).map(|v| {
        let zero = v.as_i64() == Some(0) || v.as_str().is_some_and(|s| s.trim() == "0%");
        (zero, v.span())
    });
    let min_available = spec
        .and_then(|s| s.get("minAvailable"))
        .map(|min| MinAvailable {
            all: min.as_str().is_some_and(|s| s.trim() == "100%"),
            count: min.as_i64(),
            span: min.span(),
        });
    Pdb {
        selection: pdb_selection(root).map_err(drop),
        selector_at,
        selector_is_map: spec
            .and_then(|s| s.get("selector"))
            .is_some_and(|s| s.is_map()),
        has_spec: spec.is_some(),
        max_unavailable,
        min_available,
    }
}

fn role_ref(root: NodeRef<'_>) -> Option<RoleRef> {
    let role_ref = root.get("roleRef")?;
    let name = role_ref.get("name")?;
    Some(RoleRef {
        kind: role_ref
            .get("kind")
            .and_then(NodeRef::as_str)
            .unwrap_or("")
            .to_string(),
        name: name.as_str()?.to_string(),
        name_span: name.span(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml;

    fn facts_of(text: &str, kind: &str, pod_spec_path: Option<&str>) -> Facts {
        let parsed = yaml::parse(&SourceFile::new("t.yaml", text));
        Facts::read(parsed.documents[0].root().unwrap(), kind, pod_spec_path)
    }

    #[test]
    fn ports_hold_no_spare_capacity() {
        // Facts live to the end of the run: one port is one port's worth of memory.
        let svc = facts_of(
            "kind: Service\nspec:\n  ports:\n    - {name: http, port: 80, targetPort: web}\n",
            "Service",
            None,
        );
        let ports = &svc.service().unwrap().ports;
        assert_eq!((ports.len(), ports.capacity()), (1, 1));
        assert_eq!(ports[0].protocol, "TCP");
        let deploy = facts_of(
            "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          ports: [{name: web, containerPort: 8080}]\n",
            "Deployment",
            Some("spec.template.spec"),
        );
        let ports = &deploy.pod().unwrap().ports;
        assert_eq!((ports.len(), ports.capacity()), (1, 1));
        assert_eq!(ports[0].number, Some(8080));
    }
}
