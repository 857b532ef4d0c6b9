//! Parses one source file into span-carrying documents: the stream is split into documents the
//! way Kubernetes splits it (textually, on lines starting with `---`), each chunk is parsed with
//! saphyr-parser's event iterator into an arena tree without recursion, and Helm `# Source:`
//! comments are carried to the documents that follow them.

pub mod node;
pub mod resolve;

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle};

pub use node::{
    key_mark, mark_is_key, Document, DocumentInfo, DuplicateKey, KeyMark, Node, NodeId, NodeKind,
    NodeRef, Style, FROM_SOURCE, UNMARKED,
};
pub use resolve::Scalar;

use crate::source::{to_u32, SourceFile, Span};

/// Nesting deeper than this is refused: no real manifest comes close, and the bound keeps
/// hostile input (100,000 nested levels) linear and far from any stack limit.
pub const MAX_DEPTH: usize = 512;

/// A document that could not be parsed, with the parser's position.
#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// All documents of one file plus every syntax error met on the way.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub errors: Vec<SyntaxError>,
}

/// One chunk of the stream between `---` separator lines.
struct Chunk {
    start: u32,
    end: u32,
    /// Set when the separator line before it carried content (`---apiVersion: v1`).
    bad_separator: Option<Span>,
}

#[must_use]
pub fn parse(source: &SourceFile) -> ParsedFile {
    let mut out = ParsedFile::default();
    let mut helm_source: Option<Arc<str>> = None;
    for (index, chunk) in split_stream(source).into_iter().enumerate() {
        let text = &source.text[chunk.start as usize..chunk.end as usize];
        let (source_in_chunk, source_after_chunk) = helm_source_comments(text);
        let doc_source = source_in_chunk
            .map(Arc::from)
            .or_else(|| helm_source.clone());
        if let Some(after) = source_after_chunk {
            helm_source = Some(Arc::from(after));
        }
        if let Some(span) = chunk.bad_separator {
            out.errors.push(SyntaxError {
                span,
                message: "invalid document separator: only a comment may follow `---` on the \
                          same line (Kubernetes rejects this stream)"
                    .into(),
            });
            continue;
        }
        match parse_chunk(source, &chunk) {
            Ok(Some((builder, root))) => out.documents.push(Document {
                nodes: builder.nodes,
                items: builder.items,
                entries: builder.entries,
                unmarked_keys: builder.unmarked_keys,
                key_marks: builder.key_marks,
                strings: builder.strings,
                root: Some(root),
                index,
                span: Span::new(chunk.start, chunk.end),
                helm_source: doc_source,
                duplicate_keys: builder.duplicates,
                tags: builder.tags,
                source: Arc::clone(&source.text),
                merges: {
                    let mut merges = builder.merges;
                    merges.sort_unstable_by_key(|(id, _)| *id);
                    merges
                },
            }),
            Ok(None) => {}
            Err(err) => out.errors.push(err),
        }
    }
    out
}

/// saphyr's message for `key:<TAB>value`, which YAML 1.2 and go-yaml v2 (so Kubernetes) accept.
const TAB_AFTER_COLON: &str = "':' must be followed by a valid YAML whitespace";

type Built<'s> = Option<(Builder<'s>, NodeId)>;

fn parse_chunk<'s>(source: &'s SourceFile, chunk: &Chunk) -> Result<Built<'s>, SyntaxError> {
    let text = &source.text[chunk.start as usize..chunk.end as usize];
    let first = build_from(source, chunk, text);
    match first {
        Err(err) if err.message == TAB_AFTER_COLON => {
            reparse_with_spaces_after_colons(source, chunk)
        }
        other => other,
    }
}

fn build_from<'s>(
    source: &'s SourceFile,
    chunk: &Chunk,
    text: &str,
) -> Result<Built<'s>, SyntaxError> {
    let mut builder = Builder::new(source, chunk);
    Ok(builder.build(text)?.map(|root| (builder, root)))
}

/// Works around saphyr rejecting `key:<TAB>value`: tabs right after a `:` become spaces (one
/// byte each, so every offset and column is unchanged) and the chunk is parsed again. A `:<TAB>`
/// inside a quoted or block scalar is part of its value, so those are put back and the chunk is
/// parsed once more; in plain text `:` plus a tab is always a mapping indicator, as in libyaml.
/// This costs nothing unless saphyr reported exactly that error.
fn reparse_with_spaces_after_colons<'s>(
    source: &'s SourceFile,
    chunk: &Chunk,
) -> Result<Built<'s>, SyntaxError> {
    let original = &source.text[chunk.start as usize..chunk.end as usize];
    let mut patched = original.as_bytes().to_vec();
    let mut tabs = Vec::new();
    let mut i = 0;
    while i < patched.len() {
        if patched[i] == b':' {
            i += 1;
            while i < patched.len() && matches!(patched[i], b' ' | b'\t') {
                if patched[i] == b'\t' {
                    patched[i] = b' ';
                    tabs.push(chunk.start + to_u32(i));
                }
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    let as_text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap_or_default();
    let Some((builder, root)) = build_from(source, chunk, &as_text(&patched))? else {
        return Ok(None);
    };
    // Both lists are in text order and quoted/block scalars never overlap: one merge pass.
    let mut restored = false;
    {
        let mut values = builder.nodes.iter().filter_map(|n| match &n.kind {
            NodeKind::Scalar { style, .. } if *style != Style::Plain => Some(n.span),
            _ => None,
        });
        let mut value = values.next();
        for &tab in &tabs {
            while value.is_some_and(|v| v.end <= tab) {
                value = values.next();
            }
            if value.is_some_and(|v| v.start <= tab) {
                patched[(tab - chunk.start) as usize] = b'\t';
                restored = true;
            }
        }
    }
    if !restored {
        return Ok(Some((builder, root)));
    }
    build_from(source, chunk, &as_text(&patched))
}

/// Splits like `k8s.io/apimachinery/pkg/util/yaml.YAMLReader`: any line starting with `---`
/// ends a document; only spaces or a comment may follow the three dashes.
fn split_stream(source: &SourceFile) -> Vec<Chunk> {
    let text = &source.text;
    let mut chunks = Vec::new();
    let mut pos = source.content_start() as usize;
    let mut chunk_start = pos;
    let mut bad_separator = None;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = &text[pos..line_end];
        if let Some(rest) = line.strip_prefix("---") {
            chunks.push(Chunk {
                start: to_u32(chunk_start),
                end: to_u32(pos),
                bad_separator: bad_separator.take(),
            });
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let content = line.trim_end_matches(['\n', '\r']);
                bad_separator = Some(Span::new(to_u32(pos), to_u32(pos + content.len())));
            }
            chunk_start = line_end;
        }
        pos = line_end;
    }
    chunks.push(Chunk {
        start: to_u32(chunk_start),
        end: to_u32(text.len()),
        bad_separator,
    });
    chunks
}

/// The `# Source:` path that applies to this chunk's document (a comment before its content) and
/// the last one anywhere in the chunk, which carries on to later chunks.
fn helm_source_comments(chunk: &str) -> (Option<Box<str>>, Option<Box<str>>) {
    let mut before_content = None;
    let mut last = None;
    let mut in_content = false;
    for line in chunk.lines() {
        let trimmed = line.trim_end_matches('\r');
        if let Some(path) = trimmed.strip_prefix("# Source: ") {
            let path: Box<str> = path.trim().into();
            if !in_content {
                before_content = Some(path.clone());
            }
            last = Some(path);
        } else if !trimmed.trim_start().is_empty() && !trimmed.trim_start().starts_with('#') {
            in_content = true;
        }
    }
    (before_content, last)
}

/// A collection under construction.
enum Open {
    Seq {
        id: NodeId,
        items: Vec<NodeId>,
    },
    Map {
        id: NodeId,
        entries: Vec<(NodeId, NodeId)>,
        merges: Vec<NodeId>,
        pending_key: Option<NodeId>,
    },
}

struct Builder<'s> {
    source: &'s SourceFile,
    chunk_start: u32,
    offsets: CharOffsets<'s>,
    /// Where the last event's text ended: a block scalar's `|`/`>` header is searched from here,
    /// because saphyr's scalar span starts at the content, not at the indicator.
    prev_end: u32,
    nodes: Vec<Node>,
    items: Vec<NodeId>,
    entries: Vec<(NodeId, NodeId)>,
    key_marks: Vec<KeyMark>,
    /// Some key is [`UNMARKED`] (see [`Document::unmarked_keys`]).
    unmarked_keys: bool,
    strings: Vec<Box<str>>,
    /// Emptied child lists of closed collections, reused by the next ones opened.
    spare_items: Vec<Vec<NodeId>>,
    spare_entries: Vec<Vec<(NodeId, NodeId)>>,
    anchors: HashMap<usize, NodeId>,
    duplicates: Vec<DuplicateKey>,
    tags: Vec<(NodeId, Box<str>)>,
    /// Merge-key values by mapping, in the order mappings close (sorted when done).
    merges: Vec<(NodeId, Box<[NodeId]>)>,
}

impl<'s> Builder<'s> {
    fn new(source: &'s SourceFile, chunk: &Chunk) -> Self {
        let text = &source.text[chunk.start as usize..chunk.end as usize];
        Self {
            source,
            chunk_start: chunk.start,
            offsets: CharOffsets::new(text),
            prev_end: chunk.start,
            nodes: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            key_marks: Vec::new(),
            unmarked_keys: false,
            strings: Vec::new(),
            spare_items: Vec::new(),
            spare_entries: Vec::new(),
            anchors: HashMap::new(),
            duplicates: Vec::new(),
            tags: Vec::new(),
            merges: Vec::new(),
        }
    }

    fn offset(&self, marker: &saphyr_parser::Marker) -> u32 {
        self.chunk_start + to_u32(self.offsets.byte_of(marker.index()))
    }

    fn span(&self, span: &saphyr_parser::Span) -> Span {
        Span::new(self.offset(&span.start), self.offset(&span.end))
    }

    fn push(&mut self, kind: NodeKind, span: Span, anchor: usize) -> NodeId {
        let id = to_u32(self.nodes.len());
        self.nodes.push(Node { kind, span });
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        id
    }

    fn error(&self, span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
        }
    }

    /// Builds the first document of the chunk; `Ok(None)` when it holds no document.
    fn build(&mut self, text: &str) -> Result<Option<NodeId>, SyntaxError> {
        let mut stack: Vec<Open> = Vec::new();
        let mut root = None;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| {
                let at = self.error_position(text, self.offset(e.marker()));
                self.error(Span::new(at, at), e.info().to_string())
            })?;
            let raw = self.span(&span);
            let finished = match event {
                Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
                Event::DocumentEnd | Event::StreamEnd => break,
                Event::Scalar(value, style, anchor, tag) => {
                    let span = match style {
                        ScalarStyle::Literal | ScalarStyle::Folded => self.block_scalar_span(raw),
                        _ => self.without_properties(raw),
                    };
                    // saphyr puts an empty value on the `:` or `-` before it; place it just
                    // after, so that it never points into the key.
                    let span = if value.is_empty()
                        && span.is_empty()
                        && matches!(
                            self.source.text.as_bytes().get(span.start as usize),
                            Some(b':' | b'-' | b'?')
                        ) {
                        Span::new(span.start + 1, span.start + 1)
                    } else {
                        span
                    };
                    let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix).into_boxed_str());
                    if let Some(tag) = tag {
                        self.tags.push((to_u32(self.nodes.len()), tag));
                    }
                    let as_written = self.source.text.get(span.start as usize..span.end as usize)
                        == Some(&*value);
                    let text = if as_written {
                        FROM_SOURCE
                    } else {
                        self.strings.push(value.into_owned().into_boxed_str());
                        to_u32(self.strings.len() - 1)
                    };
                    let kind = NodeKind::Scalar {
                        text,
                        style: match style {
                            ScalarStyle::Plain => Style::Plain,
                            ScalarStyle::SingleQuoted => Style::SingleQuoted,
                            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                            ScalarStyle::Literal => Style::Literal,
                            ScalarStyle::Folded => Style::Folded,
                        },
                    };
                    self.push(kind, span, anchor)
                }
                Event::Alias(anchor) => {
                    let Some(&target) = self.anchors.get(&anchor) else {
                        return Err(self.error(raw, "alias to an unknown anchor"));
                    };
                    // `&a [*a]` would make every tree walk loop forever; go-yaml v2 rejects it
                    // too ("anchor 'a' value contains itself"). Open collections on the stack
                    // were pushed in id order, so a binary search finds an enclosing target.
                    if stack.binary_search_by_key(&target, Open::id).is_ok() {
                        return Err(
                            self.error(raw, "alias refers to a collection that contains it")
                        );
                    }
                    self.push(NodeKind::Alias(target), raw, 0)
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(
                            self.error(raw, format!("nesting deeper than {MAX_DEPTH} levels"))
                        );
                    }
                    let is_map = matches!(event, Event::MappingStart(..));
                    let mut span = self.without_properties(raw);
                    let bytes = self.source.text.as_bytes();
                    if !is_map && !matches!(bytes.get(span.start as usize), Some(b'[' | b'-')) {
                        // An indentless sequence (`key:\n- a`) starts at its first item's
                        // content; the `-` before it is where the sequence is written.
                        if let Some(dash) = self.find_indicator(span.start as usize, b"-") {
                            span.start = to_u32(dash);
                        }
                    }
                    let placeholder = if is_map {
                        NodeKind::Map { start: 0, len: 0 }
                    } else {
                        NodeKind::Seq { start: 0, len: 0 }
                    };
                    let id = self.push(placeholder, span, anchor);
                    self.prev_end = raw.end;
                    stack.push(if is_map {
                        Open::Map {
                            id,
                            entries: self.spare_entries.pop().unwrap_or_default(),
                            merges: Vec::new(),
                            pending_key: None,
                        }
                    } else {
                        Open::Seq {
                            id,
                            items: self.spare_items.pop().unwrap_or_default(),
                        }
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = stack.pop() else { continue };
                    // Block collections end where the next token starts; end them at their last
                    // child instead so that spans never swallow trailing blank lines.
                    let (id, kind, last_child_end) = match open {
                        Open::Seq { id, mut items } => {
                            let kind = NodeKind::Seq {
                                start: to_u32(self.items.len()),
                                len: to_u32(items.len()),
                            };
                            let last = items.last().map(|&i| self.nodes[i as usize].span.end);
                            self.items.extend_from_slice(&items);
                            items.clear();
                            self.spare_items.push(items);
                            (id, kind, last)
                        }
                        Open::Map {
                            id,
                            mut entries,
                            merges,
                            ..
                        } => {
                            let first_mark = self.key_marks.len();
                            for &(key, _) in &entries {
                                let mark = self.mark_of(key);
                                self.key_marks.push(mark);
                            }
                            self.find_duplicates(&entries, first_mark);
                            let kind = NodeKind::Map {
                                start: to_u32(self.entries.len()),
                                len: to_u32(entries.len()),
                            };
                            let last = entries
                                .iter()
                                .map(|&(_, v)| v)
                                .chain(merges.iter().copied())
                                .map(|i| self.nodes[i as usize].span.end)
                                .max();
                            if !merges.is_empty() {
                                self.merges.push((id, merges.into_boxed_slice()));
                            }
                            self.entries.extend_from_slice(&entries);
                            entries.clear();
                            self.spare_entries.push(entries);
                            (id, kind, last)
                        }
                    };
                    let node = &mut self.nodes[id as usize];
                    node.kind = kind;
                    let flow_end = raw.end.max(node.span.start);
                    node.span.end = match last_child_end {
                        Some(end) if !text_is_flow_close(self.source, raw) => {
                            end.max(node.span.start)
                        }
                        _ => flow_end,
                    };
                    id
                }
            };
            self.prev_end = self.nodes[finished as usize].span.end;
            match stack.last_mut() {
                None => root = Some(finished),
                Some(Open::Seq { items, .. }) => items.push(finished),
                Some(Open::Map {
                    entries,
                    merges,
                    pending_key,
                    ..
                }) => match pending_key.take() {
                    None => *pending_key = Some(finished),
                    Some(key) => {
                        // `!!str <<` is an ordinary key; only the plain, untagged `<<` merges.
                        let untagged = self.tags.binary_search_by_key(&key, |(n, _)| *n).is_err();
                        if untagged && is_merge_key(self.source, &self.nodes[key as usize]) {
                            merges.push(finished);
                        } else {
                            entries.push((key, finished));
                        }
                    }
                },
            }
        }
        Ok(root)
    }

    /// An error found at the end of the chunk (an unclosed bracket) is reported at the last
    /// character of the chunk's content, not on the next document's separator line.
    fn error_position(&self, text: &str, at: u32) -> u32 {
        let chunk_end = self.chunk_start + to_u32(text.len());
        if at < chunk_end {
            return at;
        }
        let content = text.trim_end();
        let last = content.char_indices().last().map_or(0, |(i, _)| i);
        self.chunk_start + to_u32(last)
    }

    /// saphyr starts a node's span at its properties (`&anchor`, `!tag`); findings should point
    /// at the value itself.
    fn without_properties(&self, raw: Span) -> Span {
        let text = self.source.text.as_bytes();
        let end = raw.end as usize;
        let mut pos = raw.start as usize;
        while pos < end && matches!(text[pos], b'&' | b'!') {
            pos = skip_property(text, pos, end);
            pos = skip_blanks(text, pos, end);
        }
        Span::new(to_u32(pos.min(end)), raw.end)
    }

    /// From the `|`/`>` indicator to the last non-blank content character. saphyr starts the
    /// span at the first content line (or at the properties) and ends it after the trailing line
    /// breaks, which would point findings below the key and make the parent mapping swallow
    /// blank lines.
    fn block_scalar_span(&self, raw: Span) -> Span {
        let text = self.source.text.as_bytes();
        let after_props = self.without_properties(raw).start as usize;
        let header = if matches!(text.get(after_props), Some(b'|' | b'>')) {
            Some(after_props)
        } else {
            self.find_indicator(raw.start as usize, b"|>")
        };
        let Some(header) = header else {
            return Span::new(raw.start, raw.end);
        };
        // A header at the very end of saphyr's span (seen with a `|` right after a broken
        // document) leaves nothing to scan; `get` keeps that an empty range, not a panic.
        let end = (raw.end as usize).max(header);
        let content_start = text
            .get(header..end)
            .unwrap_or_default()
            .iter()
            .position(|&b| b == b'\n')
            .map_or(end, |i| header + i + 1);
        let content_end = text[content_start..end]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map(|i| content_start + i + 1);
        let end = content_end.unwrap_or_else(|| {
            header
                + 1
                + text
                    .get(header + 1..end)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| matches!(b, b'+' | b'-' | b'0'..=b'9'))
                    .count()
        });
        Span::new(to_u32(header), to_u32(end))
    }

    /// The first of `wanted` between the previous event and `limit`, passing over what may
    /// stand before a node: blanks, comments, properties and the `:`, `-`, `?` indicators.
    fn find_indicator(&self, limit: usize, wanted: &[u8]) -> Option<usize> {
        let text = self.source.text.as_bytes();
        let mut pos = (self.prev_end as usize).min(limit);
        loop {
            pos = skip_blanks(text, pos, limit);
            let &b = text.get(pos).filter(|_| pos < limit)?;
            if wanted.contains(&b) {
                return Some(pos);
            }
            match b {
                b'&' | b'!' => pos = skip_property(text, pos, limit),
                b':' | b'-' | b'?' => pos += 1,
                _ => return None,
            }
        }
    }

    fn key_text(&self, id: NodeId) -> Option<&str> {
        let doc_nodes = &self.nodes;
        let mut id = id;
        for _ in 0..8 {
            let node = &doc_nodes[id as usize];
            match node.kind {
                NodeKind::Scalar {
                    text: FROM_SOURCE, ..
                } => {
                    return self
                        .source
                        .text
                        .get(node.span.start as usize..node.span.end as usize)
                }
                NodeKind::Scalar { text, .. } => {
                    return self.strings.get(text as usize).map(|s| &**s)
                }
                NodeKind::Alias(t) => id = t,
                _ => return None,
            }
        }
        None
    }

    /// The [`key_mark`] of an entry's key node.
    fn mark_of(&mut self, key: NodeId) -> KeyMark {
        let node = &self.nodes[key as usize];
        match node.kind {
            NodeKind::Scalar { .. } => key_mark(self.key_text(key).map_or(&[][..], str::as_bytes)),
            _ => {
                self.unmarked_keys = true;
                UNMARKED
            }
        }
    }

    /// Records the repeated keys of a mapping whose entries' marks start at `first_mark`.
    fn find_duplicates(&mut self, entries: &[(NodeId, NodeId)], first_mark: usize) {
        let mut found = Vec::new();
        if entries.len() <= 16 {
            let marks = &self.key_marks[first_mark..];
            // Keys whose marks differ differ, unless one is an alias (unmarked).
            let may_repeat = |i: usize, j: usize| {
                marks[i] == marks[j] || marks[i] == UNMARKED || marks[j] == UNMARKED
            };
            for (i, &(key, _)) in entries.iter().enumerate() {
                if !(0..i).any(|j| may_repeat(i, j)) {
                    continue;
                }
                let Some(text) = self.key_text(key) else {
                    continue;
                };
                if let Some(&(first, _)) = entries[..i]
                    .iter()
                    .enumerate()
                    .find(|&(j, (k, _))| may_repeat(i, j) && self.key_text(*k) == Some(text))
                    .map(|(_, entry)| entry)
                {
                    found.push(DuplicateKey { first, repeat: key });
                }
            }
        } else {
            let mut firsts: HashMap<&str, NodeId> = HashMap::with_capacity(entries.len());
            for &(key, _) in entries {
                let Some(text) = self.key_text(key) else {
                    continue;
                };
                match firsts.get(text) {
                    Some(&first) => found.push(DuplicateKey { first, repeat: key }),
                    None => {
                        firsts.insert(text, key);
                    }
                }
            }
        }
        self.duplicates.extend(found);
    }
}

impl Open {
    fn id(&self) -> NodeId {
        match self {
            Open::Seq { id, .. } | Open::Map { id, .. } => *id,
        }
    }
}

/// Maps saphyr's character indices to byte offsets within one chunk. Event positions arrive
/// almost in order, so a cursor that walks from the previous answer keeps a whole chunk O(n),
/// even a 10 MB line of non-ASCII text (a per-marker walk from the line start is quadratic).
struct CharOffsets<'t> {
    text: &'t [u8],
    ascii: bool,
    /// The last answer: (char index, byte offset).
    cursor: Cell<(usize, usize)>,
}

impl<'t> CharOffsets<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text: text.as_bytes(),
            ascii: text.is_ascii(),
            cursor: Cell::new((0, 0)),
        }
    }

    fn byte_of(&self, char_index: usize) -> usize {
        let bytes = self.text;
        if self.ascii {
            return char_index.min(bytes.len());
        }
        let is_continuation = |b: u8| b & 0xC0 == 0x80;
        let (mut chars, mut byte) = self.cursor.get();
        while chars < char_index && byte < bytes.len() {
            byte += 1;
            while byte < bytes.len() && is_continuation(bytes[byte]) {
                byte += 1;
            }
            chars += 1;
        }
        while chars > char_index {
            byte -= 1;
            while is_continuation(bytes[byte]) {
                byte -= 1;
            }
            chars -= 1;
        }
        self.cursor.set((chars, byte));
        byte
    }
}

/// Skips one `&anchor` or `!tag` (verbatim `!<…>` tags may hold flow indicators).
fn skip_property(text: &[u8], mut pos: usize, end: usize) -> usize {
    if text.get(pos..pos + 2) == Some(b"!<") {
        while pos < end && text[pos] != b'>' {
            pos += 1;
        }
        return (pos + 1).min(end);
    }
    while pos < end
        && !matches!(
            text[pos],
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
        )
    {
        pos += 1;
    }
    pos
}

/// Skips whitespace, line breaks and comments.
fn skip_blanks(text: &[u8], mut pos: usize, end: usize) -> usize {
    while pos < end {
        match text[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                while pos < end && text[pos] != b'\n' {
                    pos += 1;
                }
            }
            _ => break,
        }
    }
    pos
}

/// Flow collections end at their closing bracket, which the end event's span covers.
fn text_is_flow_close(source: &SourceFile, span: Span) -> bool {
    matches!(
        source.text.as_bytes().get(span.start as usize),
        Some(b']' | b'}')
    )
}

fn is_merge_key(source: &SourceFile, node: &Node) -> bool {
    matches!(
        &node.kind,
        NodeKind::Scalar {
            style: Style::Plain,
            ..
        }
    ) && source
        .text
        .get(node.span.start as usize..node.span.end as usize)
        == Some("<<")
}

#[cfg(test)]
mod tests;
