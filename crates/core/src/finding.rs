//! What a lint run reports: findings with their check, severity, exact location, object,
//! related locations and suppression state, plus the run summary.

use std::sync::Arc;

use serde::Serialize;

use crate::source::{LineCol, SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The identity of a Kubernetes object as findings name it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectId {
    /// Shared with the other objects of the run that spell it alike (see
    /// [`crate::object::shared_text`]), as are `kind` and `namespace`.
    pub api_version: Arc<str>,
    pub kind: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Arc<str>>,
    pub name: String,
}

/// A resolved place in an input: the file (shared with its text) and the span in it.
#[derive(Clone, Debug)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
}

impl Location {
    #[must_use]
    pub fn new(file: &Arc<SourceFile>, span: Span) -> Self {
        let (start, end) = file.span_line_cols(span);
        Self {
            file: Arc::clone(file),
            span,
            start,
            end,
        }
    }
}

/// Another place that helps explain a finding ("first defined here").
#[derive(Clone, Debug)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// How a finding was silenced, kept for SARIF and `--show-suppressed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// `inSource` (annotation or comment directive) or `external` (config file, baseline).
    pub kind: SuppressionKind,
    pub justification: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    InSource,
    External,
}

/// One finding of a run: a handle to its [`FindingData`], whose fields it gives access to.
///
/// Boxed because a run holds every finding to its end and gathers each file's list into one:
/// moving a finding then moves eight bytes, not two hundred. Gathering copies of the findings
/// themselves put 2.9 MB of fresh memory (700 page faults) at the peak of a 10,000-object run.
#[derive(Clone)]
pub struct Finding(Box<FindingData>);

impl Finding {
    #[must_use]
    pub fn new(data: FindingData) -> Self {
        Self(Box::new(data))
    }
}

impl From<FindingData> for Finding {
    fn from(data: FindingData) -> Self {
        Self::new(data)
    }
}

impl std::ops::Deref for Finding {
    type Target = FindingData;

    fn deref(&self) -> &FindingData {
        &self.0
    }
}

impl std::ops::DerefMut for Finding {
    fn deref_mut(&mut self) -> &mut FindingData {
        &mut self.0
    }
}

impl std::fmt::Debug for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a finding says: its check, severity, message and exact location, the object and
/// container it is about, related locations, and whether (and how) it is suppressed.
#[derive(Clone, Debug)]
pub struct FindingData {
    pub check: Arc<str>,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// Label shown under the span in rendered snippets.
    pub label: Option<Box<str>>,
    /// Field path of the offending node (`spec.template.spec.containers[0].image`).
    pub path: Option<Box<str>>,
    pub object: Option<Arc<ObjectId>>,
    pub container: Option<Box<str>>,
    /// The `# Source:` template of the Helm-rendered document (shared by its findings).
    pub helm_source: Option<Arc<str>>,
    /// A slice, not a `Vec`: most findings have none, and the word this saves keeps
    /// `FindingData` at 192 bytes, an allocator size class below 224 (on 10,000 objects,
    /// 0.4 MB less held to the end of the run).
    pub related: Box<[Related]>,
    pub remediation: Arc<str>,
    /// The span covers a secret value: renderers must mask it in snippets.
    pub secret: bool,
    /// Boxed: most findings have none, and a run holds every finding at once.
    pub suppression: Option<Box<Suppression>>,
}

impl FindingData {
    /// The order the contract fixes: file, line, column, check id (then message, for ties).
    #[must_use]
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.location.file.path,
            self.location.start.line,
            self.location.start.column,
            &self.check,
            &self.message,
        )
    }
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub findings: usize,
    pub suppressed: usize,
    pub by_severity: BySeverity,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct BySeverity {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl BySeverity {
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }
}
