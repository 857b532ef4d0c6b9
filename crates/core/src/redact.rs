//! Where secret values sit in an input, whatever checks run: Secret `data`/`stringData`
//! values, literal env values of credential-like variables or holding key material, and
//! credential-like ConfigMap values. Renderers mask these spans in every snippet.

use std::sync::OnceLock;

use regex::Regex;

use crate::engine::ParsedInput;
use crate::object::pod::{builtin_pod_spec_path, PodSpec};
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

/// Spans of secret values in one input, sorted.
#[must_use]
pub fn secret_spans(input: &ParsedInput) -> Vec<Span> {
    let mut out = Vec::new();
    for obj in &input.objects {
        let doc = &input.documents[obj.doc];
        let root = obj.root(doc);
        let values =
            |field: &str, out: &mut Vec<Span>, filter: &dyn Fn(&str, NodeRef<'_>) -> bool| {
                if let Some(map) = root.get(field) {
                    for (k, v) in map.entries() {
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
                let Some(pod) = builtin_pod_spec_path(kind).and_then(|p| PodSpec::find(root, p))
                else {
                    continue;
                };
                for c in pod.containers() {
                    for env in c.node.get("env").into_iter().flat_map(NodeRef::items) {
                        let name = env
                            .get("name")
                            .and_then(NodeRef::as_str)
                            .unwrap_or_default();
                        if let Some(v) = env.get("value") {
                            if looks_secret_name(name) || v.as_str().is_some_and(looks_secret_value)
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
}
