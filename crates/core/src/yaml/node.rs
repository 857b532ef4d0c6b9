//! The span-carrying YAML tree: one arena per document, every key and value a node with a byte
//! span, aliases kept as references (never expanded) and merge keys kept as lazy sources.

use std::sync::Arc;

use crate::small_set::SmallSet;
use crate::source::Span;
use crate::yaml::resolve::{is_null_word, resolve_plain, Scalar};

pub type NodeId = u32;

/// How a scalar was written. Only plain scalars are resolved to bool/int/float/null.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// [`NodeKind::Scalar::text`] of a scalar whose value is the source text under its span.
pub const FROM_SOURCE: u32 = u32::MAX;

/// What a node is. Children and owned texts live in arenas of the [`Document`], so a node is
/// a few words and a tree is a handful of allocations, however many nodes it has.
#[derive(Clone, Copy, Debug)]
pub enum NodeKind {
    Scalar {
        /// [`FROM_SOURCE`] when the value is exactly the source text under the node's span
        /// (most plain scalars), read from [`Document::source`]; else an index into
        /// [`Document::strings`] (escapes, folding, line joins).
        text: u32,
        style: Style,
    },
    /// Items `start..start + len` of [`Document::items`].
    Seq { start: u32, len: u32 },
    /// Entries `start..start + len` of [`Document::entries`], in source order; a repeated key
    /// appears twice and the later entry wins on lookup. `<<` merge keys are not entries: see
    /// [`Document::merges_of`].
    Map { start: u32, len: u32 },
    /// `*name`: the node it refers to. Following it yields the node where it is written.
    Alias(NodeId),
}

#[derive(Clone, Copy, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// A repeated mapping key: `first` is the earlier key node, `repeat` the later one.
#[derive(Clone, Copy, Debug)]
pub struct DuplicateKey {
    pub first: NodeId,
    pub repeat: NodeId,
}

/// One YAML document of a stream, as Kubernetes splits streams.
#[derive(Debug)]
pub struct Document {
    pub nodes: Vec<Node>,
    /// The items of every sequence, each sequence's contiguous.
    pub items: Vec<NodeId>,
    /// The `(key, value)` entries of every mapping, each mapping's contiguous.
    pub entries: Vec<(NodeId, NodeId)>,
    /// One [`key_mark`] per entry of [`Document::entries`], at the same index: lookups scan
    /// these eight bytes an entry, and read a key's node and text only where a digest agrees.
    pub key_marks: Vec<KeyMark>,
    /// Whether some key is [`UNMARKED`] (an alias or a collection), which a lookup must then
    /// compare by text whatever its mark.
    pub unmarked_keys: bool,
    /// Scalar values that are not their source text as written.
    pub strings: Vec<Box<str>>,
    pub root: Option<NodeId>,
    /// 0-based index among the stream's chunks (empty chunks counted).
    pub index: usize,
    /// The text range of the chunk this document was parsed from.
    pub span: Span,
    /// Path from the nearest preceding Helm `# Source:` comment, if any.
    pub helm_source: Option<Arc<str>>,
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Explicit tags (`!!str`, `!!int`, a local `!foo`) by node, in node order. Tags are rare,
    /// so they live here rather than in every scalar node.
    pub tags: Vec<(NodeId, Box<str>)>,
    /// The whole text of the file the document comes from (shared), which spans index into.
    pub source: Arc<str>,
    /// Values of `<<` merge keys by mapping, sorted by mapping id. Merge keys are rare, so they
    /// live here rather than in every mapping node.
    pub merges: Vec<(NodeId, Box<[NodeId]>)>,
}

/// A document without its tree (see [`Document::info`]).
#[derive(Clone, Debug)]
pub struct DocumentInfo {
    /// 0-based index among the stream's chunks (empty chunks counted).
    pub index: usize,
    /// The text range of the chunk the document was parsed from.
    pub span: Span,
    /// Path from the nearest preceding Helm `# Source:` comment, if any.
    pub helm_source: Option<Arc<str>>,
}

/// Lookups through merges and aliases stop after this many hops: malicious inputs can chain
/// merges, and a bounded walk keeps every lookup O(1) in the size of the input.
const HOP_BUDGET: usize = 64;

impl Document {
    /// Where the document is and where it came from: what a run keeps of it once its file is
    /// linted.
    #[must_use]
    pub fn info(&self) -> DocumentInfo {
        DocumentInfo {
            index: self.index,
            span: self.span,
            helm_source: self.helm_source.clone(),
        }
    }

    /// The value of a scalar node of this document; `None` for collections and aliases.
    #[must_use]
    pub fn scalar_text<'d>(&'d self, node: &'d Node) -> Option<&'d str> {
        match node.kind {
            NodeKind::Scalar {
                text: FROM_SOURCE, ..
            } => self
                .source
                .get(node.span.start as usize..node.span.end as usize),
            NodeKind::Scalar { text, .. } => self.strings.get(text as usize).map(|s| &**s),
            _ => None,
        }
    }

    /// The items of a sequence node (empty for anything else).
    #[must_use]
    pub fn seq_items(&self, node: &Node) -> &[NodeId] {
        match node.kind {
            NodeKind::Seq { start, len } => &self.items[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    /// The own entries of a mapping node (empty for anything else).
    #[must_use]
    pub fn map_entries(&self, node: &Node) -> &[(NodeId, NodeId)] {
        match node.kind {
            NodeKind::Map { start, len } => &self.entries[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    /// Values of the `<<` merge keys of mapping `id`, in precedence order (mappings or aliases
    /// to them); empty for most mappings.
    #[must_use]
    pub fn merges_of(&self, id: NodeId) -> &[NodeId] {
        if self.merges.is_empty() {
            return &[];
        }
        self.merges
            .binary_search_by_key(&id, |(n, _)| *n)
            .map_or(&[], |i| &self.merges[i].1)
    }

    /// The explicit tag written on node `id`, if any.
    #[must_use]
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        if self.tags.is_empty() {
            return None;
        }
        self.tags
            .binary_search_by_key(&id, |(n, _)| *n)
            .ok()
            .map(|i| &*self.tags[i].1)
    }

    #[must_use]
    pub fn root(&self) -> Option<NodeRef<'_>> {
        self.root.map(|id| NodeRef::new(self, id))
    }

    #[must_use]
    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        NodeRef::new(self, id)
    }
}

/// A cursor on a node. Navigation follows aliases, so a `NodeRef` always sits on a scalar,
/// sequence or mapping; its span is where that node is written.
#[derive(Clone, Copy)]
pub struct NodeRef<'d> {
    pub doc: &'d Document,
    pub id: NodeId,
}

impl std::fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeRef({}, {:?})", self.id, self.span())
    }
}

impl<'d> NodeRef<'d> {
    /// A cursor on `id`, with aliases followed.
    #[must_use]
    pub fn new(doc: &'d Document, mut id: NodeId) -> Self {
        for _ in 0..HOP_BUDGET {
            match doc.nodes[id as usize].kind {
                NodeKind::Alias(target) => id = target,
                _ => break,
            }
        }
        Self { doc, id }
    }

    #[must_use]
    pub fn node(self) -> &'d Node {
        &self.doc.nodes[self.id as usize]
    }

    #[must_use]
    pub fn span(self) -> Span {
        self.node().span
    }

    #[must_use]
    pub fn is_map(self) -> bool {
        matches!(self.node().kind, NodeKind::Map { .. })
    }

    #[must_use]
    pub fn is_seq(self) -> bool {
        matches!(self.node().kind, NodeKind::Seq { .. })
    }

    #[must_use]
    pub fn is_scalar(self) -> bool {
        matches!(self.node().kind, NodeKind::Scalar { .. })
    }

    /// The scalar as Kubernetes' decoder reads it (YAML 1.1 plain-scalar resolution).
    /// `None` for collections.
    #[must_use]
    pub fn scalar(self) -> Option<Scalar<'d>> {
        // Checks resolve scalars about 140 times per object: the node is read once.
        let node = self.node();
        let NodeKind::Scalar { style, .. } = node.kind else {
            return None;
        };
        let text = self.doc.scalar_text(node).unwrap_or_default();
        if style != Style::Plain {
            return Some(Scalar::Str(text));
        }
        Some(match self.doc.tag(self.id) {
            Some("tag:yaml.org,2002:str" | "!!str") => Scalar::Str(text),
            _ => resolve_plain(text),
        })
    }

    /// The raw text of a scalar, whatever it resolves to.
    #[must_use]
    pub fn text(self) -> Option<&'d str> {
        self.doc.scalar_text(self.node())
    }

    #[must_use]
    pub fn style(self) -> Option<Style> {
        match &self.node().kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// The value as a string when Kubernetes would decode it as one.
    #[must_use]
    pub fn as_str(self) -> Option<&'d str> {
        match self.scalar()? {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Text of any scalar as the JSON Kubernetes builds from it would print it (`true`, `493`).
    #[must_use]
    pub fn as_display(self) -> Option<String> {
        // A string is copied as it is, not written through a formatter.
        self.scalar().map(|s| s.display().into_owned())
    }

    /// [`NodeRef::as_display`] without an allocation for strings, the common case.
    #[must_use]
    pub fn display_text(self) -> Option<std::borrow::Cow<'d, str>> {
        self.scalar().map(Scalar::display)
    }

    /// [`NodeRef::display_text`] of a scalar that is not null, resolved once.
    #[must_use]
    pub fn present_text(self) -> Option<std::borrow::Cow<'d, str>> {
        match self.scalar()? {
            Scalar::Null => None,
            s => Some(s.display()),
        }
    }

    #[must_use]
    pub fn as_bool(self) -> Option<bool> {
        match self.scalar()? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Integers, and floats with no fractional part (JSON `1e3` decodes into an int32 field).
    #[must_use]
    pub fn as_i64(self) -> Option<i64> {
        match self.scalar()? {
            Scalar::Int(i) => i64::try_from(i).ok(),
            #[expect(
                clippy::cast_possible_truncation,
                reason = "checked to be integral and in range first"
            )]
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    /// `null`, `~`, an empty value, or an empty collection: what Kubernetes treats as unset.
    #[must_use]
    pub fn is_null(self) -> bool {
        // What `scalar` would resolve to `Null`, without resolving anything else.
        match self.node().kind {
            NodeKind::Scalar {
                style: Style::Plain,
                ..
            } => {
                !matches!(
                    self.doc.tag(self.id),
                    Some("tag:yaml.org,2002:str" | "!!str")
                ) && self.text().is_some_and(is_null_word)
            }
            _ => false,
        }
    }

    /// True for null scalars and empty mappings/sequences (`securityContext: {}` counts as absent).
    #[must_use]
    pub fn is_empty_value(self) -> bool {
        match &self.node().kind {
            NodeKind::Map { len, .. } => *len == 0 && self.doc.merges_of(self.id).is_empty(),
            NodeKind::Seq { len, .. } => *len == 0,
            _ => self.is_null(),
        }
    }

    /// Items of a sequence (aliases followed); empty for anything else.
    pub fn items(self) -> impl Iterator<Item = NodeRef<'d>> + 'd {
        let doc = self.doc;
        doc.seq_items(self.node())
            .iter()
            .map(move |&id| NodeRef::new(doc, id))
    }

    /// Value for `key` in a mapping: the last own entry with that key, else the first merge
    /// source that has it. This is the YAML merge-key rule (and go-yaml v3's); go-yaml v2 lets a
    /// `<<` written *after* an own key override it, which real manifests (merge first) never hit.
    ///
    /// Inlined down to the mark, so that the mark of a key written in the code (nearly every
    /// caller's) is worked out when compiling; the search itself is not inlined.
    #[must_use]
    #[inline(always)]
    pub fn get(self, key: &str) -> Option<NodeRef<'d>> {
        self.get_marked(key, key_mark(key.as_bytes()))
    }

    /// [`NodeRef::get`] for a key whose [`key_mark`] is known.
    #[must_use]
    pub fn get_marked(self, key: &str, mark: KeyMark) -> Option<NodeRef<'d>> {
        if let Some((_, v)) = self.own_entry(key, mark) {
            return Some(NodeRef::new(self.doc, v));
        }
        if self.doc.merges.is_empty() {
            return None;
        }
        self.merged_entry(key).map(|(_, v)| v)
    }

    /// Key and value for `key` (see [`NodeRef::get`]).
    #[must_use]
    #[inline(always)]
    pub fn get_entry(self, key: &str) -> Option<(NodeRef<'d>, NodeRef<'d>)> {
        self.get_entry_marked(key, key_mark(key.as_bytes()))
    }

    /// [`NodeRef::get_entry`] for a key whose [`key_mark`] is known (the keys of check paths).
    #[must_use]
    pub fn get_entry_marked(self, key: &str, mark: KeyMark) -> Option<(NodeRef<'d>, NodeRef<'d>)> {
        if let Some((k, v)) = self.own_entry(key, mark) {
            return Some((NodeRef::new(self.doc, k), NodeRef::new(self.doc, v)));
        }
        if self.doc.merges.is_empty() {
            return None;
        }
        self.merged_entry(key)
    }

    /// The last own entry of a mapping whose key is `key`. Checks look keys up about a hundred
    /// times per object, mostly in mappings of a few entries: this is kept small enough to be
    /// inlined where they do, with merges (rare) out of line.
    #[inline(always)]
    fn own_entry(self, key: &str, want: KeyMark) -> Option<(NodeId, NodeId)> {
        let doc = self.doc;
        let NodeKind::Map { start, len } = self.node().kind else {
            return None;
        };
        let range = start as usize..(start + len) as usize;
        let entries = doc.entries.get(range.clone())?;
        let marks = doc.key_marks.get(range)?;
        if !doc.unmarked_keys {
            // Only an entry whose mark agrees can be the key: one comparison an entry (and,
            // as below, the last entry with the key wins).
            for (&mark, &entry) in marks.iter().zip(entries).rev() {
                if mark == want && (mark_is_key(want) || key_is(doc, entry.0, key)) {
                    return Some(entry);
                }
            }
            return None;
        }
        // The last entry with the key wins, as in Kubernetes' decoder.
        for (&mark, &entry) in marks.iter().zip(entries).rev() {
            let agrees = if mark == want {
                mark_is_key(want) || key_is(doc, entry.0, key)
            } else {
                mark == UNMARKED && key_is(doc, entry.0, key)
            };
            if agrees {
                return Some(entry);
            }
        }
        None
    }

    /// `key` looked up through the mapping's `<<` merges (callers ask only when the document
    /// has some: a quarter of lookups miss, and a call for each cost more than the test).
    #[cold]
    #[inline(never)]
    fn merged_entry(self, key: &str) -> Option<(NodeRef<'d>, NodeRef<'d>)> {
        let mut budget = HOP_BUDGET;
        self.get_entry_within(key, &mut budget)
    }

    fn get_entry_within(self, key: &str, budget: &mut usize) -> Option<(NodeRef<'d>, NodeRef<'d>)> {
        let node = self.node();
        if !matches!(node.kind, NodeKind::Map { .. }) {
            return None;
        }
        let doc = self.doc;
        for &(k, v) in doc.map_entries(node).iter().rev() {
            if key_is(doc, k, key) {
                return Some((NodeRef::new(doc, k), NodeRef::new(doc, v)));
            }
        }
        for source in merge_sources(doc, doc.merges_of(self.id)) {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            if let Some(found) = source.get_entry_within(key, budget) {
                return Some(found);
            }
        }
        None
    }

    /// Entries of a mapping, each key once with its effective value, own entries first (in
    /// source order of their winning occurrence) and then merged ones.
    #[must_use]
    pub fn entries(self) -> Entries<'d> {
        let doc = self.doc;
        // The usual mapping needs no deduplication: the parser records every repeated key of
        // the document (none here), this mapping merges nothing, and its keys are plain
        // scalars (no alias whose text might repeat another key's). Its entries are its own,
        // as written, and are read in place.
        if doc.duplicate_keys.is_empty() && doc.merges_of(self.id).is_empty() {
            let own = doc.map_entries(self.node());
            let plain_keys = own
                .iter()
                .all(|&(k, _)| matches!(doc.nodes[k as usize].kind, NodeKind::Scalar { .. }));
            if plain_keys {
                return Entries::Own {
                    doc,
                    entries: own.iter(),
                };
            }
        }
        let mut out: Vec<(NodeRef<'d>, NodeRef<'d>)> = Vec::new();
        let mut seen = SmallSet::default();
        let mut budget = HOP_BUDGET;
        self.collect_entries(&mut out, &mut seen, &mut budget);
        Entries::Merged(out.into_iter())
    }

    fn collect_entries(
        self,
        out: &mut Vec<(NodeRef<'d>, NodeRef<'d>)>,
        seen: &mut SmallSet<&'d str>,
        budget: &mut usize,
    ) {
        let node = self.node();
        if !matches!(node.kind, NodeKind::Map { .. }) {
            return;
        }
        let doc = self.doc;
        let first_own = out.len();
        for &(k, v) in doc.map_entries(node).iter().rev() {
            let key = key_text(doc, k).unwrap_or("");
            if seen.insert(key) {
                out.push((NodeRef::new(doc, k), NodeRef::new(doc, v)));
            }
        }
        out[first_own..].reverse();
        for source in merge_sources(doc, doc.merges_of(self.id)) {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            source.collect_entries(out, seen, budget);
        }
    }

    /// Number of distinct keys (after merges) or items; 0 for scalars.
    #[must_use]
    pub fn len(self) -> usize {
        match &self.node().kind {
            NodeKind::Seq { len, .. } => *len as usize,
            NodeKind::Map { .. } => self.entries().len(),
            _ => 0,
        }
    }

    #[must_use]
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// The entries of a mapping (see [`NodeRef::entries`]): read in place from the document for
/// the usual mapping, so that walking one allocates nothing.
pub enum Entries<'d> {
    Own {
        doc: &'d Document,
        entries: std::slice::Iter<'d, (NodeId, NodeId)>,
    },
    Merged(std::vec::IntoIter<(NodeRef<'d>, NodeRef<'d>)>),
}

impl<'d> Iterator for Entries<'d> {
    type Item = (NodeRef<'d>, NodeRef<'d>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Own { doc, entries } => entries
                .next()
                .map(|&(k, v)| (NodeRef::new(doc, k), NodeRef::new(doc, v))),
            Entries::Merged(entries) => entries.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Entries::Own { entries, .. } => entries.size_hint(),
            Entries::Merged(entries) => entries.size_hint(),
        }
    }
}

impl ExactSizeIterator for Entries<'_> {}

/// Whether mapping key `id` is `key`; the length is compared before any text is touched, since
/// this is the lookup every check spends most of its time in.
#[inline]
fn key_is(doc: &Document, id: NodeId, key: &str) -> bool {
    let node = &doc.nodes[id as usize];
    match node.kind {
        NodeKind::Scalar {
            text: FROM_SOURCE, ..
        } => {
            node.span.len() as usize == key.len()
                && doc
                    .source
                    .as_bytes()
                    .get(node.span.start as usize..node.span.end as usize)
                    .is_some_and(|text| same_short_bytes(text, key.as_bytes()))
        }
        NodeKind::Scalar { text, .. } => {
            doc.strings.get(text as usize).is_some_and(|t| **t == *key)
        }
        NodeKind::Alias(_) => NodeRef::new(doc, id).text() == Some(key),
        _ => false,
    }
}

/// A key's [`key_mark`]: the key itself when it is short, else a digest of it.
pub type KeyMark = u64;

/// The mark of a key that is not a scalar (an alias, or a collection): it agrees with every
/// wanted key, whose text is then compared. No text has it, since `0xff` is never in UTF-8.
pub const UNMARKED: KeyMark = u64::MAX;

/// The top byte of a mark that only digests its key (`0xff`, never in UTF-8 text).
const DIGEST: KeyMark = 0xff << 56;

/// A key in one word, for lookups to compare before (or instead of) the key's text.
///
/// A key of up to 8 bytes that does not end in NUL is its own mark (its bytes, zero-padded),
/// so equal marks mean equal keys and a lookup of `name`, `spec` or `metadata` never reads a
/// key's node or text. Any other key is digested: its first four bytes, last two, length,
/// and a top byte of `0xff` that no short key has. Keys that differ mostly differ there, so a
/// lookup reads the text only of the rare entry whose digest agrees. Equal keys have equal
/// marks.
#[inline(always)]
#[must_use]
pub fn key_mark(key: &[u8]) -> KeyMark {
    let n = key.len();
    let byte = |i: usize| u64::from(key[i]);
    let half = |at: usize| {
        u64::from(u32::from_le_bytes([
            key[at],
            key[at + 1],
            key[at + 2],
            key[at + 3],
        ]))
    };
    // Zero padding tells keys apart unless one ends in NUL bytes (`a` and `a\0`): such a key
    // is digested.
    match n {
        0 => 0,
        // Bytes `0`, `n / 2` and `n - 1` are all of them; a repeat ORs in the same byte.
        1..=3 if key[n - 1] != 0 => {
            byte(0) | byte(n / 2) << (8 * (n / 2)) | byte(n - 1) << (8 * (n - 1))
        }
        // Two overlapping four-byte reads cover every byte; the overlap ORs in equal bytes.
        4..=8 if key[n - 1] != 0 => half(0) | half(n - 4) << (8 * (n - 4)),
        1..=3 => DIGEST | (n as u64) << 48 | byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16,
        _ => {
            let len = u64::try_from(n.min(255)).unwrap_or(255);
            DIGEST | len << 48 | byte(n - 2) << 40 | byte(n - 1) << 32 | half(0)
        }
    }
}

/// Whether a mark is the whole key (see [`key_mark`]): a lookup whose key has one needs no
/// text comparison where marks agree.
#[inline]
#[must_use]
pub fn mark_is_key(mark: KeyMark) -> bool {
    mark & DIGEST != DIGEST
}

/// `a == b` for slices of equal length. Keys are short: up to 16 bytes are compared as two
/// overlapping words each, without a call to `memcmp`, which costs more than the comparison.
#[inline]
fn same_short_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        0..=3 => a == b,
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// The text a mapping key contributes, as Kubernetes' YAML-to-JSON step stringifies it.
fn key_text(doc: &Document, key: NodeId) -> Option<&str> {
    let node = &doc.nodes[key as usize];
    match &node.kind {
        NodeKind::Scalar { .. } => doc.scalar_text(node),
        NodeKind::Alias(_) => NodeRef::new(doc, key).text(),
        _ => None,
    }
}

fn merge_sources<'d>(doc: &'d Document, merges: &'d [NodeId]) -> impl Iterator<Item = NodeRef<'d>> {
    merges.iter().flat_map(move |&m| {
        let node = NodeRef::new(doc, m);
        if node.is_seq() {
            node.items().collect::<Vec<_>>()
        } else {
            vec![node]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::same_short_bytes;

    #[test]
    fn nodes_stay_small() {
        // Every key and value of a file being linted is one of these.
        assert!(
            std::mem::size_of::<super::Node>() <= 20,
            "{}",
            std::mem::size_of::<super::Node>()
        );
    }

    #[test]
    fn short_byte_comparison_agrees_with_slice_equality() {
        let base: Vec<u8> = (b'a'..=b'z').chain(b'A'..=b'Z').collect();
        for n in 0..=40 {
            let a = &base[..n];
            assert!(same_short_bytes(a, a), "len {n}");
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_short_bytes(a, &b), "len {n}, byte {at}");
            }
            if n > 0 {
                assert!(!same_short_bytes(a, &base[..n - 1]), "len {n} vs {}", n - 1);
            }
        }
    }
}
