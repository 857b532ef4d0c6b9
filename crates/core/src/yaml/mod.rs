//! Parses one source file into span-carrying documents: the stream is split into documents the
//! way Kubernetes splits it (textually, on lines starting with `---`), each chunk is parsed with
//! saphyr-parser's event iterator into an arena tree without recursion, and Helm `# Source:`
//! comments are carried to the documents that follow them.

pub mod node;
pub mod resolve;

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

pub use node::{Document, DuplicateKey, MapNode, Node, NodeId, NodeKind, NodeRef, Style};
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
    /// 1-based line of the chunk's first line.
    first_line: u32,
    /// Set when the separator line before it carried content (`---apiVersion: v1`).
    bad_separator: Option<Span>,
}

#[must_use]
pub fn parse(source: &SourceFile) -> ParsedFile {
    let mut out = ParsedFile::default();
    let mut helm_source: Option<Box<str>> = None;
    for (index, chunk) in split_stream(source).into_iter().enumerate() {
        let text = &source.text[chunk.start as usize..chunk.end as usize];
        let (source_in_chunk, source_after_chunk) = helm_source_comments(text);
        let doc_source = source_in_chunk.or_else(|| helm_source.clone());
        if let Some(after) = source_after_chunk {
            helm_source = Some(after);
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
        let mut builder = Builder::new(source, &chunk);
        match builder.build(text) {
            Ok(root) => {
                if let Some(root) = root {
                    out.documents.push(Document {
                        nodes: builder.nodes,
                        root: Some(root),
                        index,
                        span: Span::new(chunk.start, chunk.end),
                        helm_source: doc_source,
                        duplicate_keys: builder.duplicates,
                    });
                }
            }
            Err(err) => out.errors.push(err),
        }
    }
    out
}

/// Splits like `k8s.io/apimachinery/pkg/util/yaml.YAMLReader`: any line starting with `---`
/// ends a document; only spaces or a comment may follow the three dashes.
fn split_stream(source: &SourceFile) -> Vec<Chunk> {
    let text = &source.text;
    let mut chunks = Vec::new();
    let mut pos = source.content_start() as usize;
    let mut chunk_start = pos;
    let mut chunk_line = 1u32;
    let mut line_no = 1u32;
    let mut bad_separator = None;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = &text[pos..line_end];
        if let Some(rest) = line.strip_prefix("---") {
            chunks.push(Chunk {
                start: to_u32(chunk_start),
                end: to_u32(pos),
                first_line: chunk_line,
                bad_separator: bad_separator.take(),
            });
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let content = line.trim_end_matches(['\n', '\r']);
                bad_separator = Some(Span::new(to_u32(pos), to_u32(pos + content.len())));
            }
            chunk_start = line_end;
            chunk_line = line_no + 1;
        }
        pos = line_end;
        line_no += 1;
    }
    chunks.push(Chunk {
        start: to_u32(chunk_start),
        end: to_u32(text.len()),
        first_line: chunk_line,
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
        map: MapNode,
        pending_key: Option<NodeId>,
    },
}

struct Builder<'s> {
    source: &'s SourceFile,
    chunk_start: u32,
    first_line: u32,
    ascii: bool,
    nodes: Vec<Node>,
    anchors: HashMap<usize, NodeId>,
    duplicates: Vec<DuplicateKey>,
}

impl<'s> Builder<'s> {
    fn new(source: &'s SourceFile, chunk: &Chunk) -> Self {
        let text = &source.text[chunk.start as usize..chunk.end as usize];
        Self {
            source,
            chunk_start: chunk.start,
            first_line: chunk.first_line,
            ascii: text.is_ascii(),
            nodes: Vec::new(),
            anchors: HashMap::new(),
            duplicates: Vec::new(),
        }
    }

    fn offset(&self, marker: &saphyr_parser::Marker) -> u32 {
        if self.ascii {
            return self.chunk_start + to_u32(marker.index());
        }
        let line = self.first_line + to_u32(marker.line()) - 1;
        self.source.offset_of(line, to_u32(marker.col()))
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
            let mut span = self.span(&span);
            if let Event::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded, ..) = &event {
                span.start = block_indicator(&self.source.text, span.start);
            }
            let finished = match event {
                Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
                Event::DocumentEnd | Event::StreamEnd => break,
                Event::Scalar(value, style, anchor, tag) => {
                    let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix).into_boxed_str());
                    let kind = NodeKind::Scalar {
                        text: value.into_owned().into_boxed_str(),
                        style: match style {
                            ScalarStyle::Plain => Style::Plain,
                            ScalarStyle::SingleQuoted => Style::SingleQuoted,
                            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                            ScalarStyle::Literal => Style::Literal,
                            ScalarStyle::Folded => Style::Folded,
                        },
                        tag,
                    };
                    self.push(kind, span, anchor)
                }
                Event::Alias(anchor) => {
                    let Some(&target) = self.anchors.get(&anchor) else {
                        return Err(self.error(span, "alias to an unknown anchor"));
                    };
                    self.push(NodeKind::Alias(target), span, 0)
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(
                            self.error(span, format!("nesting deeper than {MAX_DEPTH} levels"))
                        );
                    }
                    let is_map = matches!(event, Event::MappingStart(..));
                    let placeholder = if is_map {
                        NodeKind::Map(MapNode::default())
                    } else {
                        NodeKind::Seq(Vec::new())
                    };
                    let id = self.push(placeholder, span, anchor);
                    stack.push(if is_map {
                        Open::Map {
                            id,
                            map: MapNode::default(),
                            pending_key: None,
                        }
                    } else {
                        Open::Seq {
                            id,
                            items: Vec::new(),
                        }
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = stack.pop() else { continue };
                    let (id, kind) = match open {
                        Open::Seq { id, items } => (id, NodeKind::Seq(items)),
                        Open::Map { id, map, .. } => {
                            self.find_duplicates(&map);
                            (id, NodeKind::Map(map))
                        }
                    };
                    // Block collections end where the next token starts; end them at their last
                    // child instead so that spans never swallow trailing blank lines.
                    let last_child_end = match &kind {
                        NodeKind::Seq(items) => {
                            items.last().map(|&i| self.nodes[i as usize].span.end)
                        }
                        NodeKind::Map(map) => map
                            .entries
                            .iter()
                            .map(|&(_, v)| v)
                            .chain(map.merges.iter().copied())
                            .map(|i| self.nodes[i as usize].span.end)
                            .max(),
                        _ => None,
                    };
                    let node = &mut self.nodes[id as usize];
                    node.kind = kind;
                    let flow_end = span.end.max(node.span.start);
                    node.span.end = match last_child_end {
                        Some(end) if !text_is_flow_close(self.source, span) => {
                            end.max(node.span.start)
                        }
                        _ => flow_end,
                    };
                    id
                }
            };
            match stack.last_mut() {
                None => root = Some(finished),
                Some(Open::Seq { items, .. }) => items.push(finished),
                Some(Open::Map {
                    map, pending_key, ..
                }) => match pending_key.take() {
                    None => *pending_key = Some(finished),
                    Some(key) => {
                        if is_merge_key(&self.nodes[key as usize]) {
                            map.merges.push(finished);
                        } else {
                            map.entries.push((key, finished));
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

    fn key_text(&self, id: NodeId) -> Option<&str> {
        let doc_nodes = &self.nodes;
        let mut id = id;
        for _ in 0..8 {
            match &doc_nodes[id as usize].kind {
                NodeKind::Scalar { text, .. } => return Some(text),
                NodeKind::Alias(t) => id = *t,
                _ => return None,
            }
        }
        None
    }

    fn find_duplicates(&mut self, map: &MapNode) {
        let mut found = Vec::new();
        if map.entries.len() <= 16 {
            for (i, &(key, _)) in map.entries.iter().enumerate() {
                let Some(text) = self.key_text(key) else {
                    continue;
                };
                if let Some(&(first, _)) = map.entries[..i]
                    .iter()
                    .find(|(k, _)| self.key_text(*k) == Some(text))
                {
                    found.push(DuplicateKey { first, repeat: key });
                }
            }
        } else {
            let mut firsts: HashMap<&str, NodeId> = HashMap::with_capacity(map.entries.len());
            for &(key, _) in &map.entries {
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

/// Where a block scalar's `|` or `>` indicator is: the parser's span starts at the content,
/// but the finding belongs on the line that holds the key.
fn block_indicator(text: &str, content_start: u32) -> u32 {
    let before = &text[..content_start as usize];
    let trimmed = before.trim_end();
    let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
    let line = &trimmed[line_start..];
    // Drop a trailing comment, then expect `|` or `>` followed only by chomping/indent marks.
    let code = line.find(" #").map_or(line, |i| &line[..i]).trim_end();
    let marks = code.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    if marks.ends_with('|') || marks.ends_with('>') {
        to_u32(line_start + marks.len() - 1)
    } else {
        content_start
    }
}

/// Flow collections end at their closing bracket, which the end event's span covers.
fn text_is_flow_close(source: &SourceFile, span: Span) -> bool {
    matches!(
        source.text.as_bytes().get(span.start as usize),
        Some(b']' | b'}')
    )
}

fn is_merge_key(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar { text, style: Style::Plain, tag: None } if &**text == "<<")
}

#[cfg(test)]
mod tests;
