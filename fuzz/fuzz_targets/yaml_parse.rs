//! Fuzz target: any bytes that decode as text must parse without panicking, with every span
//! inside the text and on character boundaries, and every key of a mapping must be found by
//! lookup exactly as a plain scan of the mapping finds it.
#![no_main]

use kubelint_core::load::source_from_bytes;
use kubelint_core::yaml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = source_from_bytes("fuzz.yaml".into(), data.to_vec());
    if source.undecodable_problem().is_some() {
        return;
    }
    let parsed = yaml::parse(&source);
    let len = source.text.len() as u32;
    for doc in &parsed.documents {
        for node in &doc.nodes {
            assert!(node.span.start <= node.span.end && node.span.end <= len);
            assert!(source.text.is_char_boundary(node.span.start as usize));
            assert!(source.text.is_char_boundary(node.span.end as usize));
        }
    }
    for doc in &parsed.documents {
        for id in 0..doc.nodes.len() {
            let map = doc.node(id as u32);
            // Small mappings only: the scan below is quadratic.
            if !map.is_map() || map.len() > 64 {
                continue;
            }
            let entries: Vec<_> = map.entries().collect();
            for (key, _) in &entries {
                let Some(text) = key.text() else { continue };
                let last = entries
                    .iter()
                    .rev()
                    .find(|(k, _)| k.text() == Some(text))
                    .map(|(_, v)| v.id);
                assert_eq!(map.get(text).map(|v| v.id), last, "lookup of {text:?}");
            }
        }
    }
    for err in &parsed.errors {
        assert!(err.span.end <= len, "error span past the end");
        let _ = source.line_col(err.span.start);
    }
});
