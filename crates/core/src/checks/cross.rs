//! Checks that need other objects of the run: they read the whole input at once, after the
//! per-object pass, through indexes built once (never a pairwise scan over all objects).

use std::collections::HashMap;

use crate::checks::Hit;
use crate::engine::{finding_from_hit, object_anchor, ParsedInput, RunSettings};
use crate::finding::{Finding, Location, Related};
use crate::object::Object;

/// Runs every enabled cross-object check.
#[must_use]
pub fn run(inputs: &[ParsedInput], settings: &RunSettings) -> Vec<Finding> {
    let mut out = Vec::new();
    for active in settings.checks.iter().filter(|c| c.check.cross) {
        if &*active.check.id == "duplicate-object" {
            duplicate_object(inputs, &mut |input, obj, hit| {
                let doc = &input.documents[obj.doc];
                out.push(finding_from_hit(input, obj, doc, active, hit));
            });
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

fn duplicate_object(inputs: &[ParsedInput], report: &mut dyn FnMut(&ParsedInput, &Object, Hit)) {
    let mut first: HashMap<(&str, &str, &str, &str), (&ParsedInput, &Object)> = HashMap::new();
    for (input, obj) in objects(inputs) {
        if obj.id.name.is_empty() {
            continue;
        }
        let key = (
            obj.group(),
            obj.kind(),
            obj.id.namespace.as_deref().unwrap_or(""),
            obj.id.name.as_str(),
        );
        match first.get(&key) {
            None => {
                first.insert(key, (input, obj));
            }
            Some(&(first_input, first_obj)) => {
                let doc = &input.documents[obj.doc];
                let first_doc = &first_input.documents[first_obj.doc];
                let first_anchor = object_anchor(first_obj.root(first_doc));
                let first_loc = Location::new(&first_input.source, first_anchor);
                let mut hit = Hit::new(
                    object_anchor(obj.root(doc)),
                    format!(
                        "{} `{}` is defined twice (first in {} at line {}); the later one replaces the earlier when applied",
                        obj.kind(),
                        obj.id.name,
                        first_input.source.path,
                        first_loc.start.line
                    ),
                );
                hit.related.push(Related {
                    location: first_loc,
                    message: "first defined here".into(),
                });
                report(input, obj, hit);
            }
        }
    }
}
