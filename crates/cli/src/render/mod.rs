//! Report renderers, one per output format; each writes only the report to its writer.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use kubelint_core::engine::{Outcome, ParsedInput};
use kubelint_core::finding::Finding;
use kubelint_core::load::{self, InputPath};
use kubelint_core::redact;
use kubelint_core::source::{text_fingerprint, SourceFile, Span};

/// Where the human report finds the text of an input whose text the run let go.
pub enum Reread {
    /// Standard input, held as it was read.
    Held(Arc<SourceFile>),
    /// A file, read again from disk.
    File(InputPath),
}

/// How to get back each input's text by path (the first input of a path wins, as in a run).
#[derive(Default)]
pub struct Rereads(HashMap<String, Reread>);

impl Rereads {
    #[must_use]
    pub fn new(held: &[Arc<SourceFile>], files: &[InputPath]) -> Self {
        let mut map = HashMap::new();
        for source in held {
            map.entry(source.path.clone())
                .or_insert_with(|| Reread::Held(Arc::clone(source)));
        }
        for file in files {
            map.entry(file.display.clone())
                .or_insert_with(|| Reread::File(file.clone()));
        }
        Self(map)
    }

    /// The text of `input`: its own when the run kept it, else read again, and only when it
    /// is the text that was linted.
    fn text(&self, input: &ParsedInput) -> Option<Arc<str>> {
        let Some(fingerprint) = input.text_fingerprint else {
            return Some(Arc::clone(&input.source.text));
        };
        let text = match self.0.get(&input.source.path)? {
            Reread::Held(source) => Arc::clone(&source.text),
            Reread::File(file) => Arc::clone(&load::read(file).ok()?.text),
        };
        (text_fingerprint(&text) == fingerprint).then_some(text)
    }
}

/// The texts human reports cut snippets from, with every secret masked: what the worker found
/// (Secret data, secret-looking literals), and in a file that is not valid YAML anything that
/// looks like a credential. Findings come file by file, so files are read and masked one at a
/// time as the report reaches them: a run that kept every file's text and masked each up front
/// held the input twice (and looked through every finding once per file). A file that changed
/// since it was linted is shown without snippets.
pub struct Snippets<'a> {
    /// The first input of each path.
    inputs: HashMap<&'a str, &'a ParsedInput>,
    rereads: Rereads,
    /// What to mask in each file beyond its secret spans, from the findings shown.
    masks: HashMap<&'a str, FileMasks>,
    /// Texts that are not inputs (the configuration file), used when no input has the path.
    others: HashMap<String, Arc<String>>,
    current: Option<(String, Arc<String>)>,
}

#[derive(Default)]
struct FileMasks {
    /// A `yaml-syntax` finding: the worker found no secrets in a file it could not read.
    unparsed: bool,
    /// Spans of findings of secret checks.
    secret_findings: Vec<Span>,
}

impl<'a> Snippets<'a> {
    #[must_use]
    pub fn new(outcome: &'a Outcome, findings: &[&'a Finding], rereads: Rereads) -> Self {
        let mut inputs = HashMap::new();
        for input in &outcome.inputs {
            inputs.entry(input.source.path.as_str()).or_insert(input);
        }
        let mut masks: HashMap<&str, FileMasks> = HashMap::new();
        for f in findings {
            let file = masks.entry(f.location.file.path.as_str()).or_default();
            file.unparsed |= &*f.check == "yaml-syntax";
            if f.secret {
                file.secret_findings.push(f.location.span);
            }
        }
        Self {
            inputs,
            rereads,
            masks,
            others: HashMap::new(),
            current: None,
        }
    }

    /// Adds a text that is not an input, shown when no input has its path.
    pub fn add_other(&mut self, path: String, text: Arc<String>) {
        self.others.entry(path).or_insert(text);
    }

    /// The masked text of the file at `path` (empty when the run has none).
    pub fn text(&mut self, path: &str) -> Arc<String> {
        if let Some((current, text)) = &self.current {
            if current == path {
                return Arc::clone(text);
            }
        }
        let text = match self.inputs.get(path) {
            Some(input) => match self.rereads.text(input) {
                Some(source) => {
                    let mut spans = input.secret_spans.clone();
                    if let Some(file) = self.masks.get(path) {
                        if file.unparsed {
                            spans.extend(redact::text_secret_spans(&source));
                        }
                        spans.extend(file.secret_findings.iter().copied());
                    }
                    Arc::new(redact::mask(&source, &spans))
                }
                None => Arc::default(),
            },
            None => self.others.get(path).cloned().unwrap_or_default(),
        };
        self.current = Some((path.to_string(), Arc::clone(&text)));
        text
    }
}

/// `%SRCROOT%`: the repository root around the working folder (else the working folder), the
/// base that SARIF URIs and GitHub annotation paths are relative to.
/// A JSON array written from an iterator as it is serialized, so that a report never holds a
/// record for every finding at once. It can be serialized once.
pub struct Streamed<I>(Cell<Option<I>>);

impl<I> Streamed<I> {
    pub fn new(items: I) -> Self {
        Self(Cell::new(Some(items)))
    }
}

impl<I> serde::Serialize for Streamed<I>
where
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(items) => serializer.collect_seq(items),
            None => Err(serde::ser::Error::custom("a streamed list is written once")),
        }
    }
}

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
    fn snippets_mask_secrets_and_hold_one_file_at_a_time() {
        use kubelint_core::engine::{run, RunSettings};
        use kubelint_core::source::SourceFile;
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n";
        let env = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: app:latest\n      env:\n        - name: API_TOKEN\n          value: s3cr3tvalue\n";
        let broken = "a: [\npassword: hunter2\n";
        let files = [
            ("secret.yaml", secret),
            ("env.yaml", env),
            ("broken.yaml", broken),
        ]
        .map(|(path, text)| Arc::new(SourceFile::new(path, text)));
        let outcome = run(files.to_vec(), &RunSettings::defaults());
        let shown: Vec<&Finding> = outcome.findings.iter().collect();
        let mut snippets = Snippets::new(&outcome, &shown, Rereads::default());
        snippets.add_other("config.yaml".into(), Arc::new("checks: {}\n".into()));
        let first = snippets.text("secret.yaml");
        assert!(!first.contains("hunter2"), "{first}");
        assert_eq!(first.len(), secret.len(), "masking keeps every offset");
        assert!(first.contains("password: "));
        let env_text = snippets.text("env.yaml");
        assert!(!env_text.contains("s3cr3tvalue"), "{env_text}");
        assert!(env_text.contains("API_TOKEN"));
        // The previous file's masked text is no longer held once the report moves on.
        assert_eq!(Arc::strong_count(&first), 1);
        // Asking again for the current file gives the same text, not another copy.
        assert!(Arc::ptr_eq(&env_text, &snippets.text("env.yaml")));
        // A file that is not YAML is searched for anything that looks like a credential.
        assert!(!snippets.text("broken.yaml").contains("hunter2"));
        assert_eq!(*snippets.text("config.yaml"), "checks: {}\n");
        assert!(snippets.text("elsewhere.yaml").is_empty());
        assert_eq!(*snippets.text("secret.yaml"), *first);
    }

    #[test]
    fn snippets_read_files_again_and_never_show_a_changed_one() {
        use kubelint_core::engine::{run_inputs, Input, RunSettings};
        let dir = std::env::temp_dir().join(format!("kubelint-reread-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fs_path = dir.join("db.yaml");
        let linted = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n";
        std::fs::write(&fs_path, linted).unwrap();
        let file = InputPath {
            display: "db.yaml".into(),
            fs_path: fs_path.clone(),
            explicit: true,
        };
        let settings = RunSettings {
            retain_text: false,
            fingerprint_text: true,
            ..RunSettings::defaults()
        };
        let (outcome, _) = run_inputs(vec![Input::File(file.clone())], &settings, &());
        assert!(
            outcome.inputs[0].source.text.is_empty(),
            "the run let the text go"
        );
        let shown: Vec<&Finding> = outcome.findings.iter().collect();
        let rereads = || Rereads::new(&[], std::slice::from_ref(&file));
        let text = Snippets::new(&outcome, &shown, rereads()).text("db.yaml");
        assert_eq!(text.len(), linted.len());
        assert!(
            text.contains("password: ") && !text.contains("hunter2"),
            "{text}"
        );
        // The same length, the secret moved: masking the old spans would show part of it.
        std::fs::write(
            &fs_path,
            linted.replace("password: hunter2", "pw: hunter2xxxxx"),
        )
        .unwrap();
        assert!(Snippets::new(&outcome, &shown, rereads())
            .text("db.yaml")
            .is_empty());
        std::fs::remove_file(&fs_path).unwrap();
        assert!(Snippets::new(&outcome, &shown, rereads())
            .text("db.yaml")
            .is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(percent_encode("a/b-c_d.e~f"), "a/b-c_d.e~f");
        assert_eq!(percent_encode("ü #%"), "%C3%BC%20%23%25");
    }
}
