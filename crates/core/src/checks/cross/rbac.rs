//! Cross checks about identities: RBAC bindings and the roles they grant, and the
//! ServiceAccounts pods run as.

use super::{describe, related_object, Cx};
use crate::checks::Hit;
use crate::yaml::NodeRef;

/// ClusterRoles every cluster has without them being in any manifest.
fn builtin_cluster_role(name: &str) -> bool {
    matches!(name, "cluster-admin" | "admin" | "edit" | "view") || name.starts_with("system:")
}

pub(super) fn rbac_roleref_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for binding_kind in ["RoleBinding", "ClusterRoleBinding"] {
        for (index, binding) in inv.of_kind(binding_kind) {
            let Some(root) = binding.root() else { continue };
            let Some(role_ref) = root.get("roleRef") else {
                continue;
            };
            let Some(name_node) = role_ref.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            let kind = role_ref.get("kind").and_then(NodeRef::as_str).unwrap_or("");
            let message = match kind {
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
                Hit::new(name_node.span(), message).path("roleRef.name"),
            );
        }
    }
}

/// The service account a pod spec runs as, with its node when named explicitly.
fn service_account(spec: NodeRef<'_>) -> (Option<NodeRef<'_>>, &str) {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(node) = spec.get(field) {
            if let Some(name) = node.as_str().filter(|s| !s.is_empty()) {
                return (Some(node), name);
            }
        }
    }
    (None, "default")
}

pub(super) fn sa_token_automount(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for pod in &inv.pods {
        let Some(spec) = pod.spec else { continue };
        let owner = &inv.entries[pod.owner];
        let pod_path = pod_path(owner, spec.path);
        let hit = match spec.spec.get("automountServiceAccountToken") {
            Some(v) if v.as_bool() == Some(false) => continue,
            Some(v) if v.as_bool() == Some(true) => Hit::new(
                v.span(),
                format!(
                    "{} mounts its service account token into every container",
                    describe(owner)
                ),
            )
            .path(format!("{pod_path}.automountServiceAccountToken")),
            _ => {
                let (_, name) = service_account(spec.spec);
                let sa = inv.get("ServiceAccount", pod.namespace, name);
                let sa_value = sa
                    .and_then(|e| e.root())
                    .and_then(|r| r.get("automountServiceAccountToken"))
                    .and_then(NodeRef::as_bool);
                if sa_value == Some(false) {
                    continue;
                }
                let mut hit = Hit::new(
                    spec.key.span(),
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

fn pod_path(owner: &crate::object::inventory::Entry<'_>, spec_path: &str) -> String {
    match owner.origin {
        crate::object::inventory::Origin::Input { object, .. } if !object.base_path.is_empty() => {
            format!("{}.{spec_path}", object.base_path)
        }
        _ => spec_path.to_string(),
    }
}

pub(super) fn sa_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for pod in &inv.pods {
        let Some(spec) = pod.spec else { continue };
        let (Some(node), name) = service_account(spec.spec) else {
            continue;
        };
        // Every namespace has its `default` ServiceAccount.
        if name == "default" || !inv.find("ServiceAccount", pod.namespace, name).is_empty() {
            continue;
        }
        let owner = &inv.entries[pod.owner];
        let hit = Hit::new(
            node.span(),
            format!(
                "service account `{name}` is not defined in namespace `{}` of the input (nor declared as an external object)",
                pod.namespace
            ),
        )
        .path(pod_path(owner, spec.path));
        cx.report(pod.owner, hit);
    }
}
