//! Unit tests of the YAML layer: spans, Kubernetes' document splitting and scalar semantics.

use super::*;

fn parse_str(text: &str) -> (SourceFile, ParsedFile) {
    let source = SourceFile::new("t.yaml", text);
    let parsed = parse(&source);
    (source, parsed)
}

fn slice(source: &SourceFile, span: Span) -> &str {
    &source.text[span.start as usize..span.end as usize]
}

#[test]
fn spans_slice_keys_and_values() {
    let (src, p) = parse_str("a: 1\nb:\n  c: \"x y\"\n  d: [1, 2]\n");
    let doc = &p.documents[0];
    let root = doc.root().unwrap();
    let (k, v) = root.get_entry("b").unwrap();
    assert_eq!(slice(&src, k.span()), "b");
    let c = v.get("c").unwrap();
    eprintln!("{:?} {:?}", slice(&src, c.span()), slice(&src, v.span()));
}
