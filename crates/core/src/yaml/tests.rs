//! Unit tests of the YAML layer: spans and positions, Kubernetes' document splitting and scalar
//! semantics, aliases and merges, syntax errors, and hostile input under a 2 MiB stack.

use std::time::Instant;

use super::*;
use crate::source::LineCol;

fn parse_str(text: &str) -> (SourceFile, ParsedFile) {
    parse_named("t.yaml", text)
}

fn parse_named(name: &str, text: &str) -> (SourceFile, ParsedFile) {
    let source = SourceFile::new(name, text);
    let parsed = parse(&source);
    (source, parsed)
}

fn slice(source: &SourceFile, span: Span) -> &str {
    &source.text[span.start as usize..span.end as usize]
}

/// The first key of a document's root mapping.
fn first_key(d: &Document) -> &str {
    let (key, _) = d.root().unwrap().entries().next().unwrap();
    key.text().unwrap()
}

fn one_doc(text: &str) -> (SourceFile, ParsedFile) {
    let (src, p) = parse_str(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents.len(), 1);
    (src, p)
}

fn pos(src: &SourceFile, span: Span) -> (u32, u32) {
    let lc = src.line_col(span.start);
    (lc.line, lc.column)
}

/// Every key and scalar span of a document, as text, in node order.
fn scalar_slices<'s>(src: &'s SourceFile, doc: &Document) -> Vec<&'s str> {
    doc.nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Scalar { .. }))
        .map(|n| slice(src, n.span))
        .collect()
}

// ---- spans -----------------------------------------------------------------------------------

#[test]
fn key_and_scalar_spans_slice_exactly_their_text() {
    let text = "plain: value with spaces   # comment\n\
                \"dq key\": \"a \\\"b\\\" c\"\n\
                'sq key': 'it''s'\n\
                multi: first\n  second\n\
                empty:\n\
                num: 0755\n\
                nested:\n  inner: [1, \"two\", 'three', {k: v}]\n";
    let (src, p) = one_doc(text);
    assert_eq!(
        scalar_slices(&src, &p.documents[0]),
        [
            "plain",
            "value with spaces",
            "\"dq key\"",
            "\"a \\\"b\\\" c\"",
            "'sq key'",
            "'it''s'",
            "multi",
            "first\n  second",
            "empty",
            "",
            "num",
            "0755",
            "nested",
            "inner",
            "1",
            "\"two\"",
            "'three'",
            "k",
            "v",
        ]
    );
    let root = p.documents[0].root().unwrap();
    let (k, v) = root.get_entry("dq key").unwrap();
    assert_eq!(slice(&src, k.span()), "\"dq key\"");
    assert_eq!(v.as_str(), Some("a \"b\" c"));
    // An empty value sits right after its key's colon, never on the next line.
    let empty = root.get("empty").unwrap();
    assert!(empty.is_null());
    assert_eq!(pos(&src, empty.span()), (6, 7));
}

#[test]
fn properties_are_not_part_of_a_node_span() {
    let text = "a: &x value\n\
                b: !!str 12\n\
                c: !!str &y\n  # between\n  late\n\
                &k key: v\n\
                d: &m\n  inner: 1\n\
                e: &s [1]\n\
                f: !<tag:yaml.org,2002:str> v\n\
                g: !!str\n";
    let (src, p) = one_doc(text);
    let root = p.documents[0].root().unwrap();
    assert_eq!(slice(&src, root.get("a").unwrap().span()), "value");
    assert_eq!(slice(&src, root.get("b").unwrap().span()), "12");
    assert_eq!(slice(&src, root.get("c").unwrap().span()), "late");
    assert_eq!(slice(&src, root.get_entry("key").unwrap().0.span()), "key");
    assert_eq!(slice(&src, root.get("d").unwrap().span()), "inner: 1");
    assert_eq!(slice(&src, root.get("e").unwrap().span()), "[1]");
    assert_eq!(slice(&src, root.get("f").unwrap().span()), "v");
    let g = root.get("g").unwrap();
    assert_eq!(g.as_str(), Some(""));
    assert!(g.span().is_empty());
}

#[test]
fn block_scalar_spans_run_from_indicator_to_last_content() {
    let text = "lit: |\n  line1\n  line2\n\n\
                keep: |+\n  kept\n\n\n\
                fold: >- # folded\n\n  a\n  b\n\
                ind: |2\n    indented\n\
                none: |\n\
                anchored: &b |\n  x\n\
                list:\n- |\n  item\n- >\n  other\n\
                last: end\n";
    let (src, p) = one_doc(text);
    let root = p.documents[0].root().unwrap();
    let s = |k: &str| slice(&src, root.get(k).unwrap().span());
    assert_eq!(s("lit"), "|\n  line1\n  line2");
    assert_eq!(root.get("lit").unwrap().text(), Some("line1\nline2\n"));
    assert_eq!(s("keep"), "|+\n  kept");
    assert_eq!(root.get("keep").unwrap().text(), Some("kept\n\n\n"));
    assert_eq!(s("fold"), ">- # folded\n\n  a\n  b");
    assert_eq!(root.get("fold").unwrap().style(), Some(Style::Folded));
    assert_eq!(s("ind"), "|2\n    indented");
    assert_eq!(s("none"), "|");
    assert_eq!(s("anchored"), "|\n  x");
    let items: Vec<_> = root
        .get("list")
        .unwrap()
        .items()
        .map(|i| slice(&src, i.span()))
        .collect();
    assert_eq!(items, ["|\n  item", ">\n  other"]);
    assert_eq!(pos(&src, root.get("lit").unwrap().span()), (1, 6));
    // A block scalar at the end does not make its mapping swallow trailing blank lines.
    let (src, p) = one_doc("a: |\n  x\n\n\n# trailing\n");
    assert_eq!(
        slice(&src, p.documents[0].root().unwrap().span()),
        "a: |\n  x"
    );
}

#[test]
fn collection_spans() {
    let text = "top:\n  a: 1\n  b:\n  - x\n  - y: 2\n    z: 3\n\n# comment\nflow: {k: [1, 2], j: {}}\nseq: [ ]\n";
    let (src, p) = one_doc(text);
    let root = p.documents[0].root().unwrap();
    assert_eq!(slice(&src, root.span()), text.trim_end());
    let top = root.get("top").unwrap();
    assert_eq!(
        slice(&src, top.span()),
        "a: 1\n  b:\n  - x\n  - y: 2\n    z: 3"
    );
    assert_eq!(
        slice(&src, top.get("b").unwrap().span()),
        "- x\n  - y: 2\n    z: 3"
    );
    let item = top.get("b").unwrap().items().nth(1).unwrap();
    assert_eq!(slice(&src, item.span()), "y: 2\n    z: 3");
    let flow = root.get("flow").unwrap();
    assert_eq!(slice(&src, flow.span()), "{k: [1, 2], j: {}}");
    assert_eq!(slice(&src, flow.get("k").unwrap().span()), "[1, 2]");
    assert_eq!(slice(&src, flow.get("j").unwrap().span()), "{}");
    assert!(flow.get("j").unwrap().is_empty_value());
    assert_eq!(slice(&src, root.get("seq").unwrap().span()), "[ ]");
}

#[test]
fn columns_count_unicode_scalars_after_multibyte_text() {
    let text = "a: \"é😀\"\nb: x\nc: [ü, 中文, 😀😀]\nd: {é: ö}\n";
    let (src, p) = one_doc(text);
    let root = p.documents[0].root().unwrap();
    let (bk, _) = root.get_entry("b").unwrap();
    assert_eq!(bk.span().start, 12);
    let items: Vec<_> = root
        .get("c")
        .unwrap()
        .items()
        .map(|i| (slice(&src, i.span()), pos(&src, i.span())))
        .collect();
    assert_eq!(items, [("ü", (3, 5)), ("中文", (3, 8)), ("😀😀", (3, 12))]);
    let (k, v) = root.get("d").unwrap().get_entry("é").unwrap();
    assert_eq!((slice(&src, k.span()), pos(&src, k.span())), ("é", (4, 5)));
    assert_eq!((slice(&src, v.span()), pos(&src, v.span())), ("ö", (4, 8)));
    // A mid-character offset reports the character it falls in, not column 1.
    assert_eq!(src.line_col(5), LineCol { line: 1, column: 5 });
}

#[test]
fn crlf_and_bom_give_editor_positions() {
    let text = "\u{feff}a: 1\r\nb:\r\n  c: \"é\"\r\n  d: |\r\n    x\r\n    y\r\n---\r\ne: 2\r\n";
    let (src, p) = parse_str(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents.len(), 2);
    let root = p.documents[0].root().unwrap();
    let (a, _) = root.get_entry("a").unwrap();
    assert_eq!(pos(&src, a.span()), (1, 1));
    let b = root.get("b").unwrap();
    let (c, cv) = b.get_entry("c").unwrap();
    assert_eq!(pos(&src, c.span()), (3, 3));
    assert_eq!(slice(&src, cv.span()), "\"é\"");
    let d = b.get("d").unwrap();
    assert_eq!(slice(&src, d.span()), "|\r\n    x\r\n    y");
    assert_eq!(d.text(), Some("x\ny\n"));
    let (e, ev) = p.documents[1].root().unwrap().get_entry("e").unwrap();
    assert_eq!(pos(&src, e.span()), (8, 1));
    assert_eq!(pos(&src, ev.span()), (8, 4));
    assert_eq!(src.line_text(8), "e: 2");
}

#[test]
fn mixed_line_endings_and_lone_cr() {
    let text = "a: 1\r\nb: 2\nc: 3\rd: é\re: 5\n";
    let (src, p) = one_doc(text);
    let root = p.documents[0].root().unwrap();
    let at = |k: &str| pos(&src, root.get_entry(k).unwrap().0.span());
    assert_eq!(at("a"), (1, 1));
    assert_eq!(at("b"), (2, 1));
    assert_eq!(at("c"), (3, 1));
    assert_eq!(at("d"), (4, 1));
    assert_eq!(at("e"), (5, 1));
    assert_eq!(pos(&src, root.get("d").unwrap().span()), (4, 4));
    assert_eq!(src.line_text(3), "c: 3");
}

#[test]
fn tabs_count_as_one_column() {
    let text = "a:\tb\nc: \"x\ty\"\t# tab comment\nd: [\t1,\t2]\n";
    let (src, p) = one_doc(text);
    let root = p.documents[0].root().unwrap();
    assert_eq!(root.get("a").unwrap().as_str(), Some("b"));
    assert_eq!(pos(&src, root.get("a").unwrap().span()), (1, 4));
    assert_eq!(root.get("c").unwrap().as_str(), Some("x\ty"));
    let items: Vec<_> = root
        .get("d")
        .unwrap()
        .items()
        .map(|i| pos(&src, i.span()))
        .collect();
    assert_eq!(items, [(3, 6), (3, 9)]);
}

#[test]
fn tab_after_colon_is_accepted_like_go_yaml() {
    // saphyr rejects `key:<TAB>value`; libyaml and YAML 1.2 accept it. A `:<TAB>` inside quoted
    // and block scalars must survive the workaround unchanged.
    let text = "q: \"x:\ty\"\na:\tb\nlit: |\n  k:\tv\nn:\t\t12 # c:\tc\nm:\n  k:\t'z:\tz'\n";
    let (src, p) = one_doc(text);
    let r = p.documents[0].root().unwrap();
    assert_eq!(r.get("q").unwrap().as_str(), Some("x:\ty"));
    assert_eq!(r.get("a").unwrap().as_str(), Some("b"));
    assert_eq!(pos(&src, r.get("a").unwrap().span()), (2, 4));
    assert_eq!(r.get("lit").unwrap().as_str(), Some("k:\tv\n"));
    assert_eq!(r.get("n").unwrap().as_i64(), Some(12));
    assert_eq!(
        r.get("m").unwrap().get("k").unwrap().as_str(),
        Some("z:\tz")
    );
    // Real errors in such a chunk are still reported.
    let (_, p) = parse_str("a:\tb\nc: [\n");
    assert_eq!((p.documents.len(), p.errors.len()), (0, 1));
}

// ---- Kubernetes scalar semantics -------------------------------------------------------------

#[test]
fn kubernetes_scalar_resolution_through_node_ref() {
    let text = "y1: yes\nn1: no\no1: on\no2: off\ny2: y\nn2: n\nY3: Yes\n\
                oct: 0755\nqoct: \"0755\"\nsoct: '0755'\ntoct: !!str 0755\ntyes: !!str yes\n\
                under: 1_000\nexp: 1e3\nqtrue: \"true\"\nlit: |-\n  true\nnull1: ~\nfl: 1.5\n\
                tint: !!int 42\nbig: 9223372036854775808\n";
    let (_, p) = one_doc(text);
    let r = p.documents[0].root().unwrap();
    let v = |k: &str| r.get(k).unwrap();
    for k in ["y1", "o1", "y2", "Y3"] {
        assert_eq!(v(k).as_bool(), Some(true), "{k}");
    }
    for k in ["n1", "o2", "n2"] {
        assert_eq!(v(k).as_bool(), Some(false), "{k}");
    }
    assert_eq!(v("oct").scalar(), Some(Scalar::Int(493)));
    assert_eq!(v("oct").as_i64(), Some(493));
    assert_eq!(v("oct").as_display().as_deref(), Some("493"));
    for k in ["qoct", "soct", "toct"] {
        assert_eq!(v(k).as_str(), Some("0755"), "{k}");
        assert_eq!(v(k).as_i64(), None, "{k}");
    }
    assert_eq!(v("tyes").as_str(), Some("yes"));
    assert_eq!(v("under").as_i64(), Some(1000));
    assert_eq!(v("exp").scalar(), Some(Scalar::Float(1000.0)));
    assert_eq!(v("exp").as_i64(), Some(1000));
    assert_eq!(v("qtrue").as_str(), Some("true"));
    assert_eq!(v("qtrue").as_bool(), None);
    assert_eq!(v("lit").as_str(), Some("true"));
    assert!(v("null1").is_null());
    assert!(v("null1").is_empty_value());
    assert_eq!(v("fl").as_i64(), None);
    assert_eq!(v("tint").as_i64(), Some(42));
    assert_eq!(
        v("big").scalar(),
        Some(Scalar::Int(9_223_372_036_854_775_808))
    );
    assert_eq!(v("big").as_i64(), None);
    assert_eq!(v("y1").text(), Some("yes"));
    assert_eq!(v("y1").style(), Some(Style::Plain));
    assert_eq!(v("qoct").style(), Some(Style::DoubleQuoted));
}

/// `is_null` and `resolve_plain` take shortcuts past full resolution; both must agree with it.
#[test]
fn null_and_word_shortcuts_agree_with_full_resolution() {
    let values = [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nul",
        "nulls",
        "'null'",
        "\"~\"",
        "!!str null",
        "!!null ~",
        "!!str",
        "y",
        "Y",
        "yes",
        "YES",
        "on",
        "Off",
        "n",
        "no",
        "NO",
        "true",
        "FALSE",
        "tru",
        ".nan",
        ".NaN",
        ".inf",
        "+.inf",
        "-.INF",
        "-.inf1",
        ".5",
        "-1",
        "+7",
        "0x1F",
        "0755",
        "1_000",
        "nginx",
        "name",
        "off1",
        "yes!",
        "web",
        "100m",
        "[]",
        "{}",
        "*a",
        "~x",
    ];
    let mut text = String::from("anchor: &a null\n");
    for (i, v) in values.iter().enumerate() {
        text.push_str(&format!("k{i}: {v}\n"));
    }
    let (_, p) = one_doc(&text);
    let root = p.documents[0].root().unwrap();
    for (i, v) in values.iter().enumerate() {
        let node = root.get(&format!("k{i}")).unwrap();
        assert_eq!(
            node.is_null(),
            matches!(node.scalar(), Some(Scalar::Null)),
            "is_null of `{v}`"
        );
        if let Some(text) = node.text() {
            if node.style() == Some(Style::Plain) {
                // Debug text, so that NaN equals NaN.
                assert_eq!(
                    format!("{:?}", crate::yaml::resolve::resolve_plain(text)),
                    format!("{:?}", slow_resolve(text)),
                    "resolution of `{v}`"
                );
            }
        }
    }
}

/// Plain-scalar resolution without the shortcut: the word table asked for every text.
fn slow_resolve(text: &str) -> Scalar<'_> {
    crate::yaml::resolve::resolve_word(text)
        .unwrap_or_else(|| crate::yaml::resolve::resolve_plain(text))
}

// ---- anchors, aliases, merges, duplicates -----------------------------------------------------

#[test]
fn aliases_report_where_the_anchored_node_is_written() {
    let text = "base: &b\n  x: 1\nlist: &l [a, b]\nname: &n web\nuse:\n  m: *b\n  s: *l\n  v: *n\n*n : aliased-key\n";
    let (src, p) = one_doc(text);
    let doc = &p.documents[0];
    let r = doc.root().unwrap();
    let used = r.get("use").unwrap();
    let m = used.get("m").unwrap();
    assert!(m.is_map());
    assert_eq!(m.span(), r.get("base").unwrap().span());
    assert_eq!(pos(&src, m.get("x").unwrap().span()), (2, 6));
    assert_eq!(used.get("s").unwrap().items().count(), 2);
    let v = used.get("v").unwrap();
    assert_eq!((v.as_str(), pos(&src, v.span())), (Some("web"), (4, 10)));
    assert_eq!(r.get("web").unwrap().as_str(), Some("aliased-key"));
    // Aliases stay references: the alias node itself is one small node.
    assert_eq!(doc.nodes.len(), 21);
}

#[test]
fn merge_keys_are_lazy_and_own_keys_win() {
    let text = "a: &a {x: 1, y: 1, only_a: 1}\n\
                b: &b {x: 2, y: 2, z: 2, only_b: 2}\n\
                one:\n  <<: *a\n  y: own\n\
                many:\n  <<: [*a, *b]\n  z: own\n\
                chain:\n  <<: {<<: *b, q: 3}\n\
                quoted:\n  \"<<\": *a\n";
    let (_, p) = one_doc(text);
    let r = p.documents[0].root().unwrap();
    let one = r.get("one").unwrap();
    assert_eq!(one.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(one.get("y").unwrap().as_str(), Some("own"));
    let keys = |n: NodeRef<'_>| -> Vec<String> {
        n.entries()
            .map(|(k, v)| format!("{}={}", k.text().unwrap(), v.as_display().unwrap()))
            .collect()
    };
    assert_eq!(keys(one), ["y=own", "x=1", "only_a=1"]);
    let many = r.get("many").unwrap();
    // Earlier merge sources win over later ones.
    assert_eq!(many.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(many.get("only_b").unwrap().as_i64(), Some(2));
    assert_eq!(keys(many), ["z=own", "x=1", "y=1", "only_a=1", "only_b=2"]);
    assert_eq!(many.len(), 5);
    let chain = r.get("chain").unwrap();
    assert_eq!(chain.get("z").unwrap().as_i64(), Some(2));
    assert_eq!(chain.get("q").unwrap().as_i64(), Some(3));
    let quoted = r.get("quoted").unwrap();
    assert!(quoted.get("x").is_none());
    assert!(quoted.get("<<").unwrap().is_map());
}

#[test]
fn merge_chains_are_bounded() {
    // 200 mappings each merging all earlier ones: an unbounded walk would be exponential.
    let mut text = String::from("m0: &m0 {k0: 0}\n");
    for i in 1..200 {
        text.push_str(&format!(
            "m{i}: &m{i} {{<<: [*m{}, *m{}], k{i}: {i}}}\n",
            i - 1,
            i / 2
        ));
    }
    let (_, p) = one_doc(&text);
    let last = p.documents[0].root().unwrap().get("m199").unwrap();
    assert_eq!(last.get("k199").unwrap().as_i64(), Some(199));
    assert!(last.get("k198").is_some());
    assert!(last.get("nope").is_none());
    assert!(last.entries().len() <= 200);
}

#[test]
fn duplicate_keys_last_wins_and_both_are_recorded() {
    let (src, p) = one_doc("a: 1\nb: 2\na: 3\nc: 4\na: 5\n");
    let doc = &p.documents[0];
    let r = doc.root().unwrap();
    assert_eq!(r.get("a").unwrap().as_i64(), Some(5));
    assert_eq!(pos(&src, r.get_entry("a").unwrap().0.span()), (5, 1));
    let pairs: Vec<_> = doc
        .duplicate_keys
        .iter()
        .map(|d| {
            (
                pos(&src, doc.nodes[d.first as usize].span),
                pos(&src, doc.nodes[d.repeat as usize].span),
            )
        })
        .collect();
    assert_eq!(pairs, [((1, 1), (3, 1)), ((1, 1), (5, 1))]);
    let keys: Vec<_> = r.entries().map(|(k, _)| k.text().unwrap()).collect();
    assert_eq!(keys, ["b", "c", "a"]);

    // More than 16 keys takes the hashed path; the answers must not change.
    let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("k7: again\nk30: again\nk7: thrice\n");
    let (src, p) = one_doc(&text);
    let doc = &p.documents[0];
    let r = doc.root().unwrap();
    assert_eq!(r.get("k7").unwrap().as_str(), Some("thrice"));
    let pairs: Vec<_> = doc
        .duplicate_keys
        .iter()
        .map(|d| {
            (
                slice(&src, doc.nodes[d.first as usize].span),
                pos(&src, doc.nodes[d.first as usize].span).0,
                pos(&src, doc.nodes[d.repeat as usize].span).0,
            )
        })
        .collect();
    assert_eq!(pairs, [("k7", 8, 41), ("k30", 31, 42), ("k7", 8, 43)]);
    assert_eq!(r.entries().len(), 40);
    assert_eq!(r.len(), 40);

    // Nested mappings keep their own key sets; a key written through an alias counts.
    let (_, p) = one_doc("n: &n name\na: {name: 1}\nb: {name: 1}\nc:\n  name: 1\n  *n : 2\n");
    assert_eq!(p.documents[0].duplicate_keys.len(), 1);
}

#[test]
fn lookups_and_duplicates_read_past_agreeing_key_marks() {
    // `abcdXYef` and `abcdZWef` agree in length, first four and last two bytes: their
    // digests are equal, so only the texts tell them apart; `"abcd\u0058Yef"` is
    // `abcdXYef` decoded from an escape.
    assert_eq!(key_mark(b"abcdXYZef"), key_mark(b"abcdQRSef"));
    assert!(!mark_is_key(key_mark(b"abcdXYZef")));
    assert_ne!(key_mark(b"abcdXYZef"), key_mark(b"abcdXYZeg"));
    let (_, p) =
        one_doc("abcdXYZef: 1\nabcdQRSef: 2\nk: &k abcdTUVef\n*k : 3\n\"abcd\\u0058YZef\": 4\n");
    let doc = &p.documents[0];
    let r = doc.root().unwrap();
    assert_eq!(r.get("abcdQRSef").unwrap().as_i64(), Some(2));
    assert_eq!(
        r.get("abcdTUVef").unwrap().as_i64(),
        Some(3),
        "a key written as an alias"
    );
    assert_eq!(
        r.get("abcdXYZef").unwrap().as_i64(),
        Some(4),
        "the escaped repeat wins"
    );
    assert!(r.get("abcdXYZeg").is_none());
    let repeats: Vec<_> = doc
        .duplicate_keys
        .iter()
        .map(|d| NodeRef::new(doc, d.repeat).text().unwrap())
        .collect();
    assert_eq!(repeats, ["abcdXYZef"]);
    // A key of up to eight bytes is its own mark, found without reading its text; one that
    // ends in a NUL byte is digested, so that `a` and `"a\0"` stay apart.
    for key in [
        &b""[..],
        b"a",
        b"ab",
        b"abc",
        b"name",
        b"image",
        b"metadata",
    ] {
        assert!(mark_is_key(key_mark(key)), "{key:?}");
    }
    assert!(!mark_is_key(key_mark(b"a\0")));
    assert_ne!(key_mark(b"a"), key_mark(b"a\0"));
    assert_ne!(key_mark(b"spec"), key_mark(b"spe"));
    let (_, p) = one_doc("a: 1\n\"a\\0\": 2\nab: 3\nname: 4\nnam: 5\n");
    let r = p.documents[0].root().unwrap();
    assert_eq!(r.get("a").unwrap().as_i64(), Some(1));
    assert_eq!(r.get("a\0").unwrap().as_i64(), Some(2));
    assert_eq!(r.get("name").unwrap().as_i64(), Some(4));
    assert_eq!(r.get("nam").unwrap().as_i64(), Some(5));
    assert!(r.get("na").is_none());
    // An alias key repeating a plain one is a repeat too, though aliases carry no mark.
    let (_, p) = one_doc("k: &k aQbRc\naQbRc: 1\n*k : 2\n");
    assert_eq!(p.documents[0].duplicate_keys.len(), 1);
    assert_eq!(
        p.documents[0]
            .root()
            .unwrap()
            .get("aQbRc")
            .unwrap()
            .as_i64(),
        Some(2)
    );
}

// ---- stream splitting and Helm sources --------------------------------------------------------

#[test]
fn stream_splits_like_kubernetes() {
    let text =
        "a: 1\n---   \nb: 2\n--- # comment\nc: 3\n---\r\nd: 4\n---\n---\n# only a comment\n---\n\n";
    let (_, p) = parse_str(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let got: Vec<_> = p
        .documents
        .iter()
        .map(|d| (d.index, first_key(d)))
        .collect();
    assert_eq!(got, [(0, "a"), (1, "b"), (2, "c"), (3, "d")]);

    // A leading separator makes an empty first chunk, which is counted but yields nothing.
    let (_, p) = parse_str("---\na: 1\n---\n\n---\nb: 2\n");
    let idx: Vec<_> = p.documents.iter().map(|d| d.index).collect();
    assert_eq!(idx, [1, 3]);

    let (_, p) = parse_str("# nothing here\n\n");
    assert!(p.documents.is_empty() && p.errors.is_empty());
    let (_, p) = parse_str("");
    assert!(p.documents.is_empty() && p.errors.is_empty());
}

#[test]
fn content_after_separator_is_an_error_but_later_documents_parse() {
    for bad in [
        "---apiVersion: v1",
        "--- {a: 1}",
        "--- !tag",
        "-----BEGIN CERTIFICATE-----",
    ] {
        let text = format!("a: 1\n{bad}\nkind: X\n---\nb: 2\n");
        let (src, p) = parse_str(&text);
        assert_eq!(p.errors.len(), 1, "{bad}");
        let err = &p.errors[0];
        assert!(
            err.message.contains("invalid document separator"),
            "{bad}: {}",
            err.message
        );
        assert_eq!(slice(&src, err.span), bad);
        assert_eq!(pos(&src, err.span), (2, 1));
        let firsts: Vec<_> = p.documents.iter().map(first_key).collect();
        assert_eq!(firsts, ["a", "b"], "{bad}");
    }
    let cert = "data:\n  tls.crt: |\n    -----BEGIN CERTIFICATE-----\n    MIIB\n    -----END CERTIFICATE-----\n";
    let (_, p) = one_doc(cert);
    let crt = p.documents[0]
        .root()
        .unwrap()
        .get("data")
        .unwrap()
        .get("tls.crt")
        .unwrap();
    assert!(crt
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----\nMIIB\n"));
}

#[test]
fn document_end_marker() {
    let (src, p) = parse_str("a: 1\n...\n---\nb: 2\n...\n");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents.len(), 2);
    assert_eq!(slice(&src, p.documents[0].root().unwrap().span()), "a: 1");
    assert_eq!(
        p.documents[1].root().unwrap().get("b").unwrap().as_i64(),
        Some(2)
    );
}

#[test]
fn helm_source_comments_follow_documents() {
    let text = "---\n# Source: chart/templates/a.yaml\na: 1\n---\nb: 2\n\
                ---\n# Source: chart/templates/c.yaml\n---\nc: 3\n\
                ---\n# Source: chart/templates/d.yaml\r\nd: 4\n# Source: chart/templates/e.yaml\n---\ne: 5\n";
    let (_, p) = parse_str(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let got: Vec<_> = p
        .documents
        .iter()
        .map(|d| d.helm_source.as_deref().unwrap_or("-"))
        .collect();
    assert_eq!(
        got,
        [
            "chart/templates/a.yaml",
            "chart/templates/a.yaml",
            "chart/templates/c.yaml",
            "chart/templates/d.yaml",
            "chart/templates/e.yaml",
        ]
    );
    let (_, p) = parse_str("a: 1\n");
    assert!(p.documents[0].helm_source.is_none());
}

// ---- JSON ------------------------------------------------------------------------------------

#[test]
fn json_manifests_parse_with_key_lines() {
    let pretty = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm", "labels": {"app": "é"}},
        "data": {"a": "1", "list": [1, true, null, {"x": "y"}]}
    });
    let two = serde_json::to_string_pretty(&pretty).unwrap();
    let tabbed = two
        .lines()
        .map(|l| {
            let n = l.len() - l.trim_start().len();
            format!("{}{}\n", "\t".repeat(n / 2), l.trim_start())
        })
        .collect::<String>();
    let minified = serde_json::to_string(&pretty).unwrap();
    for text in [&two, &tabbed, &minified] {
        let (src, p) = parse_named("cm.json", text);
        assert!(p.errors.is_empty(), "{text}: {:?}", p.errors);
        let r = p.documents[0].root().unwrap();
        assert_eq!(r.get("kind").unwrap().as_str(), Some("ConfigMap"));
        let data = r.get("data").unwrap();
        let list: Vec<_> = data.get("list").unwrap().items().collect();
        assert_eq!(list[1].as_bool(), Some(true));
        assert!(list[2].is_null());
        assert_eq!(list[3].get("x").unwrap().as_str(), Some("y"));
        let (k, v) = r
            .get("metadata")
            .unwrap()
            .get("labels")
            .unwrap()
            .get_entry("app")
            .unwrap();
        assert_eq!(slice(&src, k.span()), "\"app\"");
        assert_eq!(slice(&src, v.span()), "\"é\"");
        if text.contains('\n') {
            let kind_line = text.lines().position(|l| l.contains("\"kind\"")).unwrap();
            assert_eq!(
                pos(&src, r.get_entry("kind").unwrap().0.span()).0 as usize,
                kind_line + 1
            );
            let app_line = text.lines().position(|l| l.contains("\"app\"")).unwrap();
            assert_eq!(pos(&src, k.span()).0 as usize, app_line + 1);
        } else {
            let col = text.find("\"kind\"").unwrap() as u32 + 1;
            assert_eq!(pos(&src, r.get_entry("kind").unwrap().0.span()), (1, col));
        }
    }
}

// ---- syntax errors ---------------------------------------------------------------------------

#[test]
fn syntax_errors_carry_position_and_later_chunks_still_parse() {
    let text =
        "a: 1\n---\nb: [1, 2\nc: 3\n---\nkey: \"é\" : bad\n---\nd: *missing\n---\ngood: yes\n";
    let (src, p) = parse_str(text);
    assert_eq!(p.errors.len(), 3, "{:?}", p.errors);
    for e in &p.errors {
        assert!(!e.message.is_empty());
        assert!((e.span.end as usize) <= text.len());
    }
    let lines: Vec<_> = p.errors.iter().map(|e| pos(&src, e.span).0).collect();
    assert!((3..=5).contains(&lines[0]), "{lines:?}");
    assert_eq!(pos(&src, p.errors[1].span), (6, 10));
    assert_eq!(lines[2], 8);
    assert!(
        p.errors[2].message.contains("anchor"),
        "{}",
        p.errors[2].message
    );
    let firsts: Vec<_> = p
        .documents
        .iter()
        .map(|d| (d.index, first_key(d)))
        .collect();
    assert_eq!(firsts, [(0, "a"), (4, "good")]);
}

#[test]
fn alias_inside_its_own_anchor_is_rejected() {
    for text in ["a: &x [1, *x]\n", "a: &x\n  b: *x\n", "&r {<<: *r}\n"] {
        let (_, p) = parse_str(text);
        assert!(p.documents.is_empty(), "{text}");
        assert_eq!(p.errors.len(), 1, "{text}");
        assert!(p.errors[0].message.contains("contains it"), "{text}");
    }
    let (_, p) = one_doc("a: &x [1]\nb: [*x, *x]\n");
    assert_eq!(p.documents[0].root().unwrap().get("b").unwrap().len(), 2);
}

// ---- hostile input ---------------------------------------------------------------------------

/// Runs `f` on a thread with rayon's default 2 MiB stack: a recursive parser would overflow.
fn on_small_stack(name: &'static str, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(2 << 20)
        .spawn(move || {
            let start = Instant::now();
            f();
            eprintln!("hostile {name}: {:?}", start.elapsed());
        })
        .unwrap()
        .join()
        .unwrap_or_else(|_| panic!("{name} panicked"));
}

fn deep_error(text: String) -> ParsedFile {
    let source = SourceFile::new("h.yaml", text);
    let p = parse(&source);
    assert!(p.documents.is_empty());
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    p
}

#[test]
fn hostile_alias_bomb_is_linear() {
    on_small_stack("billion-laughs", || {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        let (_, p) = one_doc(&text);
        let doc = &p.documents[0];
        assert!(doc.nodes.len() < 200, "{}", doc.nodes.len());
        let i = doc.root().unwrap().get("i").unwrap();
        assert_eq!(i.len(), 9);
        assert!(i.items().all(|h| h.len() == 9));
    });
}

#[test]
fn hostile_deep_nesting_is_refused_without_recursion() {
    on_small_stack("seq-100k-inline", || {
        let p = deep_error("- ".repeat(100_000) + "x\n");
        assert!(
            p.errors[0].message.contains("nesting deeper"),
            "{:?}",
            p.errors
        );
    });
    on_small_stack("seq-5k-indented", || {
        let text: String = (0..5_000)
            .map(|i| format!("{}-\n", " ".repeat(i)))
            .collect();
        deep_error(text);
    });
    on_small_stack("map-100k-explicit", || {
        deep_error("? ".repeat(100_000) + "x\n");
    });
    on_small_stack("map-5k-indented", || {
        let text: String = (0..5_000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        deep_error(text);
    });
    on_small_stack("flow-100k-brackets", || {
        deep_error("[".repeat(100_000));
    });
    on_small_stack("flow-100k-braces", || {
        deep_error("{a: ".repeat(100_000));
    });
    on_small_stack("flow-100k-braces-bare", || {
        deep_error("{".repeat(100_000));
    });
    on_small_stack("within-limit-500", || {
        let text = "- ".repeat(500) + "x\n";
        let (_, p) = one_doc(&text);
        let mut node = p.documents[0].root().unwrap();
        let mut depth = 0;
        while node.is_seq() {
            node = node.items().next().unwrap();
            depth += 1;
        }
        assert_eq!((depth, node.as_str()), (500, Some("x")));
    });
}

#[test]
fn hostile_ten_megabyte_lines() {
    on_small_stack("10mb-plain-scalar", || {
        let text = format!("a: {}\n", "x".repeat(10 << 20));
        let (src, p) = one_doc(&text);
        let a = p.documents[0].root().unwrap().get("a").unwrap();
        assert_eq!(a.span().len() as usize, 10 << 20);
        assert_eq!(src.line_col(a.span().end).column as usize, (10 << 20) + 4);
    });
    on_small_stack("10mb-non-ascii-flow-line", || {
        let item = "ééééééééé";
        let count = (10 << 20) / (item.len() + 2);
        let mut text = String::from("a: [");
        text.push_str(&vec![item; count].join(", "));
        text.push_str("]\n");
        let (src, p) = one_doc(&text);
        let a = p.documents[0].root().unwrap().get("a").unwrap();
        assert_eq!(a.len(), count);
        let last = a.items().last().unwrap();
        assert_eq!(slice(&src, last.span()), item);
        let expected_col = 5 + (count - 1) * 11;
        assert_eq!(pos(&src, last.span()), (1, expected_col as u32));
    });
}

#[test]
fn hostile_hundred_thousand_keys() {
    on_small_stack("100k-unique-keys", || {
        let text: String = (0..100_000).map(|i| format!("key{i}: {i}\n")).collect();
        let (_, p) = one_doc(&text);
        let r = p.documents[0].root().unwrap();
        assert!(p.documents[0].duplicate_keys.is_empty());
        assert_eq!(r.entries().len(), 100_000);
        assert_eq!(r.get("key99999").unwrap().as_i64(), Some(99_999));
    });
    on_small_stack("100k-same-key", || {
        let text = "k: v\n".repeat(100_000);
        let (_, p) = one_doc(&text);
        assert_eq!(p.documents[0].duplicate_keys.len(), 99_999);
        assert_eq!(p.documents[0].root().unwrap().entries().len(), 1);
    });
    on_small_stack("100k-documents", || {
        let text = "a: 1\n---\n".repeat(100_000);
        let (_, p) = parse_str(&text);
        assert_eq!(p.documents.len(), 100_000);
    });
}

// ---- throughput (measurement only) -----------------------------------------------------------

/// `cargo test --release -p kubelint-core corpus_throughput -- --ignored --nocapture`
#[test]
#[ignore = "measurement over /work/shared/corpus, not a check"]
fn corpus_throughput() {
    let root = std::env::var("KUBELINT_CORPUS").unwrap_or_else(|_| "/work/shared/corpus".into());
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push(SourceFile::new(path.display().to_string(), text));
            }
        }
    }
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let mib = bytes as f64 / f64::from(1 << 20);
    let median = |mut f: Box<dyn FnMut() -> usize>| {
        let mut times: Vec<f64> = (0..7)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[3]
    };
    let files = &files;
    let tree = median(Box::new(move || {
        files.iter().map(|f| parse(f).documents.len()).sum()
    }));
    let events = median(Box::new(move || {
        files
            .iter()
            .map(|f| saphyr_parser::Parser::new_from_str(&f.text).count())
            .sum()
    }));
    eprintln!(
        "corpus {} files {mib:.1} MiB: parse {:.1} ms = {:.1} MiB/s; events only {:.1} ms = {:.1} MiB/s; ratio {:.2}",
        files.len(),
        tree * 1e3,
        mib / tree,
        events * 1e3,
        mib / events,
        tree / events
    );
}

#[test]
fn every_key_is_found_as_a_scan_of_its_mapping_finds_it() {
    // Keys that share marks or digests, short and long, escaped, aliased, merged and repeated.
    let keys = [
        "",
        "a",
        "ab",
        "abc",
        "abcd",
        "abce",
        "name",
        "nam",
        "metadata",
        "metadatb",
        "abcdXYZef",
        "abcdQRSef",
        "abcdXYZeg",
        "securityContext",
        "securityContexu",
    ];
    let mut text = String::from("anchors:\n  - &al abcdXYZef\n  - &base {abcd: 7, zz: 8}\n");
    for (i, key) in keys.iter().enumerate() {
        text.push_str(&format!("m{i}:\n  <<: *base\n"));
        for (j, other) in keys.iter().enumerate() {
            if (i + j) % 3 != 0 {
                text.push_str(&format!("  \"{other}\": {j}\n"));
            }
        }
        // An escaped repeat of this mapping's own key, and a key written through an alias.
        let escaped: String = key
            .chars()
            .map(|c| format!("\\u{:04X}", c as u32))
            .collect();
        text.push_str(&format!("  \"{escaped}\": 100\n  *al : 200\n"));
    }
    let (_, parsed) = one_doc(&text);
    let doc = &parsed.documents[0];
    let mut checked = 0;
    for (_, map) in doc.root().unwrap().entries() {
        if !map.is_map() {
            continue;
        }
        let entries: Vec<_> = map.entries().collect();
        for key in keys.iter().chain(&["zz", "absent", "abcdXYZe"]) {
            let scanned = entries
                .iter()
                .find(|(k, _)| k.text() == Some(key))
                .map(|(_, v)| v.id);
            assert_eq!(map.get(key).map(|v| v.id), scanned, "{key:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, keys.len() * (keys.len() + 3));
}
