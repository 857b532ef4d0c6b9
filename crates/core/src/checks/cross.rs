//! Checks that need other objects of the run: they read the whole input at once, after the
//! per-object pass, through indexes built once (never a pairwise scan over all objects).

mod network;
mod rbac;
mod rollouts;
mod services;

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use crate::checks::Hit;
use crate::engine::{finding_from_hit, internal_error, ActiveCheck, ParsedInput, RunSettings};
use crate::finding::{Finding, Location, Related};
use crate::object::inventory::{Entry, Inventory, Origin, PodTemplate};
use crate::object::Object;
use crate::source::Span;

type CrossFn = fn(&mut Cx<'_, '_>);

/// Code of every cross check but `duplicate-object`, which needs no inventory.
const REGISTRY: &[(&str, CrossFn)] = &[
    ("replicas-with-hpa", rollouts::replicas_with_hpa),
    ("hpa-target-unresolved", rollouts::hpa_target_unresolved),
    ("pdb-missing", rollouts::pdb_missing),
    ("pdb-blocks-eviction", rollouts::pdb_blocks_eviction),
    ("pdb-selects-nothing", rollouts::pdb_selects_nothing),
    ("service-selects-nothing", services::service_selects_nothing),
    (
        "service-targetport-unresolved",
        services::service_targetport_unresolved,
    ),
    (
        "ingress-backend-unresolved",
        services::ingress_backend_unresolved,
    ),
    (
        "statefulset-service-missing",
        services::statefulset_service_missing,
    ),
    ("pod-not-isolated", network::pod_not_isolated),
    (
        "networkpolicy-selects-nothing",
        network::networkpolicy_selects_nothing,
    ),
    ("rbac-roleref-unresolved", rbac::rbac_roleref_unresolved),
    ("sa-token-automount", rbac::sa_token_automount),
    ("sa-unresolved", rbac::sa_unresolved),
];

/// The kinds whose selections ([`Inventory::selected`]) each cross check reads: the
/// inventory works them out once, on every thread, for the checks that run.
const SELECTIONS: &[(&str, &str)] = &[
    ("service-selects-nothing", "Service"),
    ("service-targetport-unresolved", "Service"),
    ("pod-not-isolated", "NetworkPolicy"),
    ("networkpolicy-selects-nothing", "NetworkPolicy"),
    ("pdb-missing", "PodDisruptionBudget"),
    ("pdb-blocks-eviction", "PodDisruptionBudget"),
    ("pdb-selects-nothing", "PodDisruptionBudget"),
];

/// What a cross check sees: the run's inventory, and where it reports.
pub(crate) struct Cx<'i, 'a> {
    pub inv: &'i Inventory<'a>,
    pub active: &'i ActiveCheck,
    pub out: &'i mut Vec<Finding>,
}

impl<'a> Cx<'_, 'a> {
    /// Reports `hit` against the input object of entry `index` (externals never get findings).
    fn report(&mut self, index: usize, hit: Hit) {
        if let Origin::Input { input, object } = self.inv.entries[index].origin {
            self.out
                .push(finding_from_hit(input, object, self.active, hit));
        }
    }

    fn param_bool(&self, name: &str) -> bool {
        matches!(
            self.active.params.get(name),
            Some(crate::check::Literal::Bool(true))
        )
    }
}

/// A related location at `span` in the file of `entry`, if it comes from the input.
fn related_at(entry: &Entry<'_>, span: Span, message: String) -> Option<Related> {
    match entry.origin {
        Origin::Input { input, .. } => Some(Related {
            location: Location::new(&input.source, span),
            message,
        }),
        Origin::External(_) => None,
    }
}

/// A related location at the object's `kind:` entry.
fn related_object(entry: &Entry<'_>, message: String) -> Option<Related> {
    related_at(entry, entry.anchor()?, message)
}

/// A related location at a pod template's labels (or its object when it has none).
fn related_pod(inv: &Inventory<'_>, pod: &PodTemplate<'_>, message: String) -> Option<Related> {
    let owner = &inv.entries[pod.owner];
    match pod.labels_key {
        Some(key) => related_at(owner, key, message),
        None => related_object(owner, message),
    }
}

/// `kind/name` as messages show an entry.
fn describe(entry: &Entry<'_>) -> String {
    format!("{} `{}`", entry.kind, entry.name)
}

/// Runs every enabled cross-object check over an inventory built once for the run: the
/// findings of each check, in catalog order.
#[must_use]
pub fn run(inputs: &[ParsedInput], settings: &RunSettings) -> Vec<Vec<Finding>> {
    let active: Vec<&ActiveCheck> = settings.checks.iter().filter(|c| c.check.cross).collect();
    if active.is_empty() {
        return Vec::new();
    }
    let inv = inventory(inputs, settings);
    // The checks only read the inventory, so they run side by side. Each keeps its own
    // findings, which the engine moves straight into the run's list: gathering them into one
    // list here first held them twice (0.5 MiB of the run's peak on 10,000 objects).
    active
        .par_iter()
        .map(|active| run_one(inputs, settings, &inv, active))
        .collect()
}

/// The inventory the cross checks of `settings` read, with the selections they read
/// worked out.
#[must_use]
pub fn inventory<'a>(inputs: &'a [ParsedInput], settings: &'a RunSettings) -> Inventory<'a> {
    let mut selecting_kinds: Vec<&str> = SELECTIONS
        .iter()
        .filter(|(id, _)| settings.checks.iter().any(|a| &*a.check.id == *id))
        .map(|&(_, kind)| kind)
        .collect();
    selecting_kinds.dedup();
    Inventory::build(inputs, settings, &selecting_kinds)
}

fn run_one(
    inputs: &[ParsedInput],
    settings: &RunSettings,
    inv: &Inventory<'_>,
    active: &ActiveCheck,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let f = if &*active.check.id == "duplicate-object" {
        duplicate_object
    } else {
        match REGISTRY.iter().find(|(id, _)| *id == &*active.check.id) {
            Some((_, f)) => *f,
            None => return out,
        }
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        f(&mut Cx {
            inv,
            active,
            out: &mut out,
        });
    }));
    if let Err(panic) = result {
        // A bug in one cross check must not end the run: drop its partial findings and report
        // it on the run's first object (the message names the check).
        out.clear();
        if let Some((input, obj)) = objects(inputs).next() {
            out.push(internal_error(input, obj, settings, &active.check, &panic));
        }
    }
    out
}

/// Every object of the run with its input, in input order.
fn objects(inputs: &[ParsedInput]) -> impl Iterator<Item = (&ParsedInput, &Object)> {
    inputs
        .iter()
        .flat_map(|input| input.objects.iter().map(move |o| (input, o)))
}

/// Files are applied together when they sit in one folder (`kubectl apply -f DIR`); the same
/// object in two folders is usually an overlay or an alternative install, not a clash.
fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The same object (kind, namespace, name and API group) twice in one folder: each later one
/// is reported against the first.
fn duplicate_object(cx: &mut Cx<'_, '_>) {
    let inv = cx.inv;
    for group in inv.same_key_groups() {
        let inputs: Vec<(usize, &ParsedInput, &Object)> = group
            .iter()
            .filter_map(|&i| match inv.entries[i].origin {
                Origin::Input { input, object } => Some((i, input, object)),
                Origin::External(_) => None,
            })
            .collect();
        for (n, &(index, input, obj)) in inputs.iter().enumerate() {
            let same = |&&(_, other, other_obj): &&(usize, &ParsedInput, &Object)| {
                folder_of(&other.source.path) == folder_of(&input.source.path)
                    && other_obj.group() == obj.group()
            };
            let Some(&(_, first_input, first_obj)) = inputs[..n].iter().find(same) else {
                continue;
            };
            let first_loc = Location::new(&first_input.source, first_obj.anchor);
            let place = if std::ptr::eq(first_input, input) {
                format!("first at line {}", first_loc.start.line)
            } else {
                format!(
                    "first in {} at line {}",
                    first_input.source.path, first_loc.start.line
                )
            };
            let mut hit = Hit::new(
                obj.anchor,
                format!(
                    "{} `{}` is defined twice ({place}); applying both, the later replaces the earlier",
                    obj.kind(),
                    obj.id.name,
                ),
            );
            hit.related.push(Related {
                location: first_loc,
                message: "first defined here".into(),
            });
            cx.report(index, hit);
        }
    }
}
