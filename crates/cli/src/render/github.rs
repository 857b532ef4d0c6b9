//! GitHub Actions workflow commands (`::error file=…,line=…::message`): annotations on the
//! pull request's changed lines without uploading anything.

use std::fmt::Write as _;
use std::io;

use kubelint_core::finding::{Finding, Severity};

use super::SrcRoot;

/// Escapes a command's message as the Actions runner decodes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as data, plus the `:` and `,` that delimit properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One command per finding, written as it is made; the file is relative to the repository
/// root, as GitHub expects.
pub fn write(findings: &[&Finding], root: &SrcRoot, out: &mut dyn io::Write) -> io::Result<()> {
    for f in findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let file = root
            .relative(&f.location.file.path)
            .unwrap_or_else(|| f.location.file.path.clone());
        let mut message = f.message.clone();
        if let Some(helm) = &f.helm_source {
            let _ = write!(message, " (rendered from the chart template {helm})");
        }
        for r in &f.related {
            let _ = write!(
                message,
                "\n{}: {}:{}:{}",
                r.message, r.location.file.path, r.location.start.line, r.location.start.column
            );
        }
        let _ = write!(message, "\nfix: {}", f.remediation);
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file),
            f.location.start.line,
            f.location.start.column,
            f.location.end.line,
            f.location.end.column,
            escape_property(&format!("kubelint {}", f.check)),
            escape_data(&message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
    }
}
