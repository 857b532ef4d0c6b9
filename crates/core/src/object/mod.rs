//! Kubernetes objects found in parsed documents: which documents are objects at all, `List`
//! expansion, identity (apiVersion, kind, namespace, name) and what makes an object invalid.

pub mod facts;
pub mod inventory;
pub mod pod;
pub mod selector;

use std::sync::Arc;

use crate::finding::ObjectId;
use crate::source::Span;
use crate::yaml::{Document, NodeId, NodeRef};

/// One Kubernetes object of the run: where its mapping is and who it is.
#[derive(Clone, Debug)]
pub struct Object {
    pub file: usize,
    pub doc: usize,
    /// The object's mapping in its document. Trees go once their file is linted (see
    /// [`crate::engine::ParsedInput::documents`]), so this only means something until then.
    pub node: NodeId,
    /// Where the object's mapping is written.
    pub span: Span,
    /// Its `kind:` entry (the mapping when it has none): where findings about the object as a
    /// whole point.
    pub anchor: Span,
    pub id: Arc<ObjectId>,
    /// Field path prefix of the object inside its document (`items[2]` for List items).
    pub base_path: String,
    /// What the cross-object checks read of it, taken while its tree was whole.
    pub facts: facts::Facts,
}

impl Object {
    #[must_use]
    pub fn root<'d>(&self, doc: &'d Document) -> NodeRef<'d> {
        doc.node(self.node)
    }

    /// The API group (`apps` for `apps/v1`, empty for the core group).
    #[must_use]
    pub fn group(&self) -> &str {
        group_of(&self.id.api_version)
    }

    #[must_use]
    pub fn kind(&self) -> &str {
        &self.id.kind
    }
}

#[must_use]
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Texts a thread keeps one shared copy of, at most: enough for every apiVersion, kind and
/// namespace of a real run, while an input that names a new kind per object costs a copy per
/// object as before, not an ever longer search.
const SHARED_TEXTS: usize = 64;

/// One shared copy of an apiVersion, kind or namespace: these repeat across a run's objects,
/// and every object holds its identity to the end of the run (up to three small allocations
/// and 24 bytes of each identity saved per object; gen10k's peak on two threads fell by
/// 0.7 MiB).
#[must_use]
pub fn shared_text(text: &str) -> Arc<str> {
    thread_local! {
        static MET: std::cell::RefCell<Vec<(u32, Arc<str>)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    // Each text is met with a tag of its length and its first and last bytes, which tells
    // most other texts apart without comparing them: kinds, apiVersions and namespaces are
    // short and often of one length.
    let tag = text_tag(text);
    MET.with_borrow_mut(|met| {
        if let Some((_, found)) = met.iter().find(|(t, m)| *t == tag && **m == *text) {
            return Arc::clone(found);
        }
        let text: Arc<str> = Arc::from(text);
        if met.len() < SHARED_TEXTS {
            met.push((tag, Arc::clone(&text)));
        }
        text
    })
}

/// The length of `text` (to 64 KiB) with its first and last bytes, as one integer.
fn text_tag(text: &str) -> u32 {
    let bytes = text.as_bytes();
    let first = bytes.first().copied().unwrap_or(0);
    let last = bytes.last().copied().unwrap_or(0);
    (u32::from(first) << 24) | (u32::from(last) << 16) | (text.len() as u32 & 0xFFFF)
}

/// What a short iterator yields, in a vector sized by the iterator's upper bound: `collect`
/// and `push` start a vector at four elements, while a Service has one or two ports and a
/// selector one or two labels, and the run keeps these to its end (on 10,000 objects, about
/// 1 MiB of capacity nothing used).
pub(crate) fn collect_small<T>(items: impl Iterator<Item = T>) -> Vec<T> {
    let (lower, upper) = items.size_hint();
    let mut out = Vec::with_capacity(upper.unwrap_or(lower));
    out.extend(items);
    out
}

/// Why a document that looks like an object cannot be one.
#[derive(Clone, Debug)]
pub struct InvalidObject {
    pub span: Span,
    pub message: String,
}

/// The outcome of looking at one document.
#[derive(Debug, Default)]
pub struct Extracted {
    pub objects: Vec<(NodeId, ObjectId, String)>,
    pub invalid: Vec<InvalidObject>,
}

/// Kinds that tools read but that never reach a cluster.
const NON_CLUSTER_KINDS: &[(&str, &str)] = &[
    ("kustomize.config.k8s.io", "Kustomization"),
    ("kustomize.config.k8s.io", "Component"),
];

/// Finds the objects of a document: the document itself, or the items of a `List`/`*List`.
#[must_use]
pub fn extract(doc: &Document) -> Extracted {
    let mut out = Extracted::default();
    let Some(root) = doc.root() else {
        return out;
    };
    if !root.is_map() {
        return out;
    }
    let fields = TopFields::of(root);
    let (api_version, kind) = (fields.api_version.map(|e| e.1), fields.kind.map(|e| e.1));
    if kind.is_none() && (api_version.is_none() || fields.metadata.is_none_or(|m| !m.is_map())) {
        // Helm values, Chart.yaml, CI config: not meant as Kubernetes objects.
        return out;
    }
    let kind_text = kind.and_then(NodeRef::as_str).unwrap_or_default();
    let api_text = api_version.and_then(NodeRef::as_str).unwrap_or_default();
    if NON_CLUSTER_KINDS
        .iter()
        .any(|&(g, k)| k == kind_text && group_of(api_text) == g)
    {
        return out;
    }
    if kind_text.ends_with("List") {
        if let Some(items) = root.get("items") {
            if items.is_seq() || items.is_null() {
                let item_kind = kind_text.strip_suffix("List").unwrap_or_default();
                for (i, item) in items.items().enumerate() {
                    let path = format!("items[{i}]");
                    let fields = if item.is_map() {
                        TopFields::of(item)
                    } else {
                        TopFields::default()
                    };
                    check_object(item, &fields, Some((api_text, item_kind)), path, &mut out);
                }
                return out;
            }
        }
    }
    check_object(root, &fields, None, String::new(), &mut out);
    out
}

/// The entries of an object's mapping that extraction reads, each looked up once.
#[derive(Default)]
struct TopFields<'d> {
    api_version: Option<(NodeRef<'d>, NodeRef<'d>)>,
    kind: Option<(NodeRef<'d>, NodeRef<'d>)>,
    metadata: Option<NodeRef<'d>>,
}

impl<'d> TopFields<'d> {
    fn of(node: NodeRef<'d>) -> Self {
        Self {
            api_version: node.get_entry("apiVersion"),
            kind: node.get_entry("kind"),
            metadata: node.get("metadata"),
        }
    }
}

fn check_object(
    node: NodeRef<'_>,
    fields: &TopFields<'_>,
    list_defaults: Option<(&str, &str)>,
    path: String,
    out: &mut Extracted,
) {
    // Every problem of one object becomes one finding, at the first problem's place.
    if !node.is_map() {
        out.invalid.push(InvalidObject {
            span: node.span(),
            message: "a List item must be a mapping (an object)".into(),
        });
        return;
    }
    let mut problems: Vec<InvalidObject> = Vec::new();
    let mut invalid = |span: Span, message: String| problems.push(InvalidObject { span, message });
    let anchor = fields
        .kind
        .map_or(Span::new(node.span().start, node.span().start), |(k, _)| {
            k.span()
        });
    let mut field = |name: &str,
                     entry: Option<(NodeRef<'_>, NodeRef<'_>)>,
                     default: Option<&str>|
     -> Option<Arc<str>> {
        match entry {
            Some((_, value)) => match value.as_str() {
                Some(s) if !s.is_empty() => Some(shared_text(s)),
                Some(_) => {
                    invalid(value.span(), format!("`{name}` is empty"));
                    None
                }
                None if value.is_null() => {
                    invalid(value.span(), format!("`{name}` has no value"));
                    None
                }
                None => {
                    let shown = value.as_display().unwrap_or_else(|| "a collection".into());
                    invalid(
                        value.span(),
                        format!("`{name}` must be a string, but Kubernetes reads `{shown}` here as something else"),
                    );
                    None
                }
            },
            None => match default {
                Some(d) if !d.is_empty() => Some(shared_text(d)),
                _ => {
                    invalid(anchor, format!("the object has no `{name}`"));
                    None
                }
            },
        }
    };
    let api_version = field("apiVersion", fields.api_version, list_defaults.map(|d| d.0));
    let kind = field("kind", fields.kind, list_defaults.map(|d| d.1));
    let metadata = fields.metadata;
    let name = metadata.and_then(|m| {
        m.get("name")
            .or_else(|| m.get("generateName"))
            .and_then(NodeRef::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    });
    let namespace = metadata
        .and_then(|m| m.get("namespace"))
        .and_then(NodeRef::as_str)
        .filter(|s| !s.is_empty())
        .map(shared_text);
    if name.is_none() {
        let (span, what) = match metadata {
            Some(m) if m.is_map() => (
                node.get_entry("metadata").map_or(anchor, |(k, _)| k.span()),
                "`metadata` has neither `name` nor `generateName`",
            ),
            Some(m) => (m.span(), "`metadata` must be a mapping with a `name`"),
            None => (anchor, "the object has no `metadata.name`"),
        };
        problems.push(InvalidObject {
            span,
            message: what.into(),
        });
    }
    if let Some(first) = problems.first() {
        let message = problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        out.invalid.push(InvalidObject {
            span: first.span,
            message,
        });
    }
    if let (Some(api_version), Some(kind)) = (api_version, kind) {
        let id = ObjectId {
            api_version,
            kind,
            namespace,
            name: name.unwrap_or_default(),
        };
        out.objects.push((node.id, id, path));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_share_repeated_texts_up_to_a_bound() {
        std::thread::spawn(|| {
            let first = shared_text("apps/v1");
            let again = shared_text("apps/v1");
            assert!(Arc::ptr_eq(&first, &again));
            assert!(!Arc::ptr_eq(&first, &shared_text("apps/v2")));
            // Past the bound, texts are still right, only no longer shared.
            let many: Vec<String> = (0..SHARED_TEXTS * 2).map(|i| format!("Kind{i}")).collect();
            for text in &many {
                assert_eq!(&*shared_text(text), text.as_str());
            }
            let last = many.last().unwrap();
            assert!(!Arc::ptr_eq(&shared_text(last), &shared_text(last)));
            assert!(Arc::ptr_eq(&shared_text("apps/v1"), &first));
        })
        .join()
        .unwrap();
    }

    /// Objects of one run that spell their apiVersion, kind and namespace alike hold one copy.
    #[test]
    fn objects_hold_one_copy_of_their_group_kind_and_namespace() {
        let source = crate::source::SourceFile::new(
            "two.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: prod}\n",
        );
        let parsed = crate::yaml::parse(&source);
        let ids: Vec<ObjectId> = parsed
            .documents
            .iter()
            .flat_map(|doc| extract(doc).objects)
            .map(|(_, id, _)| id)
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(Arc::ptr_eq(&ids[0].kind, &ids[1].kind));
        assert!(Arc::ptr_eq(&ids[0].api_version, &ids[1].api_version));
        assert!(Arc::ptr_eq(
            ids[0].namespace.as_ref().unwrap(),
            ids[1].namespace.as_ref().unwrap()
        ));
        assert_eq!((&*ids[0].name, &*ids[1].name), ("a", "b"));
    }
}
