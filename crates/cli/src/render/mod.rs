//! Report renderers, one per output format; each writes only the report to its writer.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
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
        let mut spans = input.secret_spans.clone();
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

/// `%SRCROOT%`: the repository root around the working folder (else the working folder), the
/// base that SARIF URIs and GitHub annotation paths are relative to.
#[derive(Clone, Debug)]
pub struct SrcRoot {
    root: PathBuf,
    cwd: PathBuf,
}

impl SrcRoot {
    /// Walks up from the working folder to the first folder holding `.git` (a folder, or the
    /// file a worktree or submodule has).
    #[must_use]
    pub fn discover() -> Self {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok().or(Some(d)))
            .unwrap_or_else(|| PathBuf::from("/"));
        Self::from_cwd(cwd)
    }

    #[must_use]
    pub fn from_cwd(cwd: PathBuf) -> Self {
        let root = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        Self { root, cwd }
    }

    /// The path of a displayed file relative to the root, with `/`; `None` when it lies outside
    /// (or is standard input).
    #[must_use]
    pub fn relative(&self, display: &str) -> Option<String> {
        if display == "-" {
            return None;
        }
        let absolute = normalise(&self.cwd.join(display));
        let rel = absolute.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// The SARIF artifact URI of a displayed file and its base id (none for absolute URIs).
    #[must_use]
    pub fn uri(&self, display: &str) -> (String, Option<&'static str>) {
        match self.relative(display) {
            Some(rel) => (percent_encode(&rel), Some("%SRCROOT%")),
            None if display == "-" => ("stdin".into(), Some("%SRCROOT%")),
            None => {
                let absolute = normalise(&self.cwd.join(display));
                (file_uri(&absolute), None)
            }
        }
    }

    /// The root as a `file:` URI ending in `/`, as `originalUriBaseIds` requires.
    #[must_use]
    pub fn base_uri(&self) -> String {
        let mut uri = file_uri(&self.root);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    /// Where a path relative to the working folder is (for chart templates).
    #[must_use]
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }
}

/// Resolves `.` and `..` without touching the file system (symbolic links are kept as named).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let encoded = percent_encode(&text);
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        // Windows drive paths: file:///C:/...
        format!("file:///{encoded}")
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, `/` and a drive's `:`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, b) in text.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (b == b':' && i == 1);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_repository_root() {
        let dir = std::env::temp_dir().join(format!("kubelint-srcroot-{}", std::process::id()));
        let sub = dir.join("deploy");
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::create_dir_all(&sub).unwrap();
        let root = SrcRoot::from_cwd(sub.clone());
        assert_eq!(
            root.relative("web.yaml").as_deref(),
            Some("deploy/web.yaml")
        );
        assert_eq!(
            root.relative("./a/../b c.yaml").as_deref(),
            Some("deploy/b c.yaml")
        );
        assert_eq!(
            root.uri("b c.yaml"),
            ("deploy/b%20c.yaml".to_string(), Some("%SRCROOT%"))
        );
        let abs = sub.join("x.yaml");
        assert_eq!(
            root.relative(&abs.to_string_lossy()).as_deref(),
            Some("deploy/x.yaml")
        );
        assert_eq!(root.relative("../../outside.yaml"), None);
        assert!(root.uri("../../outside.yaml").0.starts_with("file:///"));
        assert!(root.base_uri().ends_with('/'));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(percent_encode("a/b-c_d.e~f"), "a/b-c_d.e~f");
        assert_eq!(percent_encode("ü #%"), "%C3%BC%20%23%25");
    }
}
