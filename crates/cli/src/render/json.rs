//! The contract's versioned JSON report: camelCase keys, optional keys omitted, sorted findings.

use serde::Serialize;

use kubelint_core::finding::{Finding, ObjectId, Summary};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
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

/// Renders the JSON document (one line per finding would not be a document; this is pretty).
#[must_use]
pub fn render(findings: &[&Finding], summary: &Summary) -> String {
    let report = Report {
        version: 1,
        tool: Tool {
            name: "kubelint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: findings
            .iter()
            .map(|f| JsonFinding {
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
            })
            .collect(),
        summary,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
