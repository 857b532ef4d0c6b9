//! The built-in catalog: check definitions as data (one YAML file per theme, embedded), the
//! registry of code-backed checks, and the context those checks report through.

pub mod code;
pub mod cross;
pub mod pod_rules;
pub mod pod_security;
pub mod policy;

use std::sync::{Arc, OnceLock};

use crate::check::path::join_path;
use crate::check::{Check, Literal};
use crate::decode::DecodeError;
use crate::engine::ActiveCheck;
use crate::finding::{Related, Severity};
use crate::k8s::version::KubeVersion;
use crate::object::pod::{Container, PodSpec};
use crate::object::Object;
use crate::source::{SourceFile, Span};
use crate::yaml::{self, Document, NodeRef};

/// Theme files, in the order of `checks.yaml`.
const BUILTIN_FILES: &[(&str, &str)] = &[
    ("validity.yaml", include_str!("validity.yaml")),
    ("api-versions.yaml", include_str!("api-versions.yaml")),
    ("pod-security.yaml", include_str!("pod-security.yaml")),
    ("images.yaml", include_str!("images.yaml")),
    ("resources.yaml", include_str!("resources.yaml")),
    ("probes.yaml", include_str!("probes.yaml")),
    ("secrets.yaml", include_str!("secrets.yaml")),
    ("rollouts.yaml", include_str!("rollouts.yaml")),
    ("services.yaml", include_str!("services.yaml")),
    ("rbac.yaml", include_str!("rbac.yaml")),
    ("metadata.yaml", include_str!("metadata.yaml")),
    ("cross.yaml", include_str!("cross.yaml")),
    ("meta.yaml", include_str!("meta.yaml")),
];

/// Every built-in check, in catalog order.
///
/// # Panics
/// When an embedded definition is malformed; the catalog tests catch that before release.
#[must_use]
pub fn builtin() -> &'static [Arc<Check>] {
    static CATALOG: OnceLock<Vec<Arc<Check>>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut out = Vec::new();
        for (name, text) in BUILTIN_FILES {
            match parse_check_list(name, text, true) {
                Ok(checks) => out.extend(checks.into_iter().map(Arc::new)),
                Err(boxed) => {
                    let (source, err) = *boxed;
                    let at = source.line_col(err.span.start);
                    panic!("built-in {name}:{}:{}: {}", at.line, at.column, err.message)
                }
            }
        }
        out
    })
}

/// Reads a YAML list of check definitions (built-in theme files, or `customChecks`).
pub fn parse_check_list(
    name: &str,
    text: &str,
    builtin: bool,
) -> Result<Vec<Check>, Box<(SourceFile, DecodeError)>> {
    let source = SourceFile::new(name, text);
    let parsed = yaml::parse(&source);
    if let Some(err) = parsed.errors.first() {
        let err = DecodeError::new(err.span, err.message.clone());
        return Err(Box::new((source, err)));
    }
    let mut out = Vec::new();
    for doc in &parsed.documents {
        let Some(root) = doc.root() else { continue };
        for item in root.items() {
            match Check::from_node(item, builtin) {
                Ok(check) => out.push(check),
                Err(e) => return Err(Box::new((source, e))),
            }
        }
    }
    Ok(out)
}

/// What a code-backed check reports: where, what, and optionally more.
#[derive(Clone, Debug)]
pub struct Hit {
    pub span: Span,
    pub message: String,
    pub label: Option<String>,
    pub path: Option<String>,
    pub container: Option<String>,
    /// Overrides the check's severity for this finding (e.g. an explicit `true` is worse).
    pub severity: Option<Severity>,
    pub related: Vec<Related>,
}

impl Hit {
    #[must_use]
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            label: None,
            path: None,
            container: None,
            severity: None,
            related: Vec::new(),
        }
    }

    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    #[must_use]
    pub fn container(mut self, name: &str) -> Self {
        self.container = Some(name.to_string());
        self
    }

    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// What a code-backed single-object check sees.
pub struct CodeCtx<'a, 'd> {
    pub check: &'a ActiveCheck,
    pub object: &'a Object,
    pub root: NodeRef<'d>,
    pub doc: &'d Document,
    pub pod: Option<&'a PodSpec<'d>>,
    /// The pod's containers (`PodSpec::containers`), found once for every check of the object.
    pub containers: &'a [Container<'d>],
    pub version: KubeVersion,
    pub hits: &'a mut Vec<Hit>,
}

impl<'a, 'd> CodeCtx<'a, 'd> {
    /// The pod's containers; the iterator does not hold `self`, so checks report as they go.
    pub fn containers(&self) -> impl Iterator<Item = &'a Container<'d>> + 'a
    where
        'd: 'a,
    {
        let list: &'a [Container<'d>] = self.containers;
        list.iter()
    }

    /// A list-of-strings parameter of the running check (empty when unset).
    #[must_use]
    pub fn param_strings(&self, name: &str) -> Vec<&'a str> {
        let check: &'a ActiveCheck = self.check;
        check
            .params
            .get(name)
            .map(Literal::strings)
            .unwrap_or_default()
    }

    pub fn report(&mut self, hit: Hit) {
        self.hits.push(hit);
    }

    /// The field path of the pod spec from the document root.
    #[must_use]
    pub fn pod_path(&self) -> String {
        join_path(&self.object.base_path, self.pod.map_or("", |p| p.path))
    }

    /// A finding at `span` about field `rel` of container `c`.
    #[must_use]
    pub fn container_hit(
        &self,
        c: &Container<'_>,
        span: Span,
        rel: &str,
        message: impl Into<String>,
    ) -> Hit {
        Hit::new(span, message)
            .path(self.container_path(c, rel))
            .container(c.name)
    }

    /// The field path of `rel` inside container `c` (`spec.containers[0].image`).
    #[must_use]
    pub fn container_path(&self, c: &Container<'_>, rel: &str) -> String {
        c.field_path(&self.pod_path(), rel)
    }
}

pub type CodeFn = fn(&mut CodeCtx<'_, '_>);

/// What a code check reads. Most objects of a run (ConfigMaps, Services, RBAC) have no pod
/// spec, and the engine does not call a `Pod` check on them at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// The check returns at once for an object without a pod spec.
    Pod,
    Object,
}

/// One code-backed check: its id, its code and what it reads.
pub type CodeEntry = (&'static str, CodeFn, Needs);

/// The code behind a `logic: code` check, and what it reads.
#[must_use]
pub fn code_check(id: &str) -> Option<(CodeFn, Needs)> {
    // Looked up for every check on every object: hashed once rather than scanned each time.
    static BY_ID: std::sync::OnceLock<std::collections::HashMap<&'static str, (CodeFn, Needs)>> =
        std::sync::OnceLock::new();
    BY_ID
        .get_or_init(|| {
            REGISTRIES
                .iter()
                .flat_map(|r| r.iter())
                .map(|&(id, f, needs)| (id, (f, needs)))
                .collect()
        })
        .get(id)
        .copied()
}

/// Each module of code-backed checks lists its own entries.
const REGISTRIES: &[&[CodeEntry]] = &[
    code::REGISTRY,
    pod_security::REGISTRY,
    pod_rules::REGISTRY,
    policy::REGISTRY,
    #[cfg(test)]
    TEST_REGISTRY,
];

/// A check that always panics, to prove a failing check becomes a finding, not a crash.
#[cfg(test)]
const TEST_REGISTRY: &[CodeEntry] = &[(
    "test-panics",
    |_| panic!("deliberate test panic"),
    Needs::Object,
)];
