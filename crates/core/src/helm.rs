//! Helm chart helpers over template text: mapping a finding in rendered output back to the
//! template line that produces the offending field, only when that can be done with confidence.
//!
//! A chart template is Go template text, not YAML, so it is searched line by line. The rendered
//! `# Source: chart/templates/x.yaml` comment names the file; the finding's field path names the
//! key. When that key starts exactly one line of the template, that line is the producer; when it
//! appears on several lines (or only inside `{{ }}` actions), nobody can tell which, so nothing
//! is claimed.

use crate::check::path::{FieldPath, Step};

/// A place in a template file: 1-based line, 1-based start and end columns (Unicode scalars,
/// end exclusive, as locations are reported elsewhere) of the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateSpot {
    pub line: u32,
    pub start_column: u32,
    pub end_column: u32,
}

/// The last mapping key of a finding's field path (`…securityContext.privileged` → `privileged`,
/// `…annotations["example.com/x"]` → `example.com/x`, `…ports[0]` → `ports`).
#[must_use]
pub fn last_key(path: &str) -> Option<String> {
    let parsed = FieldPath::parse(path).ok()?;
    parsed.steps.iter().rev().find_map(|s| match s {
        Step::Key(k) => Some(k.to_string()),
        _ => None,
    })
}

/// The template line that produces the field at `path`, when its last key starts exactly one
/// line of `template` (as `key:` or `- key:`, plain or quoted, outside template actions).
#[must_use]
pub fn locate_field(template: &str, path: &str) -> Option<TemplateSpot> {
    let key = last_key(path)?;
    let mut found = None;
    for (index, line) in template.lines().enumerate() {
        let Some(column) = key_column(line, &key) else {
            continue;
        };
        if found.is_some() {
            return None;
        }
        let len = u32::try_from(key.chars().count()).ok()?;
        found = Some(TemplateSpot {
            line: u32::try_from(index + 1).ok()?,
            start_column: column,
            end_column: column + len,
        });
    }
    found
}

/// The 1-based column where `key` starts as a mapping key on `line`, if it does.
fn key_column(line: &str, key: &str) -> Option<u32> {
    let indent = line.len() - line.trim_start().len();
    let mut rest = &line[indent..];
    let mut offset = indent;
    // Sequence entries (`- name: x`, `- - a: b`) put the key after one or more dashes.
    while let Some(after) = rest.strip_prefix("- ") {
        let skipped = rest.len() - after.trim_start().len();
        offset += skipped;
        rest = &rest[skipped..];
    }
    let (body, quoted) = match rest.as_bytes().first() {
        Some(b'"') => (
            rest.strip_prefix('"')?
                .strip_prefix(key)?
                .strip_prefix('"')?,
            1,
        ),
        Some(b'\'') => (
            rest.strip_prefix('\'')?
                .strip_prefix(key)?
                .strip_prefix('\'')?,
            1,
        ),
        _ => (rest.strip_prefix(key)?, 0),
    };
    let after_colon = body.strip_prefix(':')?;
    if !(after_colon.is_empty() || after_colon.starts_with([' ', '\t'])) {
        return None;
    }
    let column = line[..offset + quoted].chars().count() + 1;
    u32::try_from(column).ok()
}

/// The chart-relative part of a `# Source:` path: `shop/templates/web.yaml` → `templates/web.yaml`
/// (Helm prefixes the chart name; subcharts appear as `shop/charts/db/templates/x.yaml`).
#[must_use]
pub fn chart_relative(source: &str) -> Option<&str> {
    let (_, rest) = source.split_once('/')?;
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
  annotations:
    "example.com/owner": team-a
spec:
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          securityContext:
            privileged: {{ .Values.privileged }}
          ports:
            - name: http
              containerPort: 8080
        - name: sidecar
          image: busybox
"#;

    #[test]
    fn finds_a_key_that_appears_once() {
        let spot = locate_field(
            TEMPLATE,
            "spec.template.spec.containers[0].securityContext.privileged",
        );
        assert_eq!(
            spot,
            Some(TemplateSpot {
                line: 14,
                start_column: 13,
                end_column: 23
            })
        );
    }

    #[test]
    fn keys_after_sequence_dashes_and_quoted_keys_are_found() {
        let ports = locate_field(
            TEMPLATE,
            "spec.template.spec.containers[0].ports[0].containerPort",
        )
        .unwrap();
        assert_eq!((ports.line, ports.start_column), (17, 15));
        let owner = locate_field(TEMPLATE, r#"metadata.annotations["example.com/owner"]"#).unwrap();
        assert_eq!(
            (owner.line, owner.start_column, owner.end_column),
            (6, 6, 23)
        );
    }

    #[test]
    fn ambiguous_keys_claim_nothing() {
        // `image:` and `name:` appear on several lines: which one produced the value is unknown.
        assert_eq!(
            locate_field(TEMPLATE, "spec.template.spec.containers[1].image"),
            None
        );
        assert_eq!(
            locate_field(TEMPLATE, "spec.template.spec.containers[0].name"),
            None
        );
    }

    #[test]
    fn absent_keys_and_prefixes_claim_nothing() {
        assert_eq!(locate_field(TEMPLATE, "spec.hostNetwork"), None);
        // `privilegedX:` must not match `privileged`, nor `privileged` inside a value.
        assert_eq!(
            locate_field("a:\n  privilegedX: true\n", "b.privileged"),
            None
        );
        assert_eq!(
            locate_field("note: privileged: yes\n", "x.privileged"),
            None
        );
        assert_eq!(locate_field(TEMPLATE, "[0]"), None);
    }

    #[test]
    fn indexes_are_skipped_to_the_last_key() {
        assert_eq!(
            last_key("spec.template.spec.containers[0]").as_deref(),
            Some("containers")
        );
        assert_eq!(
            last_key(r#"metadata.labels["app.kubernetes.io/name"]"#).as_deref(),
            Some("app.kubernetes.io/name")
        );
    }

    #[test]
    fn columns_count_unicode_scalars() {
        let spot = locate_field("- ü: 1\n- é:\n    privileged: true\n", "x.privileged").unwrap();
        assert_eq!((spot.line, spot.start_column), (3, 5));
        let spot = locate_field("  - \"ünï\": 1\n", "x.ünï").unwrap();
        assert_eq!((spot.start_column, spot.end_column), (6, 9));
    }

    #[test]
    fn chart_name_is_stripped_from_source_paths() {
        assert_eq!(
            chart_relative("shop/templates/web.yaml"),
            Some("templates/web.yaml")
        );
        assert_eq!(
            chart_relative("shop/charts/db/templates/x.yaml"),
            Some("charts/db/templates/x.yaml")
        );
        assert_eq!(chart_relative("web.yaml"), None);
    }
}
