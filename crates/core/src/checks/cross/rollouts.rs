//! Cross checks about scaling and disruption: HPAs and the workloads they scale, and
//! PodDisruptionBudgets and the pods they protect.

use super::{describe, key_span, related_object, related_pod, Cx};
use crate::checks::Hit;
use crate::engine::object_anchor;
use crate::object::selector::{pdb_selection, Selection};
use crate::yaml::NodeRef;

const HPA: &str = "HorizontalPodAutoscaler";
const PDB: &str = "PodDisruptionBudget";

/// `(kind, name)` of an HPA's scale target.
fn scale_target(root: NodeRef<'_>) -> Option<(NodeRef<'_>, &str, NodeRef<'_>, &str)> {
    let target = root.get("spec")?.get("scaleTargetRef")?;
    let kind = target.get("kind")?;
    let name = target.get("name")?;
    Some((kind, kind.as_str()?, name, name.as_str()?))
}

pub(super) fn replicas_with_hpa(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    let mut seen = Vec::new();
    for (hpa_index, hpa) in inv.of_kind(HPA) {
        let Some(root) = hpa.root() else { continue };
        let Some((_, kind, _, name)) = scale_target(root) else {
            continue;
        };
        let Some(&target) = inv.find(kind, hpa.namespace, name).first() else {
            continue;
        };
        if seen.contains(&target) {
            continue;
        }
        let Some((key, _)) = inv.entries[target]
            .root()
            .and_then(|r| r.get("spec"))
            .and_then(|s| s.get_entry("replicas"))
        else {
            continue;
        };
        seen.push(target);
        let mut hit = Hit::new(
            key.span(),
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
        let Some(root) = hpa.root() else { continue };
        let hit = match scale_target(root) {
            Some((_, kind, name_node, name)) => {
                if !inv.find(kind, hpa.namespace, name).is_empty() {
                    continue;
                }
                Hit::new(
                    name_node.span(),
                    format!(
                        "scaleTargetRef names {kind} `{name}`, which is not defined in namespace `{}` of the input",
                        hpa.namespace
                    ),
                )
                .path("spec.scaleTargetRef.name")
            }
            None => {
                let spec = root.get("spec");
                let span = spec
                    .and_then(|s| s.get_entry("scaleTargetRef"))
                    .map_or_else(
                        || {
                            if spec.is_some() {
                                key_span(root, "spec")
                            } else {
                                object_anchor(root)
                            }
                        },
                        |(k, _)| k.span(),
                    );
                Hit::new(
                    span,
                    "the HPA has no complete scaleTargetRef (kind and name)",
                )
            }
        };
        cx.report(index, hit);
    }
}

/// Replicas of a workload whose size is fixed by its spec (`None` for DaemonSets, Jobs and
/// custom kinds, whose pod count the input does not say).
fn replicas(kind: &str, root: NodeRef<'_>) -> Option<i64> {
    match kind {
        "Pod" => Some(1),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => Some(
            root.get("spec")
                .and_then(|s| s.get("replicas"))
                .map_or(Some(1), NodeRef::as_i64)?,
        ),
        _ => None,
    }
}

pub(super) fn pdb_missing(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    // Each budget marks the pods it covers through the label index.
    let mut covered = vec![false; inv.pods.len()];
    for (_, pdb) in inv.of_kind(PDB) {
        let Some(root) = pdb.root() else { continue };
        if let Ok(Selection::Pods(sel)) = pdb_selection(root) {
            for i in inv.select_ids(pdb.namespace, &sel) {
                covered[i] = true;
            }
        }
    }
    for (i, pod) in inv.pods.iter().enumerate() {
        let entry = &inv.entries[pod.owner];
        if covered[i] || !matches!(entry.kind, "Deployment" | "StatefulSet") {
            continue;
        }
        let Some(root) = entry.root() else { continue };
        if replicas(entry.kind, root).is_none_or(|r| r < 2) {
            continue;
        }
        cx.report(
            pod.owner,
            Hit::new(
                object_anchor(root),
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
        let Some(root) = pdb.root() else { continue };
        let Some(spec) = root.get("spec") else {
            continue;
        };
        if let Some(v) = spec.get("maxUnavailable") {
            if v.as_i64() == Some(0) || v.as_str().is_some_and(|s| s.trim() == "0%") {
                cx.report(
                    index,
                    Hit::new(
                        v.span(),
                        "maxUnavailable is 0: no pod may ever be evicted, so node drains hang",
                    )
                    .path("spec.maxUnavailable"),
                );
            }
            continue;
        }
        let Some(min) = spec.get("minAvailable") else {
            continue;
        };
        if min.as_str().is_some_and(|s| s.trim() == "100%") {
            cx.report(
                index,
                Hit::new(
                    min.span(),
                    "minAvailable is 100%: no pod may ever be evicted, so node drains hang",
                )
                .path("spec.minAvailable"),
            );
            continue;
        }
        let Some(n) = min.as_i64() else { continue };
        let Ok(Selection::Pods(sel)) = pdb_selection(root) else {
            continue;
        };
        let pods = inv.select(pdb.namespace, &sel);
        if pods.is_empty() {
            continue;
        }
        let mut related = Vec::new();
        let blocks_all = pods.iter().all(|p| {
            let owner = &inv.entries[p.owner];
            owner
                .root()
                .and_then(|r| replicas(owner.kind, r))
                .is_some_and(|r| {
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
                min.span(),
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
        let Some(root) = pdb.root() else { continue };
        let spec = root.get("spec");
        let anchor = spec.map_or(object_anchor(root), |s| {
            s.get_entry("selector")
                .map_or_else(|| key_span(root, "spec"), |(k, _)| k.span())
        });
        let hit = match pdb_selection(root) {
            Err(_) => continue,
            Ok(Selection::Nothing) => {
                let why = if spec
                    .and_then(|s| s.get("selector"))
                    .is_some_and(|s| s.is_map())
                {
                    "an empty selector under policy/v1beta1 selects no pods"
                } else {
                    "the PodDisruptionBudget has no selector, so it protects no pods"
                };
                Hit::new(anchor, why)
            }
            Ok(Selection::Pods(sel)) => {
                if !inv.select(pdb.namespace, &sel).is_empty() {
                    continue;
                }
                let mut hit = Hit::new(
                    anchor,
                    format!(
                        "the selector matches no pod template of namespace `{}`",
                        pdb.namespace
                    ),
                );
                if let Some(p) = inv.nearest(pdb.namespace, &sel) {
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
