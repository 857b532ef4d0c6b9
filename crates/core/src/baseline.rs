//! Baselines: today's findings recorded by a fingerprint that survives unrelated edits (check,
//! file, object, field path; never line numbers), so a later run reports only new findings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Suppression, SuppressionKind};

/// The format version written to and accepted from baseline files.
pub const VERSION: u32 = 1;

/// What identifies a finding across edits that do not touch it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fingerprint {
    pub check: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The field path of the offending node with containers named rather than numbered, or the
    /// container for findings without a path.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

impl Fingerprint {
    #[must_use]
    pub fn of(f: &Finding) -> Self {
        let object = f.object.as_ref();
        Self {
            check: f.check.to_string(),
            file: f.location.file.path.clone(),
            kind: object.map(|o| o.kind.to_string()).unwrap_or_default(),
            namespace: object
                .and_then(|o| o.namespace.as_deref())
                .unwrap_or_default()
                .to_string(),
            name: object.map(|o| o.name.clone()).unwrap_or_default(),
            path: match (&f.path, &f.container) {
                (Some(path), Some(container)) => by_container_name(path, container),
                (Some(path), None) => path.to_string(),
                (None, container) => container.as_deref().unwrap_or_default().to_string(),
            },
        }
    }
}

/// `spec.containers[1].image` as `spec.containers[web].image`: adding or reordering containers
/// must not unmatch the findings of the others.
fn by_container_name(path: &str, container: &str) -> String {
    let Some(at) = path.rfind("ontainers[").map(|i| i + "ontainers[".len()) else {
        return path.to_string();
    };
    match path[at..].find(']') {
        Some(len) if path[at..at + len].bytes().all(|b| b.is_ascii_digit()) => {
            format!("{}{container}{}", &path[..at], &path[at + len..])
        }
        _ => path.to_string(),
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(flatten)]
    fingerprint: Fingerprint,
    /// How many findings share the fingerprint (two identical containers, say).
    count: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

/// A set of accepted findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<Fingerprint, usize>,
}

impl Baseline {
    /// Records the findings that are not otherwise suppressed.
    #[must_use]
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut entries = BTreeMap::new();
        for f in findings {
            if f.suppression.is_none() {
                *entries.entry(Fingerprint::of(f)).or_insert(0) += 1;
            }
        }
        Self { entries }
    }

    /// The number of recorded findings.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.values().sum()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The file text: JSON, entries sorted, ending in a newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let file = File {
            version: VERSION,
            entries: self
                .entries
                .iter()
                .map(|(fingerprint, &count)| Entry {
                    fingerprint: fingerprint.clone(),
                    count,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File =
            serde_json::from_str(text).map_err(|e| format!("not a kubelint baseline: {e}"))?;
        if file.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported (this kubelint writes version {VERSION})",
                file.version
            ));
        }
        let mut entries = BTreeMap::new();
        for e in file.entries {
            *entries.entry(e.fingerprint).or_insert(0) += e.count;
        }
        Ok(Self { entries })
    }

    /// Marks findings in the baseline as suppressed (external, "in baseline") and returns how
    /// many baseline entries no longer occur.
    pub fn apply(&self, findings: &mut [Finding]) -> usize {
        let mut left = self.entries.clone();
        for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
            if let Some(n) = left.get_mut(&Fingerprint::of(f)).filter(|n| **n > 0) {
                *n -= 1;
                f.suppression = Some(Box::new(Suppression {
                    kind: SuppressionKind::External,
                    justification: "in baseline".into(),
                }));
            }
        }
        left.values().sum()
    }
}
