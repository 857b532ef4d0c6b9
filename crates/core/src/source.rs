//! One input file in memory: its display path, text and the line index that turns byte offsets
//! into the 1-based line and Unicode-scalar column the contract reports.

use std::sync::Arc;

/// A half-open byte range `[start, end)` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    #[must_use]
    pub fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    #[must_use]
    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    #[must_use]
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new((span.start as usize).into(), span.len() as usize)
    }
}

/// A position as users see it: 1-based line, 1-based column counted in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// A fingerprint of a file's text. A report that reads a file again for its snippets compares
/// it with the one taken when the file was linted: a file changed in between is shown without
/// a snippet, since its spans (and the secrets they mask) would no longer line up.
#[must_use]
pub fn text_fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same text gives the same fingerprint in every run.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The text of one input plus what is needed to report positions in it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it, extended for walked files, with `/` separators; `-` for stdin.
    pub path: String,
    pub text: Arc<str>,
    /// Byte offset where each line starts. Line 1 starts after a UTF-8 byte-order mark, so that
    /// columns on the first line are the ones an editor shows. Empty once the text is gone
    /// ([`Released::lines`] has them then).
    line_starts: Box<[u32]>,
    /// Set when the file's bytes are not text: `text` then holds only the part before the
    /// problem, and the engine reports a `yaml-syntax` finding instead of parsing.
    undecodable: Option<Box<Undecodable>>,
    /// Set once the text has been let go ([`SourceFile::without_text`]): `text` is then empty.
    released: Option<Box<Released>>,
}

/// What a file keeps of its text once the text is gone: enough to turn any offset into the
/// line and column the contract reports.
#[derive(Clone, Debug)]
struct Released {
    len: u32,
    lines: PackedLines,
    /// The lines holding non-ASCII bytes (by 0-based index), whose columns count characters
    /// rather than bytes. Manifests are mostly ASCII, so this is usually empty.
    wide_lines: Box<[(u32, Box<str>)]>,
}

/// Line starts packed for a file whose text is gone, which a run keeps for every file: every
/// 32nd start in full and each line's length in one byte (longer lines listed apart), about
/// 1.1 bytes a line instead of 4.
#[derive(Clone, Debug)]
struct PackedLines {
    /// The start of lines `0, BLOCK, 2 * BLOCK, ...`.
    checkpoints: Box<[u32]>,
    /// Each line's length (up to the next line's start); [`LONG`] for the lines in `long`.
    lengths: Box<[u8]>,
    /// `(line, length)` of the lines of [`LONG`] bytes or more, by line.
    long: Box<[(u32, u32)]>,
}

const BLOCK: usize = 32;
const LONG: u8 = u8::MAX;

impl PackedLines {
    fn pack(starts: &[u32], len: u32) -> Self {
        let length_of = |line: usize| {
            let start = starts[line];
            starts.get(line + 1).copied().unwrap_or(len.max(start)) - start
        };
        let byte = |length: u32| u8::try_from(length.min(u32::from(LONG))).unwrap_or(LONG);
        // Every file packs its lines when its text goes: one pass without a branch per line
        // for the lengths, and a second, rare one for lines too long for a byte.
        let mut lengths: Vec<u8> = starts.windows(2).map(|w| byte(w[1] - w[0])).collect();
        if !starts.is_empty() {
            lengths.push(byte(length_of(starts.len() - 1)));
        }
        let long = if lengths.contains(&LONG) {
            (0..lengths.len())
                .filter(|&i| lengths[i] == LONG)
                .map(|i| (to_u32(i), length_of(i)))
                .collect()
        } else {
            Vec::new()
        };
        Self {
            checkpoints: starts.iter().step_by(BLOCK).copied().collect(),
            lengths: lengths.into_boxed_slice(),
            long: long.into_boxed_slice(),
        }
    }

    fn count(&self) -> usize {
        self.lengths.len()
    }

    fn length(&self, line: usize) -> u32 {
        match self.lengths[line] {
            LONG => self
                .long
                .binary_search_by_key(&to_u32(line), |&(l, _)| l)
                .map_or(0, |i| self.long[i].1),
            l => u32::from(l),
        }
    }

    /// The start of 0-based `line`.
    fn start(&self, line: usize) -> Option<u32> {
        if line >= self.count() {
            return None;
        }
        let block = line / BLOCK;
        let start = self.checkpoints[block];
        Some(start + (block * BLOCK..line).map(|l| self.length(l)).sum::<u32>())
    }

    /// The 0-based line holding `offset` (the first line before it, the last past the end),
    /// and that line's start.
    fn line_of(&self, offset: u32) -> (usize, u32) {
        let block = self
            .checkpoints
            .partition_point(|&c| c <= offset)
            .saturating_sub(1);
        let last = self.count() - 1;
        let mut line = block * BLOCK;
        let mut start = self.checkpoints[block];
        while line < last && start + self.length(line) <= offset {
            start += self.length(line);
            line += 1;
        }
        (line, start)
    }
}

/// Why a file's bytes are not YAML text, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecodable {
    /// Byte offset into `text` (which ends there or continues with lossily decoded text).
    pub offset: u32,
    pub message: String,
}

impl SourceFile {
    #[must_use]
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(bom);
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            // A lone CR ends a line for YAML and for editors; in CRLF only the LF counts.
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(to_u32(i + 1));
            }
        }
        Self {
            path: path.into(),
            text,
            line_starts: line_starts.into_boxed_slice(),
            undecodable: None,
            released: None,
        }
    }

    /// This file without its text, for a run that will not show snippets: positions
    /// ([`SourceFile::line_col`]) stay exact, while [`SourceFile::line_text`] and
    /// [`SourceFile::offset_of`] see an empty file. A file is about a tenth of its line index.
    #[must_use]
    pub fn without_text(&self) -> Self {
        self.without_text_given(self.text.is_ascii())
    }

    /// [`SourceFile::without_text`] for a caller that already knows whether the text is all
    /// ASCII: the engine asks while the file's text is at hand, not when it lets it go.
    #[must_use]
    pub fn without_text_given(&self, ascii: bool) -> Self {
        debug_assert_eq!(ascii, self.text.is_ascii());
        if let Some(released) = &self.released {
            return Self {
                path: self.path.clone(),
                text: Arc::from(""),
                line_starts: Box::default(),
                undecodable: self.undecodable.clone(),
                released: Some(released.clone()),
            };
        }
        // An all-ASCII file (the usual one) needs no line-by-line pass.
        let wide_lines = (0..if ascii { 0 } else { self.line_starts.len() })
            .filter_map(|i| {
                let start = self.line_starts[i] as usize;
                let end = self
                    .line_starts
                    .get(i + 1)
                    .map_or(self.text.len(), |&e| e as usize);
                let line = self.text.get(start..end)?;
                (!line.is_ascii()).then(|| (to_u32(i), Box::from(line)))
            })
            .collect();
        Self {
            path: self.path.clone(),
            text: Arc::from(""),
            line_starts: Box::default(),
            undecodable: self.undecodable.clone(),
            released: Some(Box::new(Released {
                len: self.len(),
                lines: PackedLines::pack(&self.line_starts, self.len()),
                wide_lines,
            })),
        }
    }

    /// Whether the text is still here (see [`SourceFile::without_text`]).
    #[must_use]
    pub fn has_text(&self) -> bool {
        self.released.is_none()
    }

    /// Length of the text in bytes, also once the text is gone.
    #[must_use]
    pub fn len(&self) -> u32 {
        self.released
            .as_ref()
            .map_or_else(|| to_u32(self.text.len()), |r| r.len)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A file whose bytes could not be decoded: `text` is what could be read before `offset`
    /// (kept so the finding gets a line and column), and nothing of it is parsed.
    #[must_use]
    pub fn undecodable(
        path: impl Into<String>,
        text: impl Into<Arc<str>>,
        problem: Undecodable,
    ) -> Self {
        let mut source = Self::new(path, text);
        source.undecodable = Some(Box::new(problem));
        source
    }

    /// Why this file could not be decoded, if it could not.
    #[must_use]
    pub fn undecodable_problem(&self) -> Option<&Undecodable> {
        self.undecodable.as_deref()
    }

    /// Byte offset where the text after an optional BOM starts.
    #[must_use]
    pub fn content_start(&self) -> u32 {
        self.line_start(1)
    }

    #[must_use]
    pub fn line_count(&self) -> usize {
        match &self.released {
            None => self.line_starts.len(),
            Some(released) => released.lines.count(),
        }
    }

    /// Byte offset of the start of 1-based `line` (clamped to the text).
    #[must_use]
    pub fn line_start(&self, line: u32) -> u32 {
        let idx = (line.max(1) - 1) as usize;
        match &self.released {
            None => self.line_starts.get(idx).copied(),
            Some(released) => released.lines.start(idx),
        }
        .unwrap_or_else(|| self.len())
    }

    /// The text of 1-based `line` without its line break (empty once the text is gone).
    #[must_use]
    pub fn line_text(&self, line: u32) -> &str {
        if !self.has_text() {
            return "";
        }
        let start = self.line_start(line) as usize;
        let end = self
            .line_starts
            .get(line as usize)
            .map_or(self.text.len(), |&s| s as usize);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of the `char_col`-th (0-based) character of 1-based `line`.
    #[must_use]
    pub fn offset_of(&self, line: u32, char_col: u32) -> u32 {
        if !self.has_text() {
            return self.line_start(line);
        }
        let start = self.line_start(line) as usize;
        let rest = &self.text[start..];
        let col = char_col as usize;
        // Most manifests are ASCII: there the column is the byte distance.
        let ascii_prefix = rest.as_bytes().iter().take(col).all(u8::is_ascii);
        if ascii_prefix && col <= rest.len() {
            return to_u32(start + col);
        }
        let byte = rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
        to_u32(start + byte)
    }

    /// 1-based line and Unicode-scalar column of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: u32) -> LineCol {
        let (idx, start) = self.locate(offset);
        self.line_col_on(idx, start, offset)
    }

    /// [`SourceFile::line_col`] of a span's start and end. A finding's span usually lies on
    /// one line, whose start is then looked up once for both.
    #[must_use]
    pub fn span_line_cols(&self, span: Span) -> (LineCol, LineCol) {
        let (idx, start) = self.locate(span.start);
        let same_line = match &self.released {
            None => self
                .line_starts
                .get(idx + 1)
                .is_none_or(|&next| span.end < next),
            Some(released) => {
                idx + 1 >= released.lines.count() || span.end < start + released.lines.length(idx)
            }
        };
        let end = if same_line && span.end >= span.start {
            self.line_col_on(idx, start, span.end)
        } else {
            self.line_col(span.end)
        };
        (self.line_col_on(idx, start, span.start), end)
    }

    /// The 0-based line holding `offset` and that line's start.
    fn locate(&self, offset: u32) -> (usize, u32) {
        match &self.released {
            None => {
                let idx = match self.line_starts.binary_search(&offset) {
                    Ok(i) => i,
                    Err(i) => i.saturating_sub(1),
                };
                (idx, self.line_starts[idx])
            }
            Some(released) => released.lines.line_of(offset),
        }
    }

    /// The position of `offset` on 0-based line `idx`, which starts at `start`.
    fn line_col_on(&self, idx: usize, start: u32, offset: u32) -> LineCol {
        let column = match &self.released {
            None => column_in(&self.text, start as usize, offset as usize),
            Some(released) => match released
                .wide_lines
                .binary_search_by_key(&to_u32(idx), |(line, _)| *line)
            {
                Ok(i) => column_in(
                    &released.wide_lines[i].1,
                    0,
                    offset.saturating_sub(start) as usize,
                ),
                Err(_) => offset.min(released.len).saturating_sub(start) as usize,
            },
        };
        LineCol {
            line: to_u32(idx + 1),
            column: to_u32(column + 1),
        }
    }
}

/// The 0-based column, in Unicode scalars, of byte `offset` on the line of `text` starting at
/// byte `start` (an offset inside a character counts from that character's start).
fn column_in(text: &str, start: usize, offset: usize) -> usize {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let slice = text.get(start.min(end)..end).unwrap_or("");
    if slice.is_ascii() {
        slice.len()
    } else {
        slice.chars().count()
    }
}

/// A searcher for a fixed needle in files' text.
pub(crate) type TextFinder = memchr::memmem::Finder<'static>;

/// The searcher for `needle`, built once in `slot`: every file's text is searched for a few
/// fixed needles, and building a searcher costs more than searching a small file.
pub(crate) fn text_finder(
    slot: &'static std::sync::OnceLock<TextFinder>,
    needle: &'static [u8],
) -> &'static TextFinder {
    slot.get_or_init(|| TextFinder::new(needle))
}

/// Offsets are kept as `u32`; inputs are capped well below 4 GiB by the loader.
#[must_use]
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_unicode_scalars_and_skip_the_bom() {
        let f = SourceFile::new("a.yaml", "\u{feff}a: 1\r\nb: \"é😀\" x\n");
        assert_eq!(f.line_col(3), LineCol { line: 1, column: 1 });
        let x = f.text.find('x').unwrap() as u32;
        assert_eq!(f.line_col(x), LineCol { line: 2, column: 9 });
        assert_eq!(f.offset_of(2, 8), x);
        assert_eq!(f.line_text(1), "a: 1");
        assert_eq!(f.line_text(2), "b: \"é😀\" x");
    }

    #[test]
    fn positions_stay_exact_without_the_text() {
        let long = "x".repeat(300);
        // More lines than a packed block, a line too long for a byte, blank lines, CR and CRLF
        // endings, non-ASCII lines, a BOM, no final line break.
        let many: String = (0..100)
            .map(|i| match i % 7 {
                0 => format!("k{i}: {long}\n"),
                1 => "\n".to_string(),
                2 => format!("é{i}: ü\r\n"),
                _ => format!("key{i}: value\n"),
            })
            .collect();
        let texts = [
            "\u{feff}a: 1\r\nb: \"é😀\" x\nc: 3\r\rlast".to_string(),
            String::new(),
            "\n\n".to_string(),
            many + "end",
            // Lines just short of a byte's limit, at it, and a long last line.
            format!(
                "{}\n{}\n{}",
                "y".repeat(253),
                "z".repeat(254),
                "w".repeat(400)
            ),
        ];
        for text in texts {
            let f = SourceFile::new("a.yaml", text.as_str());
            let released = f.without_text();
            assert!(!released.has_text() && released.text.is_empty());
            assert_eq!(released.len() as usize, text.len());
            assert_eq!(released.line_count(), f.line_count());
            assert_eq!(released.content_start(), f.content_start());
            for offset in 0..=text.len() as u32 + 2 {
                assert_eq!(
                    released.line_col(offset),
                    f.line_col(offset),
                    "offset {offset}"
                );
            }
            for line in 0..=f.line_count() as u32 + 1 {
                assert_eq!(released.line_start(line), f.line_start(line), "line {line}");
            }
            // A span's two ends, looked up together, are where each alone is: on one line,
            // across lines, at line breaks, past the end and reversed.
            let len = text.len() as u32;
            let offsets: Vec<u32> = (0..=len + 2)
                .filter(|&o| o < 24 || o + 24 > len || o % 5 == 0)
                .collect();
            for &start in &offsets {
                for &end in &offsets {
                    let span = Span::new(start, end);
                    for file in [&f, &released] {
                        assert_eq!(
                            file.span_line_cols(span),
                            (file.line_col(start), file.line_col(end)),
                            "span {start}..{end}, text released: {}",
                            !file.has_text()
                        );
                    }
                }
            }
            assert_eq!(released.line_text(2), "");
            let twice = released.without_text();
            assert_eq!(
                twice.line_col(text.len() as u32),
                f.line_col(text.len() as u32)
            );
        }
    }
}
