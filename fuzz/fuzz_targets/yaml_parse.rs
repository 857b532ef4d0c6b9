//! Fuzz target: any bytes that decode as text must parse without panicking, with every span
//! inside the text and on character boundaries.
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
    for err in &parsed.errors {
        assert!(err.span.end <= len, "error span past the end");
        let _ = source.line_col(err.span.start);
    }
});
