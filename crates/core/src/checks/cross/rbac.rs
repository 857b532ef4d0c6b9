//! Cross checks about identities: RBAC bindings and the roles they grant, and the
//! ServiceAccounts pods run as.

use super::{describe, related_object, Cx};
use crate::checks::Hit;
use crate::object::facts::Detail;
use crate::object::inventory::{Entry, Origin};

/// ClusterRoles every cluster has without them being in any manifest.
fn builtin_cluster_role(name: &str) -> bool {
    matches!(name, "cluster-admin" | "admin" | "edit" | "view") || name.starts_with("system:")
}

pub(super) fn rbac_roleref_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for binding_kind in ["RoleBinding", "ClusterRoleBinding"] {
        for (index, binding) in inv.of_kind(binding_kind) {
            let Some(Detail::Binding(role_ref)) = binding.facts().map(|f| &f.detail) else {
                continue;
            };
            let name = role_ref.name.as_str();
            let message = match role_ref.kind.as_str() {
                "ClusterRole" => {
                    if builtin_cluster_role(name) || !inv.find("ClusterRole", "", name).is_empty() {
                        continue;
                    }
                    format!("roleRef names ClusterRole `{name}`, which is neither in the input nor built in")
                }
                "Role" if binding_kind == "ClusterRoleBinding" => {
                    format!(
                        "a ClusterRoleBinding cannot reference Role `{name}`; only ClusterRoles"
                    )
                }
                "Role" => {
                    if !inv.find("Role", binding.namespace, name).is_empty() {
                        continue;
                    }
                    format!(
                        "roleRef names Role `{name}`, which is not defined in namespace `{}`",
                        binding.namespace
                    )
                }
                _ => continue,
            };
            cx.report(
                index,
                Hit::new(role_ref.name_span, message).path("roleRef.name"),
            );
        }
    }
}

pub(super) fn sa_token_automount(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for pod in &inv.pods {
        let Some(spec) = pod.spec else { continue };
        let owner = &inv.entries[pod.owner];
        let pod_path = pod_path(owner, pod.spec_path);
        let hit = match spec.automount {
            Some((false, _)) => continue,
            Some((true, span)) => Hit::new(
                span,
                format!(
                    "{} mounts its service account token into every container",
                    describe(owner)
                ),
            )
            .path(format!("{pod_path}.automountServiceAccountToken")),
            None => {
                let name = spec
                    .service_account
                    .as_ref()
                    .map_or("default", |(name, _)| name.as_str());
                let sa = inv.get("ServiceAccount", pod.namespace, name);
                let sa_value = sa.and_then(|e| match e.facts()?.detail {
                    Detail::ServiceAccount { automount } => automount,
                    _ => None,
                });
                if sa_value == Some(false) {
                    continue;
                }
                let mut hit = Hit::new(
                    spec.key,
                    format!(
                        "{} mounts the token of service account `{name}` into every container (neither the pod nor the ServiceAccount sets `automountServiceAccountToken: false`)",
                        describe(owner)
                    ),
                )
                .path(pod_path);
                if let Some(sa) = sa {
                    hit.related
                        .extend(related_object(sa, format!("ServiceAccount `{name}`")));
                }
                hit
            }
        };
        cx.report(pod.owner, hit);
    }
}

fn pod_path(owner: &Entry<'_>, spec_path: &str) -> String {
    match owner.origin {
        Origin::Input { object, .. } if !object.base_path.is_empty() => {
            format!("{}.{spec_path}", object.base_path)
        }
        _ => spec_path.to_string(),
    }
}

pub(super) fn sa_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for pod in &inv.pods {
        let Some(spec) = pod.spec else { continue };
        let Some((name, span)) = &spec.service_account else {
            continue;
        };
        // Every namespace has its `default` ServiceAccount.
        if name == "default" || !inv.find("ServiceAccount", pod.namespace, name).is_empty() {
            continue;
        }
        let owner = &inv.entries[pod.owner];
        let hit = Hit::new(
            *span,
            format!(
                "service account `{name}` is not defined in namespace `{}` of the input (nor declared as an external object)",
                pod.namespace
            ),
        )
        .path(pod_path(owner, pod.spec_path));
        cx.report(pod.owner, hit);
    }
}
