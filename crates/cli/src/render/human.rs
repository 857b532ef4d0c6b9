//! Human output: miette's graphical report per finding, with the source snippet and a label
//! under the exact span, the check id, related locations and the remediation.

use std::fmt;
use std::io;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};

use kubelint_core::finding::{Finding, Related, Severity};

struct Report<'a> {
    finding: &'a Finding,
    source: NamedSource<IndexedText>,
}

/// A file's text for miette, with where its lines start. miette reads a snippet out of a plain
/// string by walking it from its first byte, so a report of a large file was quadratic: 37 s
/// for the 3,000 findings of one 2.4 MB file. Walking from a few lines before the span gives
/// the same contents (see [`IndexedText::read_span`]).
#[derive(Clone)]
struct IndexedText {
    text: Arc<String>,
    /// Where each line starts, after `\n`, `\r\n` or a lone `\r` as miette counts lines.
    line_starts: Arc<[usize]>,
}

impl IndexedText {
    fn new(text: Arc<String>) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                line_starts.push(i + 1);
            }
        }
        Self {
            text,
            line_starts: line_starts.into(),
        }
    }
}

impl SourceCode for IndexedText {
    /// miette's own reading of the text from the start of the line `context_lines_before + 1`
    /// lines above the span's: what it finds there (the context lines kept, the column) does
    /// not depend on the lines before, and its line numbers are shifted by the lines skipped.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let line = self.line_of(span.offset());
        let last_line = self.line_of(
            (span.offset() + span.len())
                .saturating_sub(1)
                .max(span.offset()),
        );
        let shown = line.saturating_sub(context_lines_before)
            ..=(last_line + context_lines_after).min(self.line_starts.len() - 1);
        if shown.into_iter().any(|l| self.line_len(l) > LONG_LINE) {
            return Ok(self.cut_around(span, line, last_line, context_lines_before == 0));
        }
        let skipped = line.saturating_sub(context_lines_before + 1);
        let from = self.line_starts[skipped];
        let window = &self.text.as_bytes()[from..];
        let inner = window.read_span(
            &SourceSpan::new((span.offset() - from).into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + skipped,
            inner.column(),
            inner.line_count() + skipped,
        )))
    }
}

/// A line longer than this many bytes is not shown whole: a minified JSON manifest is one
/// line, and showing it for each finding made a 51 KB file a 372 MB report.
const LONG_LINE: usize = 512;

/// How much of a long line a snippet shows on each side of its span, in bytes.
const SNIPPET_REACH: usize = 120;

impl IndexedText {
    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The length of line `line` with its line break.
    fn line_len(&self, line: usize) -> usize {
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next);
        end - self.line_starts[line]
    }

    /// The span's own lines, without context lines, cut to [`SNIPPET_REACH`] bytes on each
    /// side of it. `at_span` starts them at the span itself, as miette's own reading without
    /// context does (for the `[file:line:column]` header).
    fn cut_around<'a>(
        &'a self,
        span: &SourceSpan,
        line: usize,
        last_line: usize,
        at_span: bool,
    ) -> Box<dyn SpanContents<'a> + 'a> {
        let text = self.text.as_str();
        let line_start = self.line_starts[line];
        let span_start = span.offset().min(text.len());
        let span_end = (span.offset() + span.len()).min(text.len());
        let line_end = self.line_starts[last_line] + self.line_len(last_line);
        let mut start = if at_span {
            span_start
        } else {
            span_start.saturating_sub(SNIPPET_REACH).max(line_start)
        };
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let mut end = (span_end + SNIPPET_REACH).min(line_end).max(start);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // Columns count bytes from the line's start, as miette's own reading does.
        Box::new(MietteSpanContents::new(
            &text.as_bytes()[start..end],
            SourceSpan::new(start.into(), end - start),
            line,
            span_start - line_start,
            last_line,
        ))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&*self.finding.check))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let f = self.finding;
        let mut help = f.remediation.to_string();
        if let Some(helm) = &f.helm_source {
            help.push_str(&format!("\nrendered from the chart template {helm}"));
        }
        for r in f.related.iter().filter(|r| !shown_in_snippet(f, r)) {
            help.push_str(&format!(
                "\n{}: {}:{}:{}",
                r.message, r.location.file.path, r.location.start.line, r.location.start.column
            ));
        }
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(
            Some(
                f.label
                    .as_deref()
                    .map_or_else(|| f.check.to_string(), str::to_string),
            ),
            f.location.span,
        );
        let related = f
            .related
            .iter()
            .filter(|r| shown_in_snippet(f, r))
            .map(|r| LabeledSpan::new_with_span(Some(r.message.clone()), r.location.span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// A related place close to the finding is labelled in the same snippet; one further away (or in
/// another file) is named in the help text, so the snippet opens at the finding itself.
fn shown_in_snippet(f: &Finding, r: &Related) -> bool {
    r.location.file.path == f.location.file.path
        && r.location.start.line.abs_diff(f.location.start.line) <= 8
}

/// Writes every finding as it is rendered; `source` gives the text a finding's snippet is cut
/// from (by file path), and `color` picks the coloured or plain theme.
pub fn write(
    findings: &[&Finding],
    source: &mut dyn FnMut(&str) -> Arc<String>,
    color: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1)
        .with_links(false);
    let mut text = String::new();
    // Findings come file by file: each file's lines are indexed once.
    let mut current: Option<(&str, IndexedText)> = None;
    for f in findings {
        text.clear();
        let path = f.location.file.path.as_str();
        let indexed = match &current {
            Some((at, indexed)) if *at == path => indexed.clone(),
            _ => {
                let indexed = IndexedText::new(source(path));
                current = Some((path, indexed.clone()));
                indexed
            }
        };
        let report = Report {
            finding: f,
            source: NamedSource::new(path, indexed).with_language("yaml"),
        };
        if handler.render_report(&mut text, &report).is_err() {
            text.push_str(&format!(
                "{}:{}:{}: {} [{}]\n",
                f.location.file.path,
                f.location.start.line,
                f.location.start.column,
                f.message,
                f.check
            ));
        }
        text.push('\n');
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What miette reads for a span, as comparable values.
    fn contents(
        source: &dyn SourceCode,
        span: SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<(Vec<u8>, usize, usize, usize, usize, usize)> {
        let c = source.read_span(&span, before, after).ok()?;
        Some((
            c.data().to_vec(),
            c.span().offset(),
            c.span().len(),
            c.line(),
            c.column(),
            c.line_count(),
        ))
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!("{}SPAN{}\nnext\n", "é".repeat(1000), "y".repeat(2000));
        let at = "é".len() * 1000;
        let indexed = IndexedText::new(Arc::new(text.clone()));
        let span = SourceSpan::new(at.into(), 4);
        let c = indexed.read_span(&span, 1, 1).unwrap();
        let data = std::str::from_utf8(c.data()).expect("cut at character boundaries");
        assert!(data.contains("SPAN") && !data.contains("next"), "{data}");
        assert!(
            c.data().len() <= 4 + 2 * SNIPPET_REACH,
            "{}",
            c.data().len()
        );
        assert_eq!(&text[c.span().offset()..][..c.data().len()], data);
        assert_eq!(c.line(), 0);
        // Without context, from the span itself, with its column, as miette reads it.
        let c = indexed.read_span(&span, 0, 0).unwrap();
        assert!(c.data().starts_with(b"SPAN"));
        assert_eq!((c.line(), c.column()), (0, at));
        // A short line next to a long one is still read by miette, context and all.
        let short = SourceSpan::new((text.len() - 5).into(), 4);
        let c = indexed.read_span(&short, 0, 0).unwrap();
        assert_eq!((c.data(), c.line()), (&b"next"[..], 1));
    }

    #[test]
    fn a_finding_in_a_minified_manifest_shows_a_piece_of_its_line() {
        use kubelint_core::engine::{run, RunSettings};
        use kubelint_core::source::SourceFile;
        let pods: Vec<String> = (0..40)
            .map(|i| format!("{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"p{i}\"}},\"spec\":{{\"hostNetwork\":true,\"containers\":[{{\"name\":\"c\",\"image\":\"nginx:1.27\"}}]}}}}"))
            .collect();
        let text = format!(
            "{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{}]}}",
            pods.join(",")
        );
        let source = Arc::new(SourceFile::new("list.json", text.as_str()));
        let outcome = run(vec![source], &RunSettings::defaults());
        let shown: Vec<&Finding> = outcome
            .findings
            .iter()
            .filter(|f| &*f.check == "host-network")
            .collect();
        assert_eq!(shown.len(), 40);
        let mut out = Vec::new();
        let whole = Arc::new(text.clone());
        write(&shown, &mut |_| Arc::clone(&whole), false, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("╰── host network").count(), 40, "{out}");
        // Each report holds a piece of the line around its finding, not the whole line.
        assert!(
            out.len() < 40 * 2_000,
            "{} bytes for a {}-byte line",
            out.len(),
            text.len()
        );
    }

    #[test]
    fn any_span_of_any_text_reads_a_slice_holding_its_start() {
        // Texts of short and long lines, two-byte characters and every kind of line break,
        // from a fixed pseudo-random sequence.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..40 {
            let mut text = String::new();
            for _ in 0..next(12) + 1 {
                let width = if next(3) == 0 { next(1500) } else { next(40) };
                for _ in 0..width {
                    text.push(if next(5) == 0 { 'é' } else { 'a' });
                }
                text.push_str(["\n", "\r\n", "\r"][next(3) as usize]);
            }
            let indexed = IndexedText::new(Arc::new(text.clone()));
            for _ in 0..200 {
                let mut start = next(text.len() as u64 + 1) as usize;
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                let mut len = next((text.len() - start) as u64 + 1).min(300) as usize;
                // Spans of findings start and end at character boundaries.
                while !text.is_char_boundary(start + len) {
                    len -= 1;
                }
                let span = SourceSpan::new(start.into(), len);
                for (before, after) in [(0, 0), (1, 1), (2, 0)] {
                    let c = indexed.read_span(&span, before, after).unwrap();
                    let at = c.span().offset();
                    assert_eq!(&text.as_bytes()[at..at + c.data().len()], c.data());
                    assert!(std::str::from_utf8(c.data()).is_ok());
                    assert!(
                        at <= start && start <= at + c.data().len(),
                        "{start} in {at}+"
                    );
                }
            }
        }
    }

    #[test]
    fn indexed_text_reads_what_miette_reads_from_the_start() {
        let text = "a: 1\nb:\r\n  c: 2\r\rd: [x,\n  y]\n\n\ne: \"long value\"\r\nf: 3";
        let indexed = IndexedText::new(Arc::new(text.to_string()));
        // Every span inside the text (findings point into their file), at every context.
        for start in 0..=text.len() {
            for len in (0..=text.len() - start).filter(|len| [0, 1, 2, 5, 12].contains(len)) {
                for before in 0..4 {
                    for after in 0..4 {
                        let span = SourceSpan::new(start.into(), len);
                        assert_eq!(
                            contents(&indexed, span, before, after),
                            contents(&text, span, before, after),
                            "span {start}+{len}, context {before}/{after}"
                        );
                    }
                }
            }
        }
    }
}
