//! Cross checks about scaling and disruption: HPAs and the workloads they scale, and
//! PodDisruptionBudgets and the pods they protect.

use super::{describe, related_object, related_pod, Cx};
use crate::checks::Hit;
use crate::object::facts::Facts;
use crate::object::selector::Selection;

const HPA: &str = "HorizontalPodAutoscaler";
const PDB: &str = "PodDisruptionBudget";

pub(super) fn replicas_with_hpa(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    let mut seen = Vec::new();
    for (hpa_index, hpa) in inv.of_kind(HPA) {
        let Some((kind, name, _)) = hpa
            .facts()
            .and_then(Facts::hpa)
            .and_then(|h| h.target.as_ref())
        else {
            continue;
        };
        let Some(&target) = inv.find(kind, hpa.namespace, name).first() else {
            continue;
        };
        if seen.contains(&target) {
            continue;
        }
        let Some(key) = inv.entries[target].facts().and_then(|f| f.replicas_key) else {
            continue;
        };
        seen.push(target);
        let mut hit = Hit::new(
            key,
            format!(
                "{} sets `spec.replicas` but {} scales it; every apply resets the replica count",
                describe(&inv.entries[target]),
                describe(hpa)
            ),
        )
        .path("spec.replicas");
        hit.related.extend(related_object(
            &inv.entries[hpa_index],
            "the HPA that scales this workload".into(),
        ));
        cx.report(target, hit);
    }
}

pub(super) fn hpa_target_unresolved(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, hpa) in inv.of_kind(HPA) {
        let Some(facts) = hpa.facts().and_then(Facts::hpa) else {
            continue;
        };
        let hit = match &facts.target {
            Some((kind, name, name_span)) => {
                if !inv.find(kind, hpa.namespace, name).is_empty() {
                    continue;
                }
                Hit::new(
                    *name_span,
                    format!(
                        "scaleTargetRef names {kind} `{name}`, which is not defined in namespace `{}` of the input",
                        hpa.namespace
                    ),
                )
                .path("spec.scaleTargetRef.name")
            }
            None => Hit::new(
                facts.incomplete_at,
                "the HPA has no complete scaleTargetRef (kind and name)",
            ),
        };
        cx.report(index, hit);
    }
}

pub(super) fn pdb_missing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    // Each budget marks the pods it covers through the label index.
    let mut covered = vec![false; inv.pods.len()];
    for (index, _) in inv.of_kind(PDB) {
        for &i in inv.selected(index).iter() {
            covered[i] = true;
        }
    }
    for (i, pod) in inv.pods.iter().enumerate() {
        let entry = &inv.entries[pod.owner];
        if covered[i] || !matches!(entry.kind, "Deployment" | "StatefulSet") {
            continue;
        }
        let (Some(facts), Some(anchor)) = (entry.facts(), entry.anchor()) else {
            continue;
        };
        if facts.replicas().is_none_or(|r| r < 2) {
            continue;
        }
        cx.report(
            pod.owner,
            Hit::new(
                anchor,
                format!(
                    "{} runs several replicas but no PodDisruptionBudget of namespace `{}` selects its pods",
                    describe(entry),
                    entry.namespace
                ),
            ),
        );
    }
}

pub(super) fn pdb_blocks_eviction(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, pdb) in inv.of_kind(PDB) {
        let Some(facts) = pdb.facts().and_then(Facts::pdb) else {
            continue;
        };
        if !facts.has_spec {
            continue;
        }
        if let Some((zero, span)) = facts.max_unavailable {
            if zero {
                cx.report(
                    index,
                    Hit::new(
                        span,
                        "maxUnavailable is 0: no pod may ever be evicted, so node drains hang",
                    )
                    .path("spec.maxUnavailable"),
                );
            }
            continue;
        }
        let Some(min) = &facts.min_available else {
            continue;
        };
        if min.all {
            cx.report(
                index,
                Hit::new(
                    min.span,
                    "minAvailable is 100%: no pod may ever be evicted, so node drains hang",
                )
                .path("spec.minAvailable"),
            );
            continue;
        }
        let Some(n) = min.count else { continue };
        // Empty for a budget that selects nothing or whose selector the API rejects.
        let pods = inv.selected_pods(index);
        if pods.is_empty() {
            continue;
        }
        let mut related = Vec::new();
        let blocks_all = pods.iter().all(|p| {
            let owner = &inv.entries[p.owner];
            owner.facts().and_then(Facts::replicas).is_some_and(|r| {
                related.extend(related_pod(
                    inv,
                    p,
                    format!("{} runs {r} replica(s)", describe(owner)),
                ));
                n >= r
            })
        });
        if blocks_all {
            let mut hit = Hit::new(
                min.span,
                format!(
                    "minAvailable {n} is at least the replica count of every workload it selects: no pod may be evicted, so node drains hang"
                ),
            )
            .path("spec.minAvailable");
            hit.related = related;
            cx.report(index, hit);
        }
    }
}

pub(super) fn pdb_selects_nothing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for (index, pdb) in inv.of_kind(PDB) {
        let Some(facts) = pdb.facts().and_then(Facts::pdb) else {
            continue;
        };
        let anchor = facts.selector_at;
        let hit = match &facts.selection {
            Err(()) => continue,
            Ok(Selection::Nothing) => {
                let why = if facts.selector_is_map {
                    "an empty selector under policy/v1beta1 selects no pods"
                } else {
                    "the PodDisruptionBudget has no selector, so it protects no pods"
                };
                Hit::new(anchor, why)
            }
            Ok(Selection::Pods(sel)) => {
                if !inv.selected(index).is_empty() {
                    continue;
                }
                let mut hit = Hit::new(
                    anchor,
                    format!(
                        "the selector matches no pod template of namespace `{}`",
                        pdb.namespace
                    ),
                );
                if let Some(p) = inv.nearest(pdb.namespace, sel) {
                    hit.related.extend(related_pod(
                        inv,
                        p,
                        format!("nearest pod labels ({})", describe(&inv.entries[p.owner])),
                    ));
                }
                hit
            }
        };
        cx.report(index, hit.path("spec.selector"));
    }
}
