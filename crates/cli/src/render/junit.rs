//! JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines): a test
//! suite per check that found something, a test case per check and file, a failure listing
//! each finding; a clean run is one passing suite.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use kubelint_core::finding::Finding;

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes element content, where line breaks may stay as they are.
fn xml_text(text: &str) -> String {
    text.split('\n').map(xml).collect::<Vec<_>>().join("\n")
}

fn finding_line(f: &Finding) -> String {
    let mut line = format!(
        "{}:{}:{}: {}: {}",
        f.location.file.path, f.location.start.line, f.location.start.column, f.severity, f.message
    );
    if let Some(helm) = &f.helm_source {
        let _ = write!(line, " (rendered from the chart template {helm})");
    }
    line
}

/// The report as a string, for tests.
#[cfg(test)]
fn render(findings: &[&Finding], files: usize) -> String {
    let mut out = Vec::new();
    write(findings, files, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

/// Writes the report to `out` a test case at a time; `files` are the linted files (for the
/// single passing case of a clean run).
pub fn write(findings: &[&Finding], files: usize, out: &mut dyn io::Write) -> io::Result<()> {
    // check → file → findings, in check then file order for stable output.
    let mut by_check: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for f in findings {
        by_check
            .entry(&f.check)
            .or_default()
            .entry(&f.location.file.path)
            .or_default()
            .push(f);
    }
    let sink = out;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total_cases: usize = by_check.values().map(BTreeMap::len).sum();
    if by_check.is_empty() {
        let _ = writeln!(
            out,
            "<testsuites name=\"kubelint\" tests=\"1\" failures=\"0\" errors=\"0\">"
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"kubelint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">"
        );
        let _ = writeln!(
            out,
            "    <testcase name=\"{files} file{} linted, no findings\" classname=\"kubelint\"/>",
            if files == 1 { "" } else { "s" }
        );
        out.push_str("  </testsuite>\n</testsuites>\n");
        return sink.write_all(out.as_bytes());
    }
    let _ = writeln!(
        out,
        "<testsuites name=\"kubelint\" tests=\"{total_cases}\" failures=\"{total_cases}\" errors=\"0\">"
    );
    for (check, files) in &by_check {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">",
            xml(check),
            n = files.len()
        );
        for (file, list) in files {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"kubelint.{}\" file=\"{}\">",
                xml(file),
                xml(check),
                xml(file)
            );
            let body: Vec<String> = list.iter().map(|f| finding_line(f)).collect();
            let first = list[0];
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml(&format!(
                    "{} finding{} of {}",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" },
                    check
                )),
                first.severity,
                xml_text(&(body.join("\n") + "\nfix: " + &first.remediation))
            );
            out.push_str("    </testcase>\n");
            // Written case by case: the report of a large run need not be held whole.
            sink.write_all(out.as_bytes())?;
            out.clear();
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    sink.write_all(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(xml("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml("x\u{1}y\nz"), "xy&#10;z");
    }

    #[test]
    fn a_clean_run_is_one_passing_suite() {
        let xml = render(&[], 3);
        assert!(xml.contains("tests=\"1\" failures=\"0\""));
        assert_eq!(xml.matches("<testsuite ").count(), 1);
        assert!(xml.contains("3 files linted"));
    }
}
