//! Field paths of the check vocabulary (`securityContext.capabilities.add[*]`,
//! `$pod.hostNetwork`, `metadata.annotations["example.com/x"]`) and their resolution against a
//! target, yielding the nodes found (with their full field paths) or where the path stops.

use std::rc::Rc;

use smallvec::SmallVec;

use crate::object::pod::{Container, ContainerField, PodSpec};
use crate::source::Span;
use crate::yaml::NodeRef;

/// What a path starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    /// The check's current target (or the `each` item inside a rule).
    Target,
    /// The pod spec (`$pod.`).
    Pod,
    /// The object's root mapping (`$object.`).
    Object,
    /// The current container (`$container.`).
    Container,
    /// The pod's metadata: the template's for workloads (`$pod-metadata.`).
    PodMetadata,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(Key),
    Index(usize),
    /// Every item of a sequence, or every value of a mapping.
    Each,
}

/// A mapping key of a path, with its lookup mark worked out once (see
/// [`crate::yaml::key_mark`]): a run looks each path's keys up on every object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    text: String,
    mark: crate::yaml::KeyMark,
    /// [`is_plain_key`], worked out once: findings spell the key out.
    plain: bool,
    /// The container field this key is, read from the container (see [`ContainerField`])
    /// when the step starts there.
    container_field: Option<ContainerField>,
}

impl From<&str> for Key {
    fn from(text: &str) -> Self {
        Self {
            text: text.to_string(),
            mark: crate::yaml::key_mark(text.as_bytes()),
            plain: is_plain_key(text),
            container_field: ContainerField::of_key(text),
        }
    }
}

impl std::ops::Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

#[derive(Clone, Debug)]
pub struct FieldPath {
    pub root: Root,
    pub steps: Vec<Step>,
    pub text: String,
    /// Whether a step is `[*]`, worked out once: every test of every check asks.
    wildcard: bool,
}

impl FieldPath {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (root, rest) = [
            ("$pod-metadata", Root::PodMetadata),
            ("$pod", Root::Pod),
            ("$object", Root::Object),
            ("$container", Root::Container),
        ]
        .into_iter()
        .find_map(|(prefix, root)| {
            let rest = text.strip_prefix(prefix)?;
            (rest.is_empty() || rest.starts_with('.')).then(|| (root, rest.trim_start_matches('.')))
        })
        .unwrap_or((Root::Target, text));
        if text.starts_with('$') && root == Root::Target {
            return Err(format!(
                "unknown path root in `{text}`; use $pod, $pod-metadata, $object or $container"
            ));
        }
        let mut steps = Vec::new();
        let b = rest.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'.' => i += 1,
                b'[' => {
                    let close = rest[i..]
                        .find(']')
                        .map(|c| i + c)
                        .ok_or_else(|| format!("unclosed `[` in `{text}`"))?;
                    let inner = &rest[i + 1..close];
                    let step = if inner == "*" {
                        Step::Each
                    } else if let Some(quoted) =
                        inner.strip_prefix('"').and_then(|s| s.strip_suffix('"'))
                    {
                        Step::Key(quoted.into())
                    } else {
                        Step::Index(inner.parse().map_err(|_| {
                            format!("`[{inner}]` in `{text}` is not an index, `*` or a quoted key")
                        })?)
                    };
                    steps.push(step);
                    i = close + 1;
                }
                _ => {
                    let end = rest[i..].find(['.', '[']).map_or(rest.len(), |e| i + e);
                    steps.push(Step::Key(rest[i..end].into()));
                    i = end;
                }
            }
        }
        Ok(Self {
            root,
            wildcard: steps.iter().any(|s| matches!(s, Step::Each)),
            steps,
            text: text.to_string(),
        })
    }
}

/// The nodes a path starts from. Their field paths from the document root are spelled out
/// only for a finding: most scopes yield none, and a run has one scope per check per object.
#[derive(Clone, Debug)]
pub struct Scope<'d> {
    pub object: NodeRef<'d>,
    /// The object's own field path (`items[2]` in a `List`, else empty).
    pub object_path: &'d str,
    /// Borrowed from the object's view: a scope is made for every check of every container,
    /// and a pod spec and a container copied in made it nearly three times as large.
    pub pod: Option<&'d PodSpec<'d>>,
    pub container: Option<&'d Container<'d>>,
    pub target: NodeRef<'d>,
    pub target_path: TargetPath,
    /// Where a finding about something missing directly in the target points.
    pub target_anchor: Span,
}

/// Which of the scope's nodes the target is, for spelling out its field path.
#[derive(Clone, Debug)]
pub enum TargetPath {
    Object,
    Pod,
    Container,
    /// An `each:` item, whose path is spelled out once the rule holds for it.
    Item(Rc<str>),
}

/// What a wildcard (`[*]`) matched: the only part of a resolved path not written in the
/// [`FieldPath`] itself.
#[derive(Clone, Copy, Debug)]
enum Choice<'d> {
    /// The key node: its text is read only when a finding spells the path out.
    Key(NodeRef<'d>),
    Index(usize),
}

/// One end of a path.
#[derive(Clone, Debug)]
pub struct Resolved<'d, 'p> {
    /// The node found, or for a missing field the deepest node that exists on the way.
    pub node: NodeRef<'d>,
    /// The key whose value is `node`, when `node` is a mapping value.
    pub key: Option<NodeRef<'d>>,
    pub found: bool,
    /// `node` is the scope root itself (nothing of the path exists).
    pub at_root: bool,
    /// The path resolved, and how many of its steps were taken. The field path of `node` is
    /// spelled out from these only when a witness needs it.
    path: &'p FieldPath,
    depth: usize,
    /// What each wildcard step matched, in order (inline for up to two wildcards, the most any
    /// built-in path has).
    choices: SmallVec<[Choice<'d>; 2]>,
}

impl<'d> Resolved<'d, '_> {
    /// The field path of `node` from the document root, as findings report it.
    #[must_use]
    pub fn path(&self, scope: &Scope<'_>) -> String {
        // One buffer for the whole path: each finding spells one out, and growing it piece by
        // piece (the base, then each step) cost several reallocations a finding.
        let mut out = String::with_capacity(PATH_CAPACITY);
        scope.write_base_path(self.path.root, &mut out);
        let mut choices = self.choices.iter();
        for step in &self.path.steps[..self.depth] {
            match step {
                Step::Key(k) => push_key_as(&mut out, k, k.plain),
                Step::Index(i) => push_index(&mut out, *i),
                Step::Each => match choices.next() {
                    Some(Choice::Key(k)) => push_key(&mut out, k.text().unwrap_or_default()),
                    Some(Choice::Index(i)) => push_index(&mut out, *i),
                    None => {}
                },
            }
        }
        out
    }
}

/// Room for most field paths a finding spells out
/// (`spec.jobTemplate.spec.template.spec.containers[0].securityContext.capabilities.add[0]`).
const PATH_CAPACITY: usize = 96;

impl<'d> Scope<'d> {
    fn start(&self, root: Root) -> Option<NodeRef<'d>> {
        match root {
            Root::Target => Some(self.target),
            Root::Pod => self.pod.map(|p| p.spec),
            Root::Object => Some(self.object),
            Root::Container => self.container.map(|c| c.node),
            Root::PodMetadata => self.pod.and_then(|p| p.metadata),
        }
    }

    fn write_base_path(&self, root: Root, out: &mut String) {
        match root {
            Root::Target => self.write_target_path(out),
            Root::Pod => self.write_pod_path(out),
            Root::Object => out.push_str(self.object_path),
            Root::Container => self.write_container_path(out),
            Root::PodMetadata => {
                let start = out.len();
                self.write_pod_path(out);
                if out[start..].ends_with("spec") {
                    out.truncate(out.len() - "spec".len());
                }
                out.push_str("metadata");
            }
        }
    }

    /// The field path of the target.
    #[must_use]
    pub fn target_path(&self) -> String {
        let mut out = String::with_capacity(PATH_CAPACITY);
        self.write_target_path(&mut out);
        out
    }

    fn write_target_path(&self, out: &mut String) {
        match &self.target_path {
            TargetPath::Object => out.push_str(self.object_path),
            TargetPath::Pod => self.write_pod_path(out),
            TargetPath::Container => self.write_container_path(out),
            TargetPath::Item(path) => out.push_str(path),
        }
    }

    /// [`join_path`] of the object's path and the pod spec's, when there is a pod spec.
    fn write_pod_path(&self, out: &mut String) {
        if let Some(p) = self.pod {
            push_joined(out, self.object_path, p.path);
        }
    }

    /// [`Container::field_path`] of the container under the pod spec's path.
    fn write_container_path(&self, out: &mut String) {
        if let Some(c) = self.container {
            let start = out.len();
            self.write_pod_path(out);
            c.push_field_path(out, start, "");
        }
    }

    /// A cursor at the start of `path`, or `None` when its root is absent (no pod spec, no
    /// container).
    fn cursor<'p>(&self, path: &'p FieldPath) -> Option<Resolved<'d, 'p>> {
        Some(Resolved {
            node: self.start(path.root)?,
            key: None,
            found: true,
            at_root: true,
            path,
            depth: 0,
            choices: SmallVec::new(),
        })
    }

    /// Every end of `path`: found nodes, or the deepest existing node where a step is missing.
    #[must_use]
    pub fn resolve<'p>(&self, path: &'p FieldPath) -> Ends<'d, 'p> {
        let Some(mut cursor) = self.cursor(path) else {
            return Ends::Many(Vec::new());
        };
        if path.has_wildcard() {
            let mut ends = Vec::new();
            walk(&mut cursor, &path.steps, &mut |end| {
                ends.push(end.clone());
                false
            });
            Ends::Many(ends)
        } else {
            Ends::One(resolve_plain(cursor, &path.steps))
        }
    }

    /// Where a path without wildcards ends: the node, whether it is what the path names (else
    /// the deepest node on the way), and whether it is the start itself. `None` when the
    /// path's root is absent. The same end as [`Scope::resolve`], without a cursor.
    #[must_use]
    pub fn plain_end(&self, path: &FieldPath) -> Option<(NodeRef<'d>, bool, bool)> {
        let mut node = self.start(path.root)?;
        let mut at_root = true;
        // `Resolved::advance` takes the same steps, and also makes each key's cursor, which
        // tests do not read (1% of a lint's instructions when shared).
        for step in &path.steps {
            let next = match step {
                Step::Key(k) if at_root => self.entry_at(node, k).map(|(_, value)| value),
                Step::Key(k) => node.get_entry_marked(k, k.mark).map(|(_, value)| value),
                Step::Index(i) => node.items().nth(*i),
                Step::Each => unreachable!("only paths without wildcards end plainly"),
            };
            match next {
                Some(n) => {
                    node = n;
                    at_root = false;
                }
                None => return Some((node, false, at_root)),
            }
        }
        Some((node, true, at_root))
    }

    /// Whether `f` is true for some end of `path`, visiting the ends in order and stopping at
    /// the first: nothing is collected, so testing a rule allocates nothing for its paths.
    pub fn any_end<'p>(
        &self,
        path: &'p FieldPath,
        mut f: impl FnMut(&Resolved<'d, 'p>) -> bool,
    ) -> bool {
        let Some(mut cursor) = self.cursor(path) else {
            return false;
        };
        if path.has_wildcard() {
            walk(&mut cursor, &path.steps, &mut f)
        } else {
            f(&resolve_plain(cursor, &path.steps))
        }
    }

    /// Whether `f(node, found, at_root)` is true at some end of `path`, as [`Scope::any_end`]
    /// with a test that reads only where each end is ([`Scope::plain_end`]'s triple): a test
    /// needs no cursor, whose key, depth and wildcard choices cost more to keep up to date on
    /// every item of `labels[*]` or `env[*]` than the test itself.
    pub fn any_end_at(
        &self,
        path: &FieldPath,
        mut f: impl FnMut(NodeRef<'d>, bool, bool) -> bool,
    ) -> bool {
        let Some(start) = self.start(path.root) else {
            return false;
        };
        match path.steps.split_first() {
            // The first step may be the container's, read from it: `ends_at` takes the rest.
            Some((Step::Key(k), rest)) => match self.entry_at(start, k) {
                Some((_, next)) => ends_at(next, false, rest, &mut f),
                None => f(start, false, true),
            },
            _ => ends_at(start, true, &path.steps, &mut f),
        }
    }

    /// The entry of key `k` in `node`, read from the container when `node` is the
    /// container's mapping and `k` one of its [`ContainerField`]s.
    #[inline]
    fn entry_at(&self, node: NodeRef<'d>, k: &Key) -> Option<(NodeRef<'d>, NodeRef<'d>)> {
        if let (Some(field), Some(c)) = (k.container_field, self.container) {
            if node.id == c.node.id && std::ptr::eq(node.doc, c.node.doc) {
                return c.entry(field);
            }
        }
        node.get_entry_marked(k, k.mark)
    }
}

/// [`walk`] for [`Scope::any_end_at`]: the same ends, in the same order, as nodes.
fn ends_at<'d>(
    mut node: NodeRef<'d>,
    mut at_root: bool,
    steps: &[Step],
    f: &mut impl FnMut(NodeRef<'d>, bool, bool) -> bool,
) -> bool {
    for (taken, step) in steps.iter().enumerate() {
        let next = match step {
            Step::Key(k) => node.get_entry_marked(k, k.mark).map(|(_, value)| value),
            Step::Index(i) => node.items().nth(*i),
            Step::Each => {
                let rest = &steps[taken + 1..];
                let mut end = |item| {
                    if rest.is_empty() {
                        f(item, true, false)
                    } else {
                        ends_at(item, false, rest, f)
                    }
                };
                return if node.is_map() {
                    node.entries().any(|(_, value)| end(value))
                } else {
                    node.items().any(end)
                };
            }
        };
        match next {
            Some(n) => {
                node = n;
                at_root = false;
            }
            None => return f(node, false, at_root),
        }
    }
    f(node, true, at_root)
}

impl FieldPath {
    #[must_use]
    pub fn has_wildcard(&self) -> bool {
        self.wildcard
    }
}

/// The ends of a path: exactly one for a path without wildcards (kept inline: resolving the
/// paths of every check on every object allocates nothing), any number otherwise.
#[derive(Debug)]
pub enum Ends<'d, 'p> {
    One(Resolved<'d, 'p>),
    Many(Vec<Resolved<'d, 'p>>),
}

impl<'d, 'p> std::ops::Deref for Ends<'d, 'p> {
    type Target = [Resolved<'d, 'p>];

    fn deref(&self) -> &Self::Target {
        match self {
            Ends::One(end) => std::slice::from_ref(end),
            Ends::Many(ends) => ends,
        }
    }
}

impl Resolved<'_, '_> {
    /// Takes a key or index step in place; a missing step leaves the end where it is, not found.
    fn advance(&mut self, step: &Step) {
        let next = match step {
            Step::Key(k) => self
                .node
                .get_entry_marked(k, k.mark)
                .map(|(key, value)| (value, Some(key))),
            Step::Index(i) => self.node.items().nth(*i).map(|item| (item, None)),
            Step::Each => unreachable!("wildcards branch in resolve_each"),
        };
        match next {
            Some((node, key)) => {
                self.node = node;
                self.key = key;
                self.at_root = false;
                self.depth += 1;
            }
            None => self.found = false,
        }
    }
}

/// Follows a path without wildcards as far as it exists.
fn resolve_plain<'d, 'p>(mut cur: Resolved<'d, 'p>, steps: &[Step]) -> Resolved<'d, 'p> {
    for step in steps {
        cur.advance(step);
        if !cur.found {
            break;
        }
    }
    cur
}

/// Follows a path with wildcards from `cursor`, branching at each, depth first (the order
/// in which findings list them), and calls `f` at each end until it returns true. The cursor
/// is moved along and restored, so only a collected end is ever copied.
fn walk<'d, 'p>(
    cursor: &mut Resolved<'d, 'p>,
    steps: &[Step],
    f: &mut impl FnMut(&Resolved<'d, 'p>) -> bool,
) -> bool {
    if !cursor.found {
        return f(cursor);
    }
    let saved = (cursor.node, cursor.key, cursor.at_root, cursor.depth);
    // Keys and indexes up to the next wildcard are followed in place, without recursing.
    let mut steps = steps;
    let stop = loop {
        let Some((step, rest)) = steps.split_first() else {
            break f(cursor);
        };
        if !cursor.found {
            break f(cursor);
        }
        if !matches!(step, Step::Each) {
            cursor.advance(step);
            steps = rest;
            continue;
        }
        let depth = cursor.depth;
        let mut branch = |cursor: &mut Resolved<'d, 'p>, node, key, choice| {
            cursor.node = node;
            cursor.key = key;
            cursor.at_root = false;
            cursor.depth = depth + 1;
            cursor.choices.push(choice);
            // A wildcard ending the path (`labels[*]`, `env[*]`, the most common) calls `f`
            // on each item directly.
            let stop = if rest.is_empty() {
                f(cursor)
            } else {
                walk(cursor, rest, f)
            };
            cursor.choices.pop();
            stop
        };
        // The cursor moves to each item in turn; it is put back below.
        let node = cursor.node;
        break if node.is_map() {
            node.entries()
                .any(|(k, value)| branch(cursor, value, Some(k), Choice::Key(k)))
        } else {
            node.items()
                .enumerate()
                .any(|(i, item)| branch(cursor, item, None, Choice::Index(i)))
        };
    };
    (cursor.node, cursor.key, cursor.at_root, cursor.depth) = saved;
    cursor.found = true;
    stop
}

/// `base.rel`, or either alone when the other is empty.
#[must_use]
pub fn join_path(base: &str, rel: &str) -> String {
    // Built by hand: checks join paths for every container they look at, and `format!` cost
    // several times the copying.
    let mut out = String::with_capacity(base.len() + rel.len() + 1);
    push_joined(&mut out, base, rel);
    out
}

/// Appends [`join_path`] of `base` and `rel`.
fn push_joined(out: &mut String, base: &str, rel: &str) {
    out.push_str(base);
    if !base.is_empty() && !rel.is_empty() {
        out.push('.');
    }
    out.push_str(rel);
}

/// Appends `[i]`, without the formatting machinery (a finding's path has one or two).
pub(crate) fn push_index(out: &mut String, i: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = i;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.push('[');
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
    out.push(']');
}

/// Appends `.key`, or `["key"]` for a key that is not a plain identifier (`a.b/c`).
fn push_key(out: &mut String, key: &str) {
    push_key_as(out, key, is_plain_key(key));
}

/// A key that a field path spells without quotes.
fn is_plain_key(key: &str) -> bool {
    key.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// [`push_key`] for a key whose [`is_plain_key`] is known.
fn push_key_as(out: &mut String, key: &str, plain: bool) {
    if !plain {
        out.push_str("[\"");
        out.push_str(key);
        out.push_str("\"]");
        return;
    }
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_spelled_as_formatting_would() {
        for i in [
            0,
            1,
            7,
            9,
            10,
            11,
            99,
            100,
            101,
            4096,
            123_456_789,
            usize::MAX,
        ] {
            let mut out = String::from("x");
            push_index(&mut out, i);
            assert_eq!(out, format!("x[{i}]"));
        }
    }

    #[test]
    fn parses_roots_wildcards_and_quoted_keys() {
        let p = FieldPath::parse("$pod.volumes[*].hostPath.path").unwrap();
        assert_eq!(p.root, Root::Pod);
        assert_eq!(
            p.steps,
            vec![
                Step::Key("volumes".into()),
                Step::Each,
                Step::Key("hostPath".into()),
                Step::Key("path".into())
            ]
        );
        let q = FieldPath::parse(r#"metadata.annotations["a.b/c"]"#).unwrap();
        assert_eq!(q.steps[2], Step::Key("a.b/c".into()));
        assert_eq!(
            FieldPath::parse("ports[0]").unwrap().steps[1],
            Step::Index(0)
        );
        assert!(FieldPath::parse("$nope.x").is_err());
        assert!(FieldPath::parse("a[x]").is_err());
    }

    /// A scope whose object and target are `root`.
    fn object_scope(root: NodeRef<'_>) -> Scope<'_> {
        Scope {
            object: root,
            object_path: "",
            pod: None,
            container: None,
            target: root,
            target_path: TargetPath::Object,
            target_anchor: root.span(),
        }
    }

    /// Paths from a container end where they end from its mapping alone: the container's
    /// first step, read from the fields it keeps, finds what a lookup finds, also where that
    /// field is absent, null, merged in or an alias.
    #[test]
    fn paths_from_a_container_end_as_from_its_mapping() {
        let source = crate::source::SourceFile::new(
            "t.yaml",
            "spec:\n  containers:\n    - &c {name: a, resources: {requests: {cpu: 1}}, env: [{name: X}]}\n    - {<<: *c, name: b, securityContext: ~}\n    - {name: c, ports: [{containerPort: 1}], env: {}}\n",
        );
        let parsed = crate::yaml::parse(&source);
        let root = parsed.documents[0].root().unwrap();
        let pod = PodSpec::find(root, "spec").unwrap();
        let containers: Vec<Container<'_>> = pod.containers().collect();
        let paths = [
            "resources.requests.cpu",
            "resources.limits",
            "resources",
            "securityContext.privileged",
            "env[*].name",
            "env[*]",
            "ports[*].containerPort",
            "image",
            "name",
            "nope.deeper",
        ];
        for c in &containers {
            let with = Scope {
                container: Some(c),
                target: c.node,
                ..object_scope(root)
            };
            let without = Scope {
                target: c.node,
                ..object_scope(root)
            };
            for text in paths {
                let path = FieldPath::parse(text).unwrap();
                let ends = |scope: &Scope<'_>| {
                    let mut ends = Vec::new();
                    scope.any_end_at(&path, |node, found, at_root| {
                        ends.push((node.span(), found, at_root));
                        false
                    });
                    (
                        ends,
                        (!path.has_wildcard())
                            .then(|| scope.plain_end(&path))
                            .flatten()
                            .map(|(n, f, r)| (n.span(), f, r)),
                    )
                };
                assert_eq!(
                    ends(&with),
                    ends(&without),
                    "{text} in container {}",
                    c.name
                );
                // A scope keeps its container while its target moves (to an `each:` item, here
                // the object): paths from there do not read the container's fields.
                let elsewhere = Scope {
                    container: Some(c),
                    ..object_scope(root)
                };
                assert_eq!(
                    ends(&elsewhere),
                    ends(&object_scope(root)),
                    "{text} from the object"
                );
            }
        }
    }

    /// `plain_end`, which tests follow, ends where `resolve`, which findings report, does:
    /// found or not, at the start or not, on the same node.
    #[test]
    fn plain_ends_agree_with_resolved_ends() {
        let source = crate::source::SourceFile::new(
            "t.yaml",
            "a:\n  b: {c: 1, e: null}\n  list: [x, {y: 2}]\n  empty: {}\nz: ~\n",
        );
        let parsed = crate::yaml::parse(&source);
        let root = parsed.documents[0].root().unwrap();
        let scope = object_scope(root);
        let paths = [
            "a",
            "a.b",
            "a.b.c",
            "a.b.e",
            "a.b.missing",
            "a.b.c.deeper",
            "a.list[0]",
            "a.list[1].y",
            "a.list[2]",
            "a.list[1].nope",
            "a.empty",
            "a.empty.x",
            "z",
            "z.q",
            "nope",
            "nope.deeper",
            "$pod.hostNetwork",
        ];
        for text in paths {
            let path = FieldPath::parse(text).unwrap();
            let plain = scope
                .plain_end(&path)
                .map(|(node, found, at_root)| (node.span(), found, at_root));
            let resolved = scope
                .resolve(&path)
                .first()
                .map(|end| (end.node.span(), end.found, end.at_root));
            assert_eq!(plain, resolved, "{text}");
        }
    }

    /// `any_end_at`, which tests follow, meets the ends `resolve` reports, in its order: found
    /// or not, at the start or not, on the same nodes; through wildcards over mappings and
    /// sequences, nested ones, and wildcards on scalars and missing fields.
    #[test]
    fn ends_at_agree_with_resolved_ends() {
        let source = crate::source::SourceFile::new(
            "t.yaml",
            "a:\n  m: {p: 1, q: {r: 2}, s: [3]}\n  l: [x, {y: 2}, [z, w], {y: 4, k: [5, 6]}]\n  s: text\n  e: []\nz: ~\n",
        );
        let parsed = crate::yaml::parse(&source);
        let root = parsed.documents[0].root().unwrap();
        let scope = object_scope(root);
        let paths = [
            "a.m[*]",
            "a.m[*].r",
            "a.m[*][*]",
            "a.l[*]",
            "a.l[*].y",
            "a.l[*][*]",
            "a.l[*].k[*]",
            "a.l[3].k[*]",
            "a.s[*]",
            "a.e[*]",
            "a.nope[*]",
            "nope[*].x",
            "z[*]",
            "[*]",
            "a.m.p",
            "a.m.nope",
            "$pod.volumes[*]",
        ];
        for text in paths {
            let path = FieldPath::parse(text).unwrap();
            let mut ends = Vec::new();
            scope.any_end_at(&path, |node, found, at_root| {
                ends.push((node.span(), found, at_root));
                false
            });
            let resolved: Vec<_> = scope
                .resolve(&path)
                .iter()
                .map(|end| (end.node.span(), end.found, end.at_root))
                .collect();
            assert_eq!(ends, resolved, "{text}");
        }
        // Stops at the first end the test is true for.
        let path = FieldPath::parse("a.l[*]").unwrap();
        let mut met = 0;
        assert!(scope.any_end_at(&path, |_, _, _| {
            met += 1;
            met == 2
        }));
        assert_eq!(met, 2);
    }
}
