//! Turns the paths a user names into the list of inputs to lint: folders walked for YAML and
//! JSON (honouring `.gitignore`, skipping hidden folders, Helm chart sources and non-manifest
//! files), named files always read, in a deterministic order; then reads them as text.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::source::SourceFile;

/// One file to lint: the path to read and the path to show.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputPath {
    pub display: String,
    pub fs_path: PathBuf,
    /// Named on the command line (read even when filters would skip it).
    pub explicit: bool,
}

#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// What discovery found, and what it left out on purpose.
#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<InputPath>,
    /// Helm chart folders whose templates were skipped.
    pub skipped_charts: Vec<String>,
}

/// A problem that stops the run (exit 2): a named path missing, a bad glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// File names that are configuration for tools, never Kubernetes objects.
fn is_tool_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "chart.yaml" | "chart.yml" | "kustomization.yaml" | "kustomization.yml" | "chart.lock"
    ) || (lower.starts_with("values")
        && (lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")))
}

fn is_manifest_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")
}

fn globset(patterns: &[String]) -> Result<GlobSet, LoadError> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| LoadError {
            message: format!("invalid glob `{p}`: {e}"),
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| LoadError {
        message: format!("invalid globs: {e}"),
    })
}

/// Displays paths as ripgrep does: as given, extended below a walked folder, with `/`.
fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map_or(s.clone(), str::to_string)
}

/// Finds the inputs below `paths`.
pub fn discover(paths: &[PathBuf], options: &WalkOptions) -> Result<Discovery, LoadError> {
    let include = globset(&options.include)?;
    let exclude = globset(&options.exclude)?;
    let mut out = Discovery::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| LoadError {
            message: format!("{}: {}", path.display(), io_reason(&e)),
        })?;
        if meta.is_file() {
            out.inputs.push(InputPath {
                display: display_path(path),
                fs_path: path.clone(),
                explicit: true,
            });
            continue;
        }
        if !meta.is_dir() {
            return Err(LoadError {
                message: format!("{}: not a regular file or folder", path.display()),
            });
        }
        walk_folder(path, &include, &exclude, &mut out);
    }
    out.inputs.sort();
    out.inputs.dedup_by(|a, b| a.fs_path == b.fs_path);
    out.skipped_charts.sort();
    out.skipped_charts.dedup();
    Ok(out)
}

fn walk_folder(root: &Path, include: &GlobSet, exclude: &GlobSet, out: &mut Discovery) {
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .filter_entry(|entry| {
            // A chart's templates are Go templates, not YAML.
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry.file_name() == "templates"
                && entry
                    .path()
                    .parent()
                    .is_some_and(|p| p.join("Chart.yaml").is_file()))
        })
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            if path.join("Chart.yaml").is_file() && path.join("templates").is_dir() {
                out.skipped_charts.push(display_path(path));
            }
            continue;
        }
        // FIFOs, sockets and devices are never read: reading one could block forever.
        if !file_type.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if !is_manifest_name(&name) || is_tool_file(&name) {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        if !include.is_empty() && !include.is_match(rel) && !include.is_match(path) {
            continue;
        }
        if exclude.is_match(rel) || exclude.is_match(path) {
            continue;
        }
        out.inputs.push(InputPath {
            display: display_path(path),
            fs_path: path.to_path_buf(),
            explicit: false,
        });
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Why a file's bytes could not become text.
#[derive(Debug, Clone)]
pub struct ReadProblem {
    pub message: String,
    /// Byte offset of the problem in the raw file, when there is one.
    pub offset: Option<usize>,
}

/// Decodes a file's bytes: UTF-8 (with or without BOM), or UTF-16 with a BOM.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, ReadProblem> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        return String::from_utf16(&units).map_err(|_| ReadProblem {
            message: "the file starts with a UTF-16 byte-order mark but is not valid UTF-16".into(),
            offset: None,
        });
    }
    if bytes.contains(&0) {
        return Err(ReadProblem {
            message: "the file is binary (it contains NUL bytes), not YAML or JSON text".into(),
            offset: bytes.iter().position(|&b| b == 0),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        ReadProblem {
            message: format!("the file is not valid UTF-8 text (invalid byte at offset {at})"),
            offset: Some(at),
        }
    })
}

/// Reads one input as text.
pub fn read(input: &InputPath) -> Result<Arc<SourceFile>, ReadProblem> {
    let bytes = std::fs::read(&input.fs_path).map_err(|e| ReadProblem {
        message: format!("cannot read the file: {}", io_reason(&e)),
        offset: None,
    })?;
    let text = decode_text(bytes)?;
    Ok(Arc::new(SourceFile::new(input.display.clone(), text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_files_are_not_manifests() {
        assert!(is_tool_file("Chart.yaml"));
        assert!(is_tool_file("values.yaml"));
        assert!(is_tool_file("values-prod.yaml"));
        assert!(is_tool_file("kustomization.yaml"));
        assert!(!is_tool_file("deployment.yaml"));
        assert!(!is_tool_file("my-values.yaml"));
    }

    #[test]
    fn decodes_utf16_and_rejects_binary() {
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a: 1\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(utf16).unwrap(), "a: 1\n");
        assert!(decode_text(vec![b'a', 0, b'b']).is_err());
        assert!(decode_text(vec![b'a', 0xC3]).is_err());
    }
}
