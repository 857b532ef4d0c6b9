//! Turns the paths a user names into the list of inputs to lint: folders walked for YAML and
//! JSON (honouring `.gitignore`, skipping hidden folders, Helm chart sources and non-manifest
//! files), named files always read, in a deterministic order; then reads them as text.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::source::{SourceFile, Undecodable};

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
        if meta.is_file() || is_named_pipe(&meta) {
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

/// A pipe named on the command line (`kubelint <(helm template .)`) is read like a file; pipes
/// met while walking a folder are never opened, since opening one can block forever.
#[cfg(unix)]
fn is_named_pipe(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_named_pipe(_meta: &std::fs::Metadata) -> bool {
    false
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

/// Files larger than this are refused: no manifest comes close, offsets are kept as `u32`, and
/// the bound keeps memory proportional to what a user could mean to lint.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why a file's bytes could not become text.
#[derive(Debug, Clone)]
pub struct ReadProblem {
    pub message: String,
    /// Byte offset of the problem in the raw file, when there is one.
    pub offset: Option<usize>,
}

/// Decodes a file's bytes: UTF-8 (with or without BOM), or UTF-16 with a BOM.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, ReadProblem> {
    decode(bytes).map_err(|(problem, _)| problem)
}

/// Like [`decode_text`], but on failure also returns the text that could be decoded before the
/// problem, ending exactly at the problem's offset (so that a report can give its line).
fn decode(bytes: Vec<u8>) -> Result<String, (ReadProblem, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let body = &bytes[2..];
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        let mut text = String::with_capacity(units.len());
        for (i, c) in char::decode_utf16(units.iter().copied()).enumerate() {
            match c {
                Ok('\0') | Err(_) => {
                    let what = if c.is_ok() {
                        "a NUL character"
                    } else {
                        "an unpaired surrogate"
                    };
                    return Err(utf16_problem(format!("the file starts with a UTF-16 byte-order mark but is not UTF-16 text ({what} near byte offset {})", 2 + 2 * i), text));
                }
                Ok(ch) => text.push(ch),
            }
        }
        if body.len() % 2 == 1 {
            return Err(utf16_problem(
                "the file starts with a UTF-16 byte-order mark but has an odd number of bytes"
                    .into(),
                text,
            ));
        }
        return Ok(text);
    }
    if let Some(at) = memchr_nul(&bytes) {
        // No text is kept: the bytes before the NUL are binary too, and a snippet of them
        // could carry terminal control sequences. The message gives the offset.
        return Err((
            ReadProblem {
                message: format!(
                    "the file is binary (NUL byte at byte offset {at}), not YAML or JSON text"
                ),
                offset: Some(at),
            },
            String::new(),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        // Valid up to `at`, so the prefix is kept as is and the offset stays exact.
        let before = String::from_utf8_lossy(&bytes[..at]).into_owned();
        (
            ReadProblem {
                message: format!(
                    "the file is not valid UTF-8 text (byte 0x{:02X} at byte offset {at}); save it as UTF-8",
                    bytes[at]
                ),
                offset: Some(at),
            },
            before,
        )
    })
}

fn utf16_problem(message: String, before: String) -> (ReadProblem, String) {
    (
        ReadProblem {
            message,
            offset: None,
        },
        before,
    )
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// Turns raw bytes into a source. Bytes that are not text still give a source, marked
/// undecodable: the engine reports it as a file that does not parse (`yaml-syntax`).
#[must_use]
pub fn source_from_bytes(display: String, bytes: Vec<u8>) -> SourceFile {
    match decode(bytes) {
        Ok(text) => SourceFile::new(display, text),
        Err((problem, before)) => {
            let offset = crate::source::to_u32(before.len());
            SourceFile::undecodable(
                display,
                before,
                Undecodable {
                    offset,
                    message: problem.message,
                },
            )
        }
    }
}

/// Reads at most [`MAX_FILE_BYTES`] from `reader`; more is an error, not a truncation.
pub fn read_bounded(reader: impl Read) -> Result<Vec<u8>, ReadProblem> {
    read_limited(reader, MAX_FILE_BYTES, 0)
}

/// [`read_bounded`] into a buffer of `expected` bytes to start with.
fn read_limited(reader: impl Read, limit: u64, expected: usize) -> Result<Vec<u8>, ReadProblem> {
    let mut bytes = Vec::with_capacity(expected);
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadProblem {
            message: format!("cannot read the file: {}", io_reason(&e)),
            offset: None,
        })?;
    if bytes.len() as u64 > limit {
        return Err(ReadProblem {
            message: format!(
                "the file is larger than {} MiB; kubelint does not lint files this large",
                limit >> 20
            ),
            offset: None,
        });
    }
    Ok(bytes)
}

/// Reads one input. An I/O failure (permission denied, the file vanished, too large) is an
/// error; bytes that are not text give an undecodable source (see [`source_from_bytes`]).
pub fn read(input: &InputPath) -> Result<Arc<SourceFile>, ReadProblem> {
    let file = std::fs::File::open(&input.fs_path).map_err(|e| ReadProblem {
        message: format!("cannot read the file: {}", io_reason(&e)),
        offset: None,
    })?;
    // Sized from the file's length: read to the end in growing steps, a file's text was
    // copied about ten times (a 3 MB file left 4 MB of freed buffers behind it).
    let length = file.metadata().map_or(0, |m| m.len()).min(MAX_FILE_BYTES);
    let bytes = read_limited(file, MAX_FILE_BYTES, usize::try_from(length).unwrap_or(0))?;
    Ok(Arc::new(source_from_bytes(input.display.clone(), bytes)))
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
        assert!(decode_text(vec![0xFF, 0xFE, b'a', 0, b'b']).is_err());
        assert!(decode_text(vec![0xFF, 0xFE, 0x00, 0xD8, b'a', 0]).is_err());
    }

    #[test]
    fn undecodable_sources_keep_the_text_before_the_problem() {
        let source = source_from_bytes("x.yaml".into(), b"a: 1\nb: caf\xE9\n".to_vec());
        let problem = source.undecodable_problem().expect("not UTF-8");
        assert_eq!(&*source.text, "a: 1\nb: caf");
        assert_eq!(problem.offset, 11);
        assert_eq!(source.line_col(problem.offset).line, 2);
        assert!(problem.message.contains("0xE9"), "{}", problem.message);

        let binary = source_from_bytes("x.yaml".into(), b"\x7fELF\x02\x01\x00rest".to_vec());
        assert!(binary
            .undecodable_problem()
            .unwrap()
            .message
            .contains("binary"));
        assert!(source_from_bytes("x.yaml".into(), b"a: 1\n".to_vec())
            .undecodable_problem()
            .is_none());
    }

    #[test]
    fn a_file_that_vanished_is_a_read_problem() {
        let dir = std::env::temp_dir().join(format!("kubelint-vanish-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("gone.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        let found = discover(std::slice::from_ref(&dir), &WalkOptions::default()).unwrap();
        assert_eq!(found.inputs.len(), 1);
        std::fs::remove_file(&path).unwrap();
        let problem = read(&found.inputs[0]).expect_err("the file is gone");
        assert_eq!(
            problem.message,
            "cannot read the file: no such file or folder"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_expected_length_only_sizes_the_first_buffer() {
        // A file can change between taking its length and reading it: all of it is read.
        assert_eq!(read_limited(&b"abcdef"[..], 10, 2).unwrap(), b"abcdef");
        assert_eq!(read_limited(&b"ab"[..], 10, 8).unwrap(), b"ab");
        let read = read_limited(&b"abc"[..], 10, 3).unwrap();
        assert_eq!((read.as_slice(), read.capacity()), (&b"abc"[..], 3));
    }

    #[test]
    fn oversized_input_is_refused_not_truncated() {
        let big = std::io::repeat(b'a').take(3 << 20);
        let problem = read_limited(big, 2 << 20, 0).expect_err("too large");
        assert!(problem.message.contains("2 MiB"), "{}", problem.message);
        assert_eq!(read_limited(&b"abc"[..], 3, 0).unwrap(), b"abc");
        // A file that grew since its length was taken is still refused past the limit.
        assert!(read_limited(&b"abcd"[..], 3, 3).is_err());
        assert!(
            problem.message.contains("larger than"),
            "{}",
            problem.message
        );
    }
}
