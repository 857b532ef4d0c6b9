//! The contract's versioned JSON report: camelCase keys, optional keys omitted, sorted findings.

use std::io::{self, Write};

use serde::Serialize;

use kubelint_core::finding::{Finding, ObjectId, Summary};

use super::Streamed;

#[derive(Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
struct Report<'a, F: Iterator<Item = JsonFinding<'a>>> {
    version: u32,
    tool: Tool,
    findings: Streamed<F>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    check: &'a str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_source: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    remediation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

/// Writes the JSON document to `out` as it is serialized (pretty: one line per finding would
/// not be a document). A report of 100,000 findings is tens of megabytes that need never be
/// held as one string, and each finding's record is made as it is written: a list of them
/// all was 1.8 MiB at the peak of a 10,000-object run.
pub fn write(findings: &[&Finding], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let report = Report {
        version: 1,
        tool: Tool {
            name: "kubelint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: Streamed::new(findings.iter().map(|f| {
            JsonFinding {
                check: &f.check,
                severity: f.severity.as_str(),
                message: &f.message,
                file: &f.location.file.path,
                line: f.location.start.line,
                column: f.location.start.column,
                end_line: f.location.end.line,
                end_column: f.location.end.column,
                path: f.path.as_deref(),
                object: f.object.as_deref(),
                container: f.container.as_deref(),
                helm_source: f.helm_source.as_deref(),
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        file: &r.location.file.path,
                        line: r.location.start.line,
                        column: r.location.start.column,
                        message: &r.message,
                    })
                    .collect(),
                remediation: &f.remediation,
                suppressed: f.suppression.as_ref().map(|s| s.justification.as_str()),
            }
        })),
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}
