//! Cross checks about NetworkPolicies: pods no policy isolates, and policies that select no pod.

use std::collections::HashSet;

use super::{describe, related_pod, Cx};
use crate::checks::Hit;
use crate::object::facts::{Facts, NetworkPolicy};
use crate::object::inventory::Origin;
use crate::object::selector::Selector;

const NP: &str = "NetworkPolicy";

pub(super) fn pod_not_isolated(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    let require = cx.param_bool("requirePolicies");
    // Per pod: selected by some policy, and whether one of those restricts ingress. Each policy
    // marks its pods through the label index, so no pod is compared with every policy.
    let mut selected = vec![false; inv.pods.len()];
    let mut ingress = vec![false; inv.pods.len()];
    let mut judged: HashSet<&str> = HashSet::new();
    let every_pod = Selector::default();
    for (index, np) in inv.of_kind(NP) {
        judged.insert(np.namespace);
        let (pods, restricts_ingress) = match np.origin {
            Origin::Input { .. } => match np.facts().and_then(Facts::network_policy) {
                Some(NetworkPolicy {
                    selector: Ok(_),
                    ingress,
                    ..
                }) => (inv.selected(index), *ingress),
                // The API rejects it; it isolates nothing.
                _ => continue,
            },
            // A policy managed elsewhere: its selector is unknown, so trust it to isolate.
            Origin::External(_) => (inv.select_ids(np.namespace, &every_pod).into(), true),
        };
        for &i in pods.iter() {
            selected[i] = true;
            ingress[i] |= restricts_ingress;
        }
    }
    for (i, pod) in inv.pods.iter().enumerate() {
        let owner = &inv.entries[pod.owner];
        let Some(anchor) = owner.anchor() else {
            continue;
        };
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
        cx.report(pod.owner, Hit::new(anchor, message));
    }
}

pub(super) fn networkpolicy_selects_nothing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, np) in inv.of_kind(NP) {
        let Some(policy) = np.facts().and_then(Facts::network_policy) else {
            continue;
        };
        let Ok(sel) = &policy.selector else {
            continue;
        };
        // `podSelector: {}` selects every pod of the namespace, present or future.
        if sel.is_empty() || !inv.selected(index).is_empty() {
            continue;
        }
        let mut hit = Hit::new(
            policy.selector_at,
            format!(
                "podSelector matches no pod template of namespace `{}`: the policy has no effect",
                np.namespace
            ),
        )
        .path("spec.podSelector");
        if let Some(p) = inv.nearest(np.namespace, sel) {
            hit.related.extend(related_pod(
                inv,
                p,
                format!("nearest pod labels ({})", describe(&inv.entries[p.owner])),
            ));
        }
        cx.report(index, hit);
    }
}
