//! Cross checks about Services: what they select, the ports they forward to, the Ingresses and
//! StatefulSets that name them.

use super::{describe, related_object, related_pod, Cx};
use crate::checks::Hit;
use crate::object::facts::{Backend, Detail, Facts, PortValue};
use crate::object::inventory::{Entry, Origin, PodTemplate};

pub(super) fn service_selects_nothing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, svc) in inv.of_kind("Service") {
        let Some((sel, key)) = svc
            .facts()
            .and_then(Facts::service)
            .and_then(|s| s.selector.as_ref())
        else {
            continue;
        };
        if !inv.selected(index).is_empty() {
            continue;
        }
        let mut hit = Hit::new(
            *key,
            format!(
                "the selector matches no pod template of namespace `{}`: the Service has no endpoints",
                svc.namespace
            ),
        )
        .path("spec.selector");
        if let Some(p) = inv.nearest(svc.namespace, sel) {
            hit.related.extend(related_pod(
                inv,
                p,
                format!("nearest pod labels ({})", describe(&inv.entries[p.owner])),
            ));
        }
        cx.report(index, hit);
    }
}

pub(super) fn service_targetport_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, svc) in inv.of_kind("Service") {
        let Some(facts) = svc.facts().and_then(Facts::service) else {
            continue;
        };
        // Empty for a Service without a selector. Pods declared outside the input without
        // ports: their ports are unknown.
        let pods = inv.selected_pods(index);
        if pods.is_empty() || pods.iter().any(|p| p.external && p.ports.is_empty()) {
            continue;
        }
        for (i, port) in facts.ports.iter().enumerate() {
            let Some(target) = &port.target else { continue };
            let protocol = &*port.protocol;
            let exposes = |p: &&PodTemplate<'_>| {
                p.ports.iter().any(|cp| {
                    cp.protocol == protocol
                        && match &target.value {
                            PortValue::Name(n) => cp.name.as_ref() == Some(n),
                            PortValue::Number(n) => cp.number == Some(*n),
                        }
                })
            };
            if pods.iter().any(exposes) {
                continue;
            }
            let field = target.field;
            let message = match &target.value {
                PortValue::Name(n) => {
                    format!(
                        "targetPort `{n}` names no {protocol} container port of the selected pods"
                    )
                }
                PortValue::Number(n) => {
                    // Containers need not declare ports; only judge numbers when they do.
                    if pods.iter().all(|p| p.ports.is_empty()) {
                        continue;
                    }
                    format!("{field} {n} is not a {protocol} container port of the selected pods")
                }
            };
            let mut hit = Hit::new(target.span, message).path(format!("spec.ports[{i}].{field}"));
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

/// The ports of a Service entry as `(name, number)`; `None` when they are unknown (an
/// external Service declared without ports).
fn service_ports(svc: &Entry<'_>) -> Option<Vec<(Option<String>, Option<i64>)>> {
    match svc.origin {
        // An object of another kind named `Service` (a Knative Service) has no Service ports.
        Origin::Input { .. } => Some(
            svc.facts()
                .and_then(Facts::service)
                .map_or_else(Vec::new, |s| {
                    s.ports.iter().map(|p| (p.name.clone(), p.number)).collect()
                }),
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

pub(super) fn ingress_backend_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, ing) in inv.of_kind("Ingress") {
        let Some(Detail::Ingress(backends)) = ing.facts().map(|f| &f.detail) else {
            continue;
        };
        for backend in backends.iter() {
            let (path, name, name_span, port) = match backend {
                Backend::Service {
                    path,
                    name,
                    name_span,
                    port,
                } => match name {
                    Some(name) => (path, name, *name_span, port),
                    None => continue,
                },
                Backend::OldSpelling { path, key } => {
                    cx.report(
                        index,
                        Hit::new(
                            *key,
                            "networking.k8s.io/v1 has no `serviceName`: the backend names no Service (use `service.name` and `service.port`)",
                        )
                        .path(path.as_str()),
                    );
                    continue;
                }
            };
            let Some(svc) = inv.get("Service", ing.namespace, name) else {
                cx.report(
                    index,
                    Hit::new(
                        name_span,
                        format!(
                            "backend Service `{name}` is not defined in namespace `{}`",
                            ing.namespace
                        ),
                    )
                    .path(path.as_str()),
                );
                continue;
            };
            let (Some(port), Some(ports)) = (port, service_ports(svc)) else {
                continue;
            };
            let found = match &port.value {
                Some(PortValue::Number(n)) => ports.iter().any(|(_, num)| *num == Some(*n)),
                Some(PortValue::Name(s)) => ports.iter().any(|(pn, _)| pn.as_ref() == Some(s)),
                None => continue,
            };
            if found {
                continue;
            }
            let mut hit = Hit::new(
                port.span,
                format!("Service `{name}` has no port `{}`", port.shown),
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
        let Some(Detail::Workload(workload)) = sts.facts().map(|f| &f.detail) else {
            continue;
        };
        let Some((Some(name), span)) = &workload.service_name else {
            continue;
        };
        let hit = match inv.get("Service", sts.namespace, name) {
            None => Hit::new(
                *span,
                format!(
                    "serviceName `{name}` names no Service of namespace `{}`: pods get no stable DNS names",
                    sts.namespace
                ),
            ),
            Some(svc) => {
                if svc.facts().is_none() {
                    continue;
                }
                let headless = svc.facts().and_then(Facts::service)
                    .and_then(|s| s.cluster_ip.as_deref())
                    .is_some_and(|ip| ip == "None");
                if headless {
                    continue;
                }
                let mut hit = Hit::new(
                    *span,
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
