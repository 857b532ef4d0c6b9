//! Report renderers, one per output format; each writes only the report to its writer.

pub mod human;
pub mod json;

use std::collections::HashMap;
use std::sync::Arc;

use kubelint_core::engine::Outcome;
use kubelint_core::finding::Finding;
use kubelint_core::redact;

/// Per-file source text with secret values masked, shared by every finding of that file.
pub fn masked_sources(outcome: &Outcome, findings: &[&Finding]) -> HashMap<String, Arc<String>> {
    let mut out = HashMap::new();
    for input in &outcome.inputs {
        let path = &input.source.path;
        if out.contains_key(path) || !findings.iter().any(|f| &f.location.file.path == path) {
            continue;
        }
        let mut spans = redact::secret_spans(input);
        // Where a document did not parse there is no tree to find secrets in: read the lines.
        if findings
            .iter()
            .any(|f| &*f.check == "yaml-syntax" && &f.location.file.path == path)
        {
            spans.extend(redact::text_secret_spans(&input.source.text));
        }
        spans.extend(
            findings
                .iter()
                .filter(|f| f.secret && &f.location.file.path == path)
                .map(|f| f.location.span),
        );
        out.insert(
            path.clone(),
            Arc::new(redact::mask(&input.source.text, &spans)),
        );
    }
    out
}
