//! SARIF 2.1.0 for code scanning (GitHub, GitLab, the VS Code SARIF viewer): one run, a rule
//! for every active check, every finding as a result (suppressed ones with a `suppressions`
//! entry), URIs relative to `%SRCROOT%` and fingerprints that survive unrelated edits.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use kubelint_core::check::Check;
use kubelint_core::engine::ActiveCheck;
use kubelint_core::finding::{Finding, Location, Severity, SuppressionKind};

use super::{SrcRoot, Streamed};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://kubelint.dev";
const BASE_ID: &str = "%SRCROOT%";

#[derive(Serialize)]
#[serde(bound = "")]
struct Log<'a, R: Iterator<Item = SarifResult<'a>>> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a, R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase", bound = "")]
struct Run<'a, R: Iterator<Item = SarifResult<'a>>> {
    tool: Tool<'a>,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    /// Made one at a time as they are written: every result at once, with its own texts, was
    /// more than the run itself held at its peak (10 MiB on 10,000 objects).
    results: Streamed<R>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: String,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<&'a str>,
    /// GitHub ranks security alerts by this CVSS-like score.
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [ResultLocation; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<ResultLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression<'a>>,
    #[serde(skip_serializing_if = "ResultProperties::is_empty")]
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
}

impl ResultProperties<'_> {
    fn is_empty(&self) -> bool {
        self.helm_source.is_none()
            && self.object.is_none()
            && self.path.is_none()
            && self.container.is_none()
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn is_security(theme: &str) -> bool {
    matches!(theme, "pod-security" | "rbac" | "secrets")
}

/// `image-tag-mutable` → `ImageTagMutable`: SARIF wants a readable identifier distinct from the id.
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn rule<'a>(check: &'a Check, severity: Severity) -> Rule<'a> {
    let mut tags = vec![check.theme.as_str()];
    let security = is_security(&check.theme);
    if security {
        tags.push("security");
    }
    Rule {
        id: &check.id,
        name: rule_name(&check.id),
        short_description: Text {
            text: &check.summary,
        },
        full_description: Text {
            text: if check.docs.flags.is_empty() {
                &check.summary
            } else {
                &check.docs.flags
            },
        },
        help: Help {
            text: kubelint_core::docs::explain(check),
            markdown: kubelint_core::docs::page(check),
        },
        help_uri: format!("https://kubelint.dev/checks/{}", check.id),
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security.then_some(match severity {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            }),
        },
    }
}

/// FNV-1a, 64 bits: tiny, stable across releases and platforms, enough to tell findings apart.
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The hex hash of `parts`, each followed by 0xff, a byte UTF-8 never contains, so that
/// ("ab", "c") and ("a", "bc") differ.
fn fnv1a64(parts: &[&str]) -> String {
    let hash = fnv1a(
        parts
            .iter()
            .flat_map(|p| p.bytes().chain(std::iter::once(0xff))),
    );
    format!("{hash:016x}")
}

/// What identifies a finding regardless of where in the file it moved: check, file, object,
/// field path (or, for findings without a path, the message, which names what is wrong).
fn fingerprint(f: &Finding, uri: &str) -> String {
    let object = f.object.as_ref().map_or_else(String::new, |o| {
        format!(
            "{}/{}/{}",
            o.kind,
            o.namespace.as_deref().unwrap_or(""),
            o.name
        )
    });
    let what = f.path.as_deref().unwrap_or(&f.message);
    fnv1a64(&[&f.check, uri, &object, what])
}

fn physical(location: &Location, root: &SrcRoot) -> PhysicalLocation {
    let (uri, uri_base_id) = root.uri(&location.file.path);
    PhysicalLocation {
        artifact_location: ArtifactLocation { uri, uri_base_id },
        region: Region {
            start_line: location.start.line,
            start_column: location.start.column,
            end_line: location.end.line,
            end_column: location.end.column,
        },
    }
}

/// The SARIF result of one finding, whose rule is `rule_index` in the log's rules.
fn result<'a>(f: &'a Finding, rule_index: usize, root: &SrcRoot) -> SarifResult<'a> {
    let primary = physical(&f.location, root);
    let uri = primary.artifact_location.uri.clone();
    let related: Vec<ResultLocation> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| ResultLocation {
            id: Some(i + 1),
            physical_location: physical(&r.location, root),
            message: Some(Message {
                text: r.message.clone(),
            }),
        })
        .collect();
    let mut text = f.message.clone();
    if let Some(helm) = &f.helm_source {
        let _ = write!(text, " (rendered from the chart template {helm})");
    }
    if !related.is_empty() {
        // SARIF viewers link `[text](id)` in messages to the related location with that id.
        let links: Vec<String> = related
            .iter()
            .filter_map(|r| Some(format!("[{}]({})", r.message.as_ref()?.text, r.id?)))
            .collect();
        let _ = write!(text, "; see {}", links.join(", "));
    }
    SarifResult {
        rule_id: &f.check,
        rule_index,
        level: level(f.severity),
        message: Message { text },
        partial_fingerprints: BTreeMap::from([("kubelint/v1", fingerprint(f, &uri))]),
        locations: [ResultLocation {
            id: None,
            physical_location: primary,
            message: None,
        }],
        related_locations: related,
        suppressions: f
            .suppression
            .iter()
            .map(|s| SarifSuppression {
                kind: match s.kind {
                    SuppressionKind::InSource => "inSource",
                    SuppressionKind::External => "external",
                },
                justification: &s.justification,
            })
            .collect(),
        properties: ResultProperties {
            helm_source: f.helm_source.as_deref(),
            object: f.object.as_ref().map(|o| match &o.namespace {
                Some(ns) => format!("{}/{}/{}", o.kind, ns, o.name),
                None => format!("{}/{}", o.kind, o.name),
            }),
            path: f.path.as_deref(),
            container: f.container.as_deref(),
        },
    }
}

/// The SARIF log as a string, for tests.
#[cfg(test)]
#[must_use]
pub fn render(findings: &[&Finding], active: &[ActiveCheck], root: &SrcRoot) -> String {
    let mut out = Vec::new();
    write(findings, active, root, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Writes the SARIF log of every finding of the run (suppressed ones included) against the
/// run's checks to `out`, as it is serialized.
pub fn write(
    findings: &[&Finding],
    active: &[ActiveCheck],
    root: &SrcRoot,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rules: Vec<Rule<'_>> = active.iter().map(|a| rule(&a.check, a.severity)).collect();
    let mut index: BTreeMap<&str, usize> = active
        .iter()
        .enumerate()
        .map(|(i, a)| (&*a.check.id, i))
        .collect();
    // Rules come before results in the log: a finding of a check that is not active
    // (`internal-error` may be off and still report) adds its rule first.
    let catalog = kubelint_core::checks::builtin();
    for f in findings {
        if !index.contains_key(&*f.check) {
            if let Some(c) = catalog.iter().find(|c| c.id == f.check) {
                index.insert(&f.check, rules.len());
                rules.push(rule(c, c.severity));
            }
        }
    }
    let index = &index;
    let results = findings.iter().filter_map(move |f| {
        let rule_index = *index.get(&*f.check)?;
        Some(result(f, rule_index, root))
    });
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "kubelint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                BASE_ID,
                ArtifactLocation {
                    uri: root.base_uri(),
                    uri_base_id: None,
                },
            )]),
            column_kind: "unicodeCodePoints",
            results: Streamed::new(results),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use kubelint_core::engine::RunSettings;
    use kubelint_core::finding::{FindingData, ObjectId, Suppression};
    use kubelint_core::source::{SourceFile, Span};

    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(*b"foobar"), 0x8594_4171_f739_67e8);
        assert_ne!(fnv1a64(&["ab", "c"]), fnv1a64(&["a", "bc"]));
        assert_eq!(fnv1a64(&["x"]).len(), 16);
    }

    fn finding(check: &str, suppression: Option<Suppression>) -> Finding {
        let file = Arc::new(SourceFile::new(
            "deploy/web.yaml",
            "kind: Pod\nspec:\n  hostNetwork: true\n",
        ));
        Finding::new(FindingData {
            check: Arc::from(check),
            severity: Severity::Error,
            message: "the pod uses the host network".into(),
            location: Location::new(&file, Span::new(31, 35)),
            label: None,
            path: Some("spec.hostNetwork".into()),
            object: Some(Arc::new(ObjectId {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            })),
            container: None,
            helm_source: Some("shop/templates/pod.yaml".into()),
            related: Box::default(),
            remediation: "remove hostNetwork".into(),
            secret: false,
            suppression: suppression.map(Box::new),
        })
    }

    #[test]
    fn suppressed_findings_are_results_with_suppressions_and_validate() {
        let settings = RunSettings::defaults();
        let suppressed = finding(
            "host-network",
            Some(Suppression {
                kind: SuppressionKind::InSource,
                justification: "the CNI agent needs the host network".into(),
            }),
        );
        let external = finding(
            "host-network",
            Some(Suppression {
                kind: SuppressionKind::External,
                justification: "accepted in .kubelint.yaml".into(),
            }),
        );
        let root = SrcRoot::from_cwd(std::env::temp_dir());
        let text = render(&[&suppressed, &external], &settings.checks, &root);
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["suppressions"][0]["kind"], "inSource");
        assert_eq!(
            results[0]["suppressions"][0]["justification"],
            "the CNI agent needs the host network"
        );
        assert_eq!(results[1]["suppressions"][0]["kind"], "external");
        assert_eq!(
            results[0]["properties"]["helmSource"],
            "shop/templates/pod.yaml"
        );
        let index = results[0]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            "host-network"
        );
        if let Some(schema) = kubelint_tests::sarif_schema() {
            let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
            let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
        }
    }

    #[test]
    fn fingerprints_ignore_lines_but_not_identity() {
        let a = finding("host-network", None);
        let mut moved = finding("host-network", None);
        moved.location.start.line += 10;
        moved.location.end.line += 10;
        assert_eq!(fingerprint(&a, "x.yaml"), fingerprint(&moved, "x.yaml"));
        let mut other = finding("host-network", None);
        Arc::make_mut(other.object.as_mut().unwrap()).name = "api".into();
        assert_ne!(fingerprint(&a, "x.yaml"), fingerprint(&other, "x.yaml"));
        assert_ne!(fingerprint(&a, "x.yaml"), fingerprint(&a, "y.yaml"));
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("image-tag-mutable"), "ImageTagMutable");
        assert_eq!(rule_name("privileged"), "Privileged");
    }
}
