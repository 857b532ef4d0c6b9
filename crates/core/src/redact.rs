//! Where secret values sit in an input, whatever checks run: Secret `data`/`stringData`
//! values, literal env values of credential-like variables or holding key material, and
//! credential-like ConfigMap values. Renderers mask these spans in every snippet.

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::{ParsedInput, RunSettings};
use crate::object::pod::{ContainerField, PodSpec};
use crate::source::Span;
use crate::yaml::NodeRef;

/// Variable or key names that announce a credential. `env-secret-literal` uses the same pattern.
pub const SECRET_NAME_PATTERN: &str = r"(?i)(passw(or)?d|passwd|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key|auth[_-]?key|client[_-]?secret)";

/// Values that are key material or well-known token formats, whatever their name.
pub const SECRET_VALUE_PATTERN: &str = r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bglpat-[A-Za-z0-9_-]{20,}|\bsk_live_[A-Za-z0-9]{20,}|\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.";

fn name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(SECRET_NAME_PATTERN).expect("valid secret name pattern"))
}

fn value_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(SECRET_VALUE_PATTERN).expect("valid secret value pattern"))
}

#[must_use]
pub fn looks_secret_name(name: &str) -> bool {
    name_re().is_match(name)
}

#[must_use]
pub fn looks_secret_value(value: &str) -> bool {
    value_re().is_match(value)
}

/// Spans of secret values in one input, sorted. Pod specs are found where the run finds them,
/// so a custom kind's env (`podTemplatePaths` in the config) is masked like a Deployment's.
#[must_use]
pub fn secret_spans(input: &ParsedInput, settings: &RunSettings) -> Vec<Span> {
    let mut out = Vec::new();
    for obj in &input.objects {
        let doc = &input.documents[obj.doc];
        let root = obj.root(doc);
        let values =
            |field: &str, out: &mut Vec<Span>, filter: &dyn Fn(&str, NodeRef<'_>) -> bool| {
                if let Some(map) = root.get(field) {
                    for (k, v) in all_entries(map) {
                        if filter(k.text().unwrap_or_default(), v) {
                            out.push(v.span());
                        }
                    }
                }
            };
        match obj.kind() {
            "Secret" => {
                values("data", &mut out, &|_, _| true);
                values("stringData", &mut out, &|_, _| true);
            }
            "ConfigMap" => values("data", &mut out, &|k, v| {
                looks_secret_name(k) || v.as_str().is_some_and(looks_secret_value)
            }),
            kind => {
                let Some(pod) = settings
                    .pod_spec_path(&obj.id.api_version, kind)
                    .and_then(|p| PodSpec::find(root, p))
                else {
                    continue;
                };
                for c in pod.containers() {
                    for env in c.list(ContainerField::Env) {
                        let name = env
                            .get("name")
                            .and_then(NodeRef::as_str)
                            .unwrap_or_default();
                        for (k, v) in all_entries(env) {
                            if k.text() == Some("value")
                                && (looks_secret_name(name)
                                    || v.as_str().is_some_and(looks_secret_value))
                            {
                                out.push(v.span());
                            }
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every entry of a mapping: the merged view plus the values a repeated key hides (Kubernetes
/// keeps only the last, but the earlier ones are in the file, and in snippets, all the same).
fn all_entries(map: NodeRef<'_>) -> Vec<(NodeRef<'_>, NodeRef<'_>)> {
    let mut out: Vec<_> = map.entries().collect();
    out.extend(
        map.doc
            .map_entries(map.node())
            .iter()
            .map(|&(k, v)| (NodeRef::new(map.doc, k), NodeRef::new(map.doc, v))),
    );
    out
}

/// Secret values found by reading lines, for text that did not parse (so has no tree): values
/// of credential-like keys, values right after a credential-like `name:` (env entries),
/// everything under `data:`/`stringData:` in a file that mentions `kind: Secret`, and PEM key
/// blocks. It over-masks on purpose: a snippet of a broken file must not leak what the tree
/// walk would have hidden.
#[must_use]
pub fn text_secret_spans(text: &str) -> Vec<Span> {
    static SECRET_KIND: OnceLock<Regex> = OnceLock::new();
    let secret_kind = SECRET_KIND
        .get_or_init(|| Regex::new(r#"(?m)^\s*kind:\s*["']?Secret["']?\s*(#.*)?$"#).expect("valid"))
        .is_match(text);
    let mut out = Vec::new();
    let mut block_indent: Option<usize> = None;
    let mut in_pem = false;
    let mut secret_name_before = false;
    let mut pos = 0usize;
    for line in text.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let content = body.trim_start();
        let indent = body.len() - content.len();
        let whole = Span::new(
            crate::source::to_u32(start + indent),
            crate::source::to_u32(start + body.len()),
        );
        if in_pem {
            out.push(whole);
            in_pem = !content.contains("-----END");
            continue;
        }
        if let Some(ind) = block_indent {
            if content.is_empty() || content.starts_with('#') || indent > ind {
                out.push(whole);
                continue;
            }
            block_indent = None;
        }
        let item = content.strip_prefix("- ").unwrap_or(content);
        let item_at = start + body.len() - item.len();
        let Some(colon) = item
            .find(": ")
            .or_else(|| item.strip_suffix(':').map(str::len))
        else {
            continue;
        };
        let key = item[..colon].trim().trim_matches(['"', '\'']);
        let value_at = item_at + (colon + 2).min(item.len());
        let value = &text[value_at.min(start + body.len())..start + body.len()];
        let value_span = Span::new(
            crate::source::to_u32(value_at.min(start + body.len())),
            crate::source::to_u32(start + body.len()),
        );
        if secret_kind && (key == "data" || key == "stringData") {
            block_indent = Some(indent);
            out.push(value_span);
            continue;
        }
        let after_secret_name = secret_name_before && key == "value";
        secret_name_before = key == "name" && looks_secret_name(value);
        if after_secret_name || looks_secret_name(key) || looks_secret_value(value) {
            out.push(value_span);
        }
        if value.contains("PRIVATE KEY-----") && !value.contains("-----END") {
            in_pem = true;
        }
        if matches!(value.trim(), "|" | "|-" | "|+" | ">" | ">-" | ">+")
            && (looks_secret_name(key) || secret_kind)
        {
            block_indent = Some(indent);
        }
    }
    out
}

/// `text` with every byte of `spans` other than line breaks replaced by `*`: same length, so
/// every other span still points at the same text.
#[must_use]
pub fn mask(text: &str, spans: &[Span]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        let end = (span.end as usize).min(bytes.len());
        for b in &mut bytes[(span.start as usize).min(end)..end] {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_length_and_lines() {
        let text = "a: secret\nb: |\n  multi\n  line\n";
        let spans = [Span::new(3, 9), Span::new(13, 29)];
        let masked = mask(text, &spans);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked.lines().count(), text.lines().count());
        assert!(!masked.contains("secret") && !masked.contains("multi"));
    }

    #[test]
    fn env_secret_literal_uses_the_same_name_pattern() {
        let check = crate::checks::builtin()
            .iter()
            .find(|c| &*c.id == "env-secret-literal")
            .expect("env-secret-literal is built in");
        let logic = format!("{:?}", check.logic);
        assert!(
            logic.contains(SECRET_NAME_PATTERN),
            "keep secrets.yaml and SECRET_NAME_PATTERN in step"
        );
    }

    fn masked(text: &str) -> String {
        mask(text, &text_secret_spans(text))
    }

    #[test]
    fn broken_text_is_masked_line_by_line() {
        let out = masked("kind: Secret\nstringData:\n  password: hunter2\n  key: |\n    body\nmetadata:\n  name: x\n  oops: [\n");
        assert!(!out.contains("hunter2") && !out.contains("body"), "{out}");
        assert!(out.contains("name: x"), "{out}");
        let env = masked(
            "env:\n  - name: DB_PASSWORD\n    value: hunter2\n  - name: MODE\n    value: fast\n",
        );
        assert!(!env.contains("hunter2") && env.contains("fast"), "{env}");
        let pem = masked("x: \"-----BEGIN RSA PRIVATE KEY-----\n  MIIsecret\n  -----END RSA PRIVATE KEY-----\"\ny: 1\n");
        assert!(!pem.contains("MIIsecret") && pem.contains("y: 1"), "{pem}");
    }
}
