//! Human output: miette's graphical report per finding, with the source snippet and a label
//! under the exact span, the check id, related locations and the remediation.

use std::fmt;
use std::io;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use kubelint_core::finding::{Finding, Related, Severity};

struct Report<'a> {
    finding: &'a Finding,
    source: NamedSource<Arc<String>>,
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
    for f in findings {
        text.clear();
        let report = Report {
            finding: f,
            source: NamedSource::new(&f.location.file.path, source(&f.location.file.path))
                .with_language("yaml"),
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
