//! Reading typed settings (check definitions, `.kubelint.yaml`) out of YAML nodes, so that
//! every mistake is reported with the span of the offending key or value and, for unknown keys,
//! a "did you mean" suggestion. Unknown keys are never ignored.

use crate::source::Span;
use crate::yaml::{NodeRef, Scalar};

/// A mistake in a settings file: what and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl DecodeError {
    #[must_use]
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

pub type Decoded<T> = Result<T, DecodeError>;

/// A mapping being read key by key; [`Fields::finish`] rejects keys nobody asked for.
pub struct Fields<'d> {
    node: NodeRef<'d>,
    what: &'static str,
    asked: Vec<&'static str>,
}

impl<'d> Fields<'d> {
    /// Starts reading `node`, which must be a mapping; `what` names it in messages.
    pub fn new(node: NodeRef<'d>, what: &'static str) -> Decoded<Self> {
        if !node.is_map() {
            return Err(DecodeError::new(
                node.span(),
                format!("{what} must be a mapping"),
            ));
        }
        Ok(Self {
            node,
            what,
            asked: Vec::new(),
        })
    }

    #[must_use]
    pub fn node(&self) -> NodeRef<'d> {
        self.node
    }

    /// The keys asked for so far.
    #[must_use]
    pub fn asked(&self) -> &[&'static str] {
        &self.asked
    }

    /// The value of `key`, if present and not null.
    pub fn get(&mut self, key: &'static str) -> Option<NodeRef<'d>> {
        self.asked.push(key);
        self.node.get(key).filter(|v| !v.is_null())
    }

    /// The value of `key`; when it is missing but a misspelling of it is present, the error
    /// points at the misspelt key.
    pub fn required(&mut self, key: &'static str) -> Decoded<NodeRef<'d>> {
        if let Some(v) = self.get(key) {
            return Ok(v);
        }
        let typo = self.node.entries().find(|(k, _)| {
            k.text()
                .is_some_and(|t| t != key && did_you_mean(t, [key]).is_some())
        });
        Err(match typo {
            Some((k, _)) => DecodeError::new(
                k.span(),
                format!(
                    "unknown key `{}` in {}",
                    k.text().unwrap_or_default(),
                    self.what
                ),
            )
            .with_help(format!("did you mean `{key}`?")),
            None => DecodeError::new(
                self.node.span(),
                format!("{} is missing the required key `{key}`", self.what),
            ),
        })
    }

    pub fn required_str(&mut self, key: &'static str) -> Decoded<&'d str> {
        string(self.required(key)?, key)
    }

    pub fn opt_str(&mut self, key: &'static str) -> Decoded<Option<&'d str>> {
        self.get(key).map(|v| string(v, key)).transpose()
    }

    pub fn opt_bool(&mut self, key: &'static str) -> Decoded<Option<bool>> {
        self.get(key)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    DecodeError::new(v.span(), format!("`{key}` must be true or false"))
                })
            })
            .transpose()
    }

    pub fn opt_str_list(&mut self, key: &'static str) -> Decoded<Option<Vec<&'d str>>> {
        self.get(key).map(|v| string_list(v, key)).transpose()
    }

    /// Ends reading: any key not asked for is an error, with the closest known key suggested.
    pub fn finish(self) -> Decoded<()> {
        for (key, _) in self.node.entries() {
            let text = key.text().unwrap_or_default();
            if !self.asked.contains(&text) {
                let mut err =
                    DecodeError::new(key.span(), format!("unknown key `{text}` in {}", self.what));
                err = match did_you_mean(text, self.asked.iter().copied()) {
                    Some(s) => err.with_help(format!("did you mean `{s}`?")),
                    None => err.with_help(format!("known keys: {}", self.asked.join(", "))),
                };
                return Err(err);
            }
        }
        Ok(())
    }
}

pub fn string<'d>(node: NodeRef<'d>, key: &str) -> Decoded<&'d str> {
    match node.scalar() {
        Some(Scalar::Str(s)) => Ok(s),
        Some(other) => Err(DecodeError::new(
            node.span(),
            format!(
                "`{key}` must be a string, but `{other}` reads as a {}",
                other.type_name()
            ),
        )
        .with_help("quote the value")),
        None => Err(DecodeError::new(
            node.span(),
            format!("`{key}` must be a string"),
        )),
    }
}

pub fn string_list<'d>(node: NodeRef<'d>, key: &str) -> Decoded<Vec<&'d str>> {
    if !node.is_seq() {
        return Err(DecodeError::new(
            node.span(),
            format!("`{key}` must be a list of strings"),
        ));
    }
    node.items().map(|item| string(item, key)).collect()
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a typo.
#[must_use]
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, c)| d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(&cb));
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["include", "exclude", "checks", "failOn"];
        assert_eq!(did_you_mean("exlude", keys), Some("exclude"));
        assert_eq!(did_you_mean("failon", keys), Some("failOn"));
        assert_eq!(did_you_mean("banana", keys), None);
    }
}
