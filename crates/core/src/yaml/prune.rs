//! Shrinks a document to the parts a later pass still reads: the values of unwanted keys are
//! dropped (with their entries) and the rest is moved, not copied, into a new compact arena.

use std::sync::Arc;

use crate::yaml::node::{Document, MapNode, Node, NodeId, NodeKind};

/// Marks no node: `u32::MAX` never indexes a real arena (the loader caps inputs far below).
const GONE: NodeId = NodeId::MAX;

impl Document {
    /// This document without the entries whose key `drop` names, at any depth; `drop` is also
    /// told whether the key is one of the root mapping's. Nodes reached through an alias or
    /// merge key are kept even below a dropped key, so every lookup that does not ask for a
    /// dropped key answers as before. Returns the new id of every old node (`None` for dropped
    /// ones), for callers that hold ids into the document.
    #[must_use]
    pub fn prune(self, drop: impl Fn(bool, &str) -> bool) -> (Document, Vec<Option<NodeId>>) {
        let Some(root) = self.root else {
            return (self, Vec::new());
        };
        let mut keep = vec![false; self.nodes.len()];
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut keep[id as usize], true) {
                continue;
            }
            match &self.nodes[id as usize].kind {
                NodeKind::Scalar { .. } => {}
                NodeKind::Alias(target) => stack.push(*target),
                NodeKind::Seq(items) => stack.extend(items.iter().copied()),
                NodeKind::Map(map) => {
                    stack.extend(self.merges_of(id).iter().copied());
                    for &(k, v) in map.entries.iter() {
                        let dropped = self
                            .scalar_text(&self.nodes[k as usize])
                            .is_some_and(|key| drop(id == root, key));
                        if !dropped {
                            stack.push(k);
                            stack.push(v);
                        }
                    }
                }
            }
        }
        let mut new_id = vec![GONE; self.nodes.len()];
        let mut next: NodeId = 0;
        for (old, kept) in keep.iter().enumerate() {
            if *kept {
                new_id[old] = next;
                next += 1;
            }
        }
        let remap = |id: NodeId| new_id[id as usize];
        let mut nodes = Vec::with_capacity(next as usize);
        for (old, node) in self.nodes.into_iter().enumerate() {
            if !keep[old] {
                continue;
            }
            let kind = match node.kind {
                scalar @ NodeKind::Scalar { .. } => scalar,
                NodeKind::Alias(target) => NodeKind::Alias(remap(target)),
                NodeKind::Seq(items) => NodeKind::Seq(items.iter().map(|&i| remap(i)).collect()),
                NodeKind::Map(map) => NodeKind::Map(MapNode {
                    entries: map
                        .entries
                        .iter()
                        .filter(|&&(k, v)| keep[k as usize] && keep[v as usize])
                        .map(|&(k, v)| (remap(k), remap(v)))
                        .collect(),
                }),
            };
            nodes.push(Node {
                kind,
                span: node.span,
            });
        }
        let tags = self
            .tags
            .into_iter()
            .filter(|(id, _)| keep[*id as usize])
            .map(|(id, tag)| (remap(id), tag))
            .collect();
        let pruned = Document {
            nodes,
            root: Some(remap(root)),
            index: self.index,
            span: self.span,
            helm_source: self.helm_source,
            // Reported while the whole tree was there; ids into it mean nothing now.
            duplicate_keys: Vec::new(),
            tags,
            source: self.source,
            merges: self
                .merges
                .into_iter()
                .filter(|(id, _)| keep[*id as usize])
                .map(|(id, merged)| (remap(id), merged.iter().map(|&m| remap(m)).collect()))
                .collect(),
        };
        let ids = new_id
            .into_iter()
            .map(|id| (id != GONE).then_some(id))
            .collect();
        (pruned, ids)
    }
}

impl Document {
    /// Lets go of the file's text: every scalar read from it gets its own copy, so the document
    /// answers every lookup as before while the text (usually far larger than what a pruned
    /// document still reads) is freed. `empty` stands in for the text.
    pub fn detach_text(&mut self, empty: &Arc<str>) {
        for node in &mut self.nodes {
            if let NodeKind::Scalar {
                text: text @ None, ..
            } = &mut node.kind
            {
                let written = self
                    .source
                    .get(node.span.start as usize..node.span.end as usize)
                    .unwrap_or_default();
                *text = Some(Box::from(written));
            }
        }
        self.source = Arc::clone(empty);
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceFile;
    use crate::yaml::parse;

    #[test]
    fn dropped_keys_go_and_everything_else_reads_the_same() {
        let text = "a: &x {keep: 1}\nenv: [1, 2, 3]\nb:\n  env: {deep: 1}\n  name: web\n  ref: *x\nc: !!str 5\nname: top\n";
        let source = SourceFile::new("t.yaml", text);
        let doc = parse(&source).documents.remove(0);
        let before = doc.nodes.len();
        let (pruned, ids) = doc.prune(|at_root, k| k == "env" || (at_root && k == "name"));
        assert!(pruned.nodes.len() < before);
        assert_eq!(ids.len(), before);
        let root = pruned.root().unwrap();
        assert!(root.get("env").is_none());
        assert!(root.get("b").unwrap().get("env").is_none());
        assert_eq!(
            root.get("b").unwrap().get("name").unwrap().as_str(),
            Some("web")
        );
        let via_alias = root.get("b").unwrap().get("ref").unwrap();
        assert_eq!(via_alias.get("keep").unwrap().as_i64(), Some(1));
        assert_eq!(root.get("c").unwrap().as_str(), Some("5"));
        // Dropped at the root only: the nested `name` above is still there.
        assert!(root.get("name").is_none());
    }

    #[test]
    fn a_detached_document_reads_the_same_without_the_text() {
        let text = "a: &x {keep: 1}\nb: 'quoted'\nc: [plain, *x]\nd: !!str 5\n";
        let source = SourceFile::new("t.yaml", text);
        let whole = parse(&source).documents.remove(0);
        let mut detached = parse(&source).documents.remove(0);
        detached.detach_text(&std::sync::Arc::from(""));
        assert!(detached.source.is_empty());
        for (a, b) in whole.nodes.iter().zip(&detached.nodes) {
            assert_eq!(whole.scalar_text(a), detached.scalar_text(b));
            assert_eq!(a.span, b.span);
        }
        let root = detached.root().unwrap();
        assert_eq!(root.get("b").unwrap().as_str(), Some("quoted"));
        let alias = root.get("c").unwrap().items().nth(1).unwrap();
        assert_eq!(alias.get("keep").unwrap().as_i64(), Some(1));
    }
}
