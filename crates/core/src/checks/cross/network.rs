//! Cross checks about NetworkPolicies: pods no policy isolates, and policies that select no pod.

use std::collections::HashSet;

use super::{describe, key_span, related_pod, Cx};
use crate::checks::Hit;
use crate::engine::object_anchor;
use crate::object::inventory::Origin;
use crate::object::selector::{network_policy_selector, network_policy_types, Selector};

const NP: &str = "NetworkPolicy";

/// One policy's reach: which pods, and whether it restricts ingress and egress.
struct Policy {
    selector: Selector,
    ingress: bool,
}

pub(super) fn pod_not_isolated(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    let require = cx.param_bool("requirePolicies");
    // Per pod: selected by some policy, and whether one of those restricts ingress. Each policy
    // marks its pods through the label index, so no pod is compared with every policy.
    let mut selected = vec![false; inv.pods.len()];
    let mut ingress = vec![false; inv.pods.len()];
    let mut judged: HashSet<&str> = HashSet::new();
    for (_, np) in inv.of_kind(NP) {
        judged.insert(np.namespace);
        let policy = match np.origin {
            Origin::Input { root, .. } => match network_policy_selector(root) {
                Ok(selector) => Policy {
                    selector,
                    ingress: network_policy_types(root).0,
                },
                // The API rejects it; it isolates nothing.
                Err(_) => continue,
            },
            // A policy managed elsewhere: its selector is unknown, so trust it to isolate.
            Origin::External(_) => Policy {
                selector: Selector::default(),
                ingress: true,
            },
        };
        for i in inv.select_ids(np.namespace, &policy.selector) {
            selected[i] = true;
            ingress[i] |= policy.ingress;
        }
    }
    for (i, pod) in inv.pods.iter().enumerate() {
        let owner = &inv.entries[pod.owner];
        let Some(root) = owner.root() else { continue };
        if !require && !judged.contains(pod.namespace) {
            continue;
        }
        let message = if !selected[i] {
            format!(
                "no NetworkPolicy of namespace `{}` selects the pods of {}: they accept traffic from anywhere",
                pod.namespace,
                describe(owner)
            )
        } else if !ingress[i] {
            format!(
                "the NetworkPolicies selecting the pods of {} restrict only egress: they accept traffic from anywhere",
                describe(owner)
            )
        } else {
            continue;
        };
        cx.report(pod.owner, Hit::new(object_anchor(root), message));
    }
}

pub(super) fn networkpolicy_selects_nothing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, np) in inv.of_kind(NP) {
        let Some(root) = np.root() else { continue };
        let Ok(sel) = network_policy_selector(root) else {
            continue;
        };
        // `podSelector: {}` selects every pod of the namespace, present or future.
        if sel.is_empty() || !inv.select(np.namespace, &sel).is_empty() {
            continue;
        }
        let span = root
            .get("spec")
            .map_or(object_anchor(root), |s| key_span(s, "podSelector"));
        let mut hit = Hit::new(
            span,
            format!(
                "podSelector matches no pod template of namespace `{}`: the policy has no effect",
                np.namespace
            ),
        )
        .path("spec.podSelector");
        if let Some(p) = inv.nearest(np.namespace, &sel) {
            hit.related.extend(related_pod(
                inv,
                p,
                format!("nearest pod labels ({})", describe(&inv.entries[p.owner])),
            ));
        }
        cx.report(index, hit);
    }
}
