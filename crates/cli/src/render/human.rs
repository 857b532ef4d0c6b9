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
        let line = self
            .line_starts
            .partition_point(|&start| start <= span.offset())
            .saturating_sub(1);
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
