//! Cross checks about Services: what they select, the ports they forward to, the Ingresses and
//! StatefulSets that name them.

use super::{describe, related_object, related_pod, Cx};
use crate::checks::Hit;
use crate::object::inventory::{Entry, Origin, PodTemplate};
use crate::object::selector::service_selector;
use crate::yaml::NodeRef;

pub(super) fn service_selects_nothing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, svc) in inv.of_kind("Service") {
        let Some(root) = svc.root() else { continue };
        let Some((sel, key)) = service_selector(root) else {
            continue;
        };
        if !inv.select(svc.namespace, &sel).is_empty() {
            continue;
        }
        let mut hit = Hit::new(
            key.span(),
            format!(
                "the selector matches no pod template of namespace `{}`: the Service has no endpoints",
                svc.namespace
            ),
        )
        .path("spec.selector");
        if let Some(p) = inv.nearest(svc.namespace, &sel) {
            hit.related.extend(related_pod(
                inv,
                p,
                format!("nearest pod labels ({})", describe(&inv.entries[p.owner])),
            ));
        }
        cx.report(index, hit);
    }
}

/// The Service port's `targetPort`: a port name, or a number (defaulting to `port`).
enum Target<'d> {
    Name(&'d str),
    Number(i64),
}

pub(super) fn service_targetport_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, svc) in inv.of_kind("Service") {
        let Some(root) = svc.root() else { continue };
        let Some((sel, _)) = service_selector(root) else {
            continue;
        };
        let pods = inv.select(svc.namespace, &sel);
        // Pods declared outside the input without ports: their ports are unknown.
        if pods.is_empty() || pods.iter().any(|p| p.external && p.ports.is_empty()) {
            continue;
        }
        let ports = root.get("spec").and_then(|s| s.get("ports"));
        for (i, port) in ports.into_iter().flat_map(NodeRef::items).enumerate() {
            let protocol = port
                .get("protocol")
                .and_then(NodeRef::as_str)
                .unwrap_or("TCP");
            let (node, field, target) = match port.get("targetPort") {
                Some(t) => match (t.as_i64(), t.as_str()) {
                    (Some(n), _) => (t, "targetPort", Target::Number(n)),
                    (None, Some(name)) => (t, "targetPort", Target::Name(name)),
                    _ => continue,
                },
                None => match port.get("port") {
                    Some(p) => match p.as_i64() {
                        Some(n) => (p, "port", Target::Number(n)),
                        None => continue,
                    },
                    None => continue,
                },
            };
            let exposes = |p: &&PodTemplate<'_>| {
                p.ports.iter().any(|cp| {
                    cp.protocol == protocol
                        && match target {
                            Target::Name(n) => cp.name.as_deref() == Some(n),
                            Target::Number(n) => cp.number == Some(n),
                        }
                })
            };
            if pods.iter().any(exposes) {
                continue;
            }
            let message = match target {
                Target::Name(n) => {
                    format!(
                        "targetPort `{n}` names no {protocol} container port of the selected pods"
                    )
                }
                Target::Number(n) => {
                    // Containers need not declare ports; only judge numbers when they do.
                    if pods.iter().all(|p| p.ports.is_empty()) {
                        continue;
                    }
                    format!("{field} {n} is not a {protocol} container port of the selected pods")
                }
            };
            let mut hit = Hit::new(node.span(), message).path(format!("spec.ports[{i}].{field}"));
            for p in pods.iter().take(3) {
                hit.related.extend(related_pod(
                    inv,
                    p,
                    format!("selected pods of {}", describe(&inv.entries[p.owner])),
                ));
            }
            cx.report(index, hit);
        }
    }
}

/// A port of a Service entry: `(name, number)`; `None` when the ports are unknown.
fn service_ports(svc: &Entry<'_>) -> Option<Vec<(Option<String>, Option<i64>)>> {
    match svc.origin {
        Origin::Input { root, .. } => Some(
            root.get("spec")
                .and_then(|s| s.get("ports"))
                .into_iter()
                .flat_map(NodeRef::items)
                .map(|p| {
                    (
                        p.get("name").and_then(NodeRef::as_display),
                        p.get("port").and_then(NodeRef::as_i64),
                    )
                })
                .collect(),
        ),
        Origin::External(ext) if ext.ports.is_empty() => None,
        Origin::External(ext) => Some(
            ext.ports
                .iter()
                .map(|p| (p.name.clone(), p.number))
                .collect(),
        ),
    }
}

/// A backend of an Ingress.
enum Backend<'d> {
    /// `(backend path, name node, port node)`.
    Service(String, NodeRef<'d>, Option<NodeRef<'d>>),
    /// A `networking.k8s.io/v1` backend spelled the pre-v1 way (`serviceName`), which v1 drops:
    /// the backend names no Service at all.
    OldSpelling(String, NodeRef<'d>),
}

/// Every service backend of an Ingress, read as its API version defines them:
/// `service.name` with `service.port.number|name` for `networking.k8s.io/v1`, and
/// `serviceName`/`servicePort` before. Resource backends are skipped.
fn ingress_backends<'d>(root: NodeRef<'d>) -> Vec<Backend<'d>> {
    let mut out = Vec::new();
    let Some(spec) = root.get("spec") else {
        return out;
    };
    let v1 = root.get("apiVersion").and_then(NodeRef::as_str) == Some("networking.k8s.io/v1");
    let mut push = |path: String, b: NodeRef<'d>| {
        if v1 {
            if let Some(svc) = b.get("service") {
                if let Some(name) = svc.get("name") {
                    let port = svc
                        .get("port")
                        .and_then(|p| p.get("number").or_else(|| p.get("name")));
                    out.push(Backend::Service(format!("{path}.service.name"), name, port));
                }
            } else if let Some((key, _)) = b.get_entry("serviceName") {
                out.push(Backend::OldSpelling(format!("{path}.serviceName"), key));
            }
        } else if let Some(name) = b.get("serviceName") {
            out.push(Backend::Service(
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

pub(super) fn ingress_backend_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, ing) in inv.of_kind("Ingress") {
        let Some(root) = ing.root() else { continue };
        for backend in ingress_backends(root) {
            let (path, name_node, port_node) = match backend {
                Backend::Service(path, name, port) => (path, name, port),
                Backend::OldSpelling(path, key) => {
                    cx.report(
                        index,
                        Hit::new(
                            key.span(),
                            "networking.k8s.io/v1 has no `serviceName`: the backend names no Service (use `service.name` and `service.port`)",
                        )
                        .path(path),
                    );
                    continue;
                }
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            let Some(svc) = inv.get("Service", ing.namespace, name) else {
                cx.report(
                    index,
                    Hit::new(
                        name_node.span(),
                        format!(
                            "backend Service `{name}` is not defined in namespace `{}`",
                            ing.namespace
                        ),
                    )
                    .path(path),
                );
                continue;
            };
            let (Some(port_node), Some(ports)) = (port_node, service_ports(svc)) else {
                continue;
            };
            let found = match (port_node.as_i64(), port_node.as_str()) {
                (Some(n), _) => ports.iter().any(|(_, num)| *num == Some(n)),
                (None, Some(s)) => ports.iter().any(|(pn, _)| pn.as_deref() == Some(s)),
                _ => continue,
            };
            if found {
                continue;
            }
            let shown = port_node.as_display().unwrap_or_default();
            let mut hit = Hit::new(
                port_node.span(),
                format!("Service `{name}` has no port `{shown}`"),
            );
            hit.related.extend(related_object(
                svc,
                format!("Service `{name}` is defined here"),
            ));
            cx.report(index, hit);
        }
    }
}

pub(super) fn statefulset_service_missing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, sts) in inv.of_kind("StatefulSet") {
        let Some(root) = sts.root() else { continue };
        let Some(node) = root.get("spec").and_then(|s| s.get("serviceName")) else {
            continue;
        };
        let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        let hit = match inv.get("Service", sts.namespace, name) {
            None => Hit::new(
                node.span(),
                format!(
                    "serviceName `{name}` names no Service of namespace `{}`: pods get no stable DNS names",
                    sts.namespace
                ),
            ),
            Some(svc) => {
                let Some(svc_root) = svc.root() else { continue };
                let cluster_ip = svc_root
                    .get("spec")
                    .and_then(|s| s.get("clusterIP"))
                    .and_then(NodeRef::as_str);
                if cluster_ip == Some("None") {
                    continue;
                }
                let mut hit = Hit::new(
                    node.span(),
                    format!("Service `{name}` is not headless (`clusterIP: None`): pods get no stable DNS names"),
                );
                hit.related
                    .extend(related_object(svc, format!("Service `{name}` is defined here")));
                hit
            }
        };
        cx.report(index, hit.path("spec.serviceName"));
    }
}
