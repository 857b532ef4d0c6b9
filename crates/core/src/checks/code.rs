//! Single-object checks written in Rust because the declarative vocabulary cannot say them
//! (parsing image references, quantities, schedules; versioned tables).

use std::cell::RefCell;
use std::rc::Rc;

use regex::Regex;

use crate::checks::{CodeCtx, CodeEntry, Needs};
use crate::object::pod::ContainerField;

pub(crate) const REGISTRY: &[CodeEntry] = &[("image-tag-mutable", image_tag_mutable, Needs::Pod)];

/// A container image reference split the way the container runtime reads it.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host and repository path, without tag or digest.
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

#[must_use]
pub fn parse_image(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    // A `:` after the last `/` starts the tag; one before it is a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => ImageRef {
            name: &rest[..last_slash + i],
            tag: Some(&rest[last_slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            name: rest,
            tag: None,
            digest,
        },
    }
}

/// A pattern and what compiling it gave (`None`: it does not compile).
type CompiledPattern = (Box<str>, Option<Rc<Regex>>);

/// Regexes from check parameters (and the fixed patterns of code checks), compiled once per
/// pattern and thread. Kept per thread rather than shared: a shared cache cost a lock and two
/// contended reference-count updates per lookup, and a `Regex` used from several threads
/// passes its matching cache between them through a pool. (A cloned `Regex` would start with
/// an empty cache on every object, which cost more than the match itself.)
pub(crate) fn cached_regex(pattern: &str) -> Option<Rc<Regex>> {
    // A list, not a hash map: a run uses a handful of patterns, some of them long, and
    // hashing the pattern on every object cost more than comparing lengths and then text.
    thread_local! {
        static CACHE: RefCell<Vec<CompiledPattern>> = const { RefCell::new(Vec::new()) };
    }
    CACHE.with(|cache| {
        if let Some((_, found)) = cache
            .borrow()
            .iter()
            .find(|(p, _)| p.len() == pattern.len() && **p == *pattern)
        {
            return found.clone();
        }
        let compiled = Regex::new(pattern).ok().map(Rc::new);
        cache.borrow_mut().push((pattern.into(), compiled.clone()));
        compiled
    })
}

fn image_tag_mutable(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.pod.is_none() {
        return;
    }
    let block = ctx.param_strings("blockTags");
    let allow = ctx.param_strings("allowTags");
    for c in ctx.containers() {
        let Some(node) = c.get(ContainerField::Image) else {
            continue;
        };
        let Some(image) = node.as_str() else { continue };
        let parsed = parse_image(image);
        if parsed.digest.is_some() {
            continue;
        }
        let problem = match parsed.tag {
            None => Some(format!(
                "container `{}` uses image `{image}` without a tag, which means `latest`",
                c.name
            )),
            Some(tag) => {
                let matches = |pats: &[&str]| {
                    pats.iter()
                        .any(|p| cached_regex(p).is_some_and(|r| r.is_match(tag)))
                };
                if matches(&block) {
                    Some(format!(
                        "container `{}` uses the mutable tag `{tag}` (`{image}`)",
                        c.name
                    ))
                } else if !allow.is_empty() && !matches(&allow) {
                    Some(format!(
                        "container `{}` uses tag `{tag}`, which is not in the allowed tags",
                        c.name
                    ))
                } else {
                    None
                }
            }
        };
        if let Some(message) = problem {
            let hit = ctx.container_hit(c, node.span(), "image", message);
            ctx.report(hit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        assert_eq!(
            parse_image("nginx"),
            ImageRef {
                name: "nginx",
                tag: None,
                digest: None
            }
        );
        assert_eq!(parse_image("localhost:5000/app").tag, None);
        assert_eq!(parse_image("localhost:5000/app:1.2").tag, Some("1.2"));
        assert_eq!(parse_image("nginx:latest").tag, Some("latest"));
        let d = parse_image("ghcr.io/a/b:1@sha256:abc");
        assert_eq!((d.tag, d.digest), (Some("1"), Some("sha256:abc")));
    }
}
