//! Code-backed checks of the secrets, rollouts, rbac and metadata themes: the ones that compare
//! two fields, match label selectors against a pod's labels, parse schedules or read structured
//! parameters, which the declarative vocabulary cannot say.

use crate::check::rule::Literal;
use crate::checks::code::cached_regex;
use crate::checks::{CodeCtx, CodeEntry, Hit, Needs};
use crate::engine::object_anchor;
use crate::finding::Severity;
use crate::k8s::cron::validate_schedule;
use crate::yaml::NodeRef;

pub(crate) const REGISTRY: &[CodeEntry] = &[
    ("configmap-sensitive", configmap_sensitive, Needs::Object),
    ("deployment-strategy", deployment_strategy, Needs::Object),
    (
        "anti-affinity-missing",
        anti_affinity_missing,
        Needs::Object,
    ),
    (
        "topology-spread-invalid",
        topology_spread_invalid,
        Needs::Pod,
    ),
    (
        "cronjob-schedule-invalid",
        cronjob_schedule_invalid,
        Needs::Object,
    ),
    ("hpa-min-equals-max", hpa_min_equals_max, Needs::Object),
    ("sa-deprecated-field", sa_deprecated_field, Needs::Pod),
    ("required-labels", required_labels, Needs::Object),
    ("required-annotations", required_annotations, Needs::Object),
];

/// Key names that read as credentials (kept in step with `env-secret-literal`).
const CREDENTIAL_KEY: &str = r"(?i)(passw(or)?d|passwd|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key|auth[_-]?key|client[_-]?secret)";
/// Keys that name where a credential lives rather than holding it (`DB_PASSWORD_FILE`).
const REFERENCE_KEY: &str =
    r"(?i)[._-](file|path|dir|name|ref|url|uri|endpoint|ttl|length|policy|enabled|timeout)$";
/// Values that are credentials whatever their key (PEM private keys, well-known token formats).
const CREDENTIAL_VALUE: &str = r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bglpat-[A-Za-z0-9_-]{20,}|\bsk_live_[A-Za-z0-9]{20,}|\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.";
/// Template placeholders stand for a value supplied elsewhere.
const PLACEHOLDER: &str = r"^\s*(\$\{[^}]*\}|\{\{.*\}\}|<[^>]*>)\s*$";

fn join(base: &str, rel: &str) -> String {
    if base.is_empty() {
        rel.to_string()
    } else {
        format!("{base}.{rel}")
    }
}

fn object_name(ctx: &CodeCtx<'_, '_>) -> String {
    ctx.object.id.name.clone()
}

fn configmap_sensitive(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.object.kind() != "ConfigMap" {
        return;
    }
    let Some(data) = ctx.root.get("data") else {
        return;
    };
    let (Some(key_re), Some(ref_re), Some(value_re), Some(placeholder)) = (
        cached_regex(CREDENTIAL_KEY),
        cached_regex(REFERENCE_KEY),
        cached_regex(CREDENTIAL_VALUE),
        cached_regex(PLACEHOLDER),
    ) else {
        return;
    };
    let name = object_name(ctx);
    for (k, v) in data.entries() {
        let key = k.text().unwrap_or_default();
        let Some(value) = v.display_text() else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        // A placeholder (`${TOKEN}`) is no credential; it is asked about last, since most
        // values match neither credential pattern and need no other test.
        let token = value_re.is_match(&value);
        let credential_key = || key_re.is_match(key) && !ref_re.is_match(key);
        if !token && !credential_key() {
            continue;
        }
        if placeholder.is_match(&value) {
            continue;
        }
        let message = if token {
            format!("ConfigMap `{name}` key `{key}` holds what looks like a private key or access token")
        } else {
            format!("ConfigMap `{name}` key `{key}` looks like a credential and has a value")
        };
        let hit = Hit::new(v.span(), message)
            .path(join(&ctx.object.base_path, &format!("data[\"{key}\"]")));
        ctx.report(hit);
    }
}

/// A `maxSurge`/`maxUnavailable` value as Kubernetes reads it: a count or a percentage.
#[derive(Clone, Copy, Debug, PartialEq)]
enum IntOrPercent {
    Count(i64),
    Percent(i64),
}

fn int_or_percent_node(node: NodeRef<'_>) -> Option<IntOrPercent> {
    if let Some(n) = node.as_i64() {
        return Some(IntOrPercent::Count(n));
    }
    node.as_str().and_then(int_or_percent_str)
}

fn int_or_percent_str(text: &str) -> Option<IntOrPercent> {
    match text.trim().strip_suffix('%') {
        Some(p) => p.parse().ok().map(IntOrPercent::Percent),
        None => text.trim().parse().ok().map(IntOrPercent::Count),
    }
}

fn int_or_percent_param(lit: Option<&Literal>) -> Option<IntOrPercent> {
    match lit? {
        #[expect(clippy::cast_possible_truncation, reason = "replica counts are small")]
        Literal::Number(n) => Some(IntOrPercent::Count(*n as i64)),
        Literal::Str(s) => int_or_percent_str(s),
        _ => None,
    }
}

/// Pods a value stands for with `replicas` replicas; Kubernetes rounds surge up and
/// unavailability down.
fn scaled(v: IntOrPercent, replicas: i64, round_up: bool) -> i64 {
    match v {
        IntOrPercent::Count(n) => n,
        IntOrPercent::Percent(p) if round_up => (p * replicas + 99) / 100,
        IntOrPercent::Percent(p) => p * replicas / 100,
    }
}

fn exceeds(value: IntOrPercent, bound: IntOrPercent, replicas: i64, round_up: bool) -> bool {
    match (value, bound) {
        (IntOrPercent::Percent(a), IntOrPercent::Percent(b))
        | (IntOrPercent::Count(a), IntOrPercent::Count(b)) => a > b,
        _ => scaled(value, replicas, round_up) > scaled(bound, replicas, round_up),
    }
}

fn deployment_strategy(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.object.kind() != "Deployment" {
        return;
    }
    let Some(spec) = ctx.root.get("spec") else {
        return;
    };
    let name = object_name(ctx);
    let base = ctx.object.base_path.clone();
    let strategy = spec.get("strategy");
    let ty = strategy.and_then(|s| s.get("type"));
    if let Some(t) = ty.filter(|t| t.as_str() == Some("Recreate")) {
        let hit = Hit::new(
            t.span(),
            format!("Deployment `{name}` uses the Recreate strategy: every pod stops before new ones start"),
        )
        .path(join(&base, "spec.strategy.type"));
        ctx.report(hit);
        return;
    }
    let replicas = spec.get("replicas").and_then(NodeRef::as_i64).unwrap_or(1);
    let Some(rolling) = strategy.and_then(|s| s.get("rollingUpdate")) else {
        return;
    };
    for (field, round_up) in [("maxUnavailable", false), ("maxSurge", true)] {
        let Some(bound) = int_or_percent_param(ctx.check.params.get(field)) else {
            continue;
        };
        let Some(node) = rolling.get(field) else {
            continue;
        };
        let Some(value) = int_or_percent_node(node) else {
            continue;
        };
        if exceeds(value, bound, replicas, round_up) {
            let shown = node.as_display().unwrap_or_default();
            let limit = match bound {
                IntOrPercent::Count(n) => n.to_string(),
                IntOrPercent::Percent(p) => format!("{p}%"),
            };
            let hit = Hit::new(
                node.span(),
                format!("Deployment `{name}` sets `{field}: {shown}`, above the allowed {limit}"),
            )
            .path(join(&base, &format!("spec.strategy.rollingUpdate.{field}")));
            ctx.report(hit);
        }
    }
}

/// Whether a label selector (`matchLabels` and `matchExpressions`) selects `labels`. A missing
/// or null selector selects nothing; an empty one selects everything, as in Kubernetes.
pub(crate) fn selector_matches(selector: Option<NodeRef<'_>>, labels: Option<NodeRef<'_>>) -> bool {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return false;
    };
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(NodeRef::as_display);
    if let Some(ml) = selector.get("matchLabels") {
        for (k, v) in ml.entries() {
            let key = k.text().unwrap_or_default();
            if label(key) != v.as_display() {
                return false;
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions") {
        for e in exprs.items() {
            let key = e
                .get("key")
                .and_then(NodeRef::as_display)
                .unwrap_or_default();
            let values: Vec<String> = e
                .get("values")
                .map(|v| v.items().filter_map(NodeRef::as_display).collect())
                .unwrap_or_default();
            let have = label(&key);
            let ok = match e.get("operator").and_then(NodeRef::as_str) {
                Some("In") => have.is_some_and(|h| values.contains(&h)),
                Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

fn anti_affinity_missing(ctx: &mut CodeCtx<'_, '_>) {
    if !matches!(ctx.object.kind(), "Deployment" | "StatefulSet") {
        return;
    }
    let Some(pod) = ctx.pod else { return };
    let Some(replicas) = ctx
        .root
        .get("spec")
        .and_then(|s| s.get("replicas"))
        .and_then(NodeRef::as_i64)
    else {
        return;
    };
    if replicas < 2 {
        return;
    }
    let spec = pod.spec;
    if spec
        .get("topologySpreadConstraints")
        .is_some_and(|t| !t.is_empty_value())
    {
        return;
    }
    let labels = pod.metadata.and_then(|m| m.get("labels"));
    let anti = spec.get("affinity").and_then(|a| a.get("podAntiAffinity"));
    let terms = anti
        .into_iter()
        .flat_map(|a| {
            let required = a
                .get("requiredDuringSchedulingIgnoredDuringExecution")
                .into_iter()
                .flat_map(NodeRef::items);
            let preferred = a
                .get("preferredDuringSchedulingIgnoredDuringExecution")
                .into_iter()
                .flat_map(NodeRef::items)
                .filter_map(|p| p.get("podAffinityTerm"));
            required.chain(preferred).collect::<Vec<_>>()
        })
        .collect::<Vec<_>>();
    let spread = terms.iter().any(|t| {
        t.get("topologyKey").and_then(NodeRef::as_str) == Some("kubernetes.io/hostname")
            && selector_matches(t.get("labelSelector"), labels)
    });
    if spread {
        return;
    }
    let hit = Hit::new(
        pod.key.span(),
        format!(
            "{} `{}` runs {replicas} replicas with no pod anti-affinity on `kubernetes.io/hostname` selecting its own pods and no topology spread constraint",
            ctx.object.kind(),
            ctx.object.id.name
        ),
    )
    .path(ctx.pod_path());
    ctx.report(hit);
}

fn topology_spread_invalid(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = ctx.pod else { return };
    let Some(list) = pod.spec.get("topologySpreadConstraints") else {
        return;
    };
    let labels = pod.metadata.and_then(|m| m.get("labels"));
    let pod_path = ctx.pod_path();
    let what = format!("{} `{}`", ctx.object.kind(), ctx.object.id.name);
    for (i, c) in list.items().enumerate() {
        let item_path = format!("{pod_path}.topologySpreadConstraints[{i}]");
        let anchor = c.span();
        let mut problems: Vec<(crate::source::Span, String, String)> = Vec::new();
        match c.get_entry("maxSkew") {
            Some((_, v)) if v.as_i64().is_some_and(|n| n > 0) => {}
            Some((k, v)) => {
                let span = if v.is_null() { k.span() } else { v.span() };
                problems.push((
                    span,
                    "maxSkew".into(),
                    ": `maxSkew` must be an integer greater than 0".into(),
                ));
            }
            None => problems.push((anchor, String::new(), " has no `maxSkew`".into())),
        }
        match c.get_entry("topologyKey") {
            Some((_, v)) if v.as_str().is_some_and(|s| !s.trim().is_empty()) => {}
            Some((k, _)) => problems.push((
                k.span(),
                "topologyKey".into(),
                ": `topologyKey` is empty".into(),
            )),
            None => problems.push((anchor, String::new(), " has no `topologyKey`".into())),
        }
        let when = c.get("whenUnsatisfiable");
        match when {
            Some(v) if matches!(v.as_str(), Some("DoNotSchedule" | "ScheduleAnyway")) => {}
            Some(v) => problems.push((
                v.span(),
                "whenUnsatisfiable".into(),
                format!(
                    ": `whenUnsatisfiable: {}` is neither DoNotSchedule nor ScheduleAnyway",
                    v.as_display().unwrap_or_default()
                ),
            )),
            None => problems.push((anchor, String::new(), " has no `whenUnsatisfiable`".into())),
        }
        if let Some((k, v)) = c.get_entry("minDomains") {
            if !v.is_null() {
                if v.as_i64().is_none_or(|n| n <= 0) {
                    problems.push((
                        v.span(),
                        "minDomains".into(),
                        ": `minDomains` must be greater than 0".into(),
                    ));
                } else if when.and_then(NodeRef::as_str) != Some("DoNotSchedule") {
                    problems.push((
                        k.span(),
                        "minDomains".into(),
                        ": `minDomains` is only allowed with `whenUnsatisfiable: DoNotSchedule`"
                            .into(),
                    ));
                }
            }
        }
        match c.get_entry("labelSelector") {
            Some((k, v)) if !selector_matches(Some(v), labels) => problems.push((
                k.span(),
                "labelSelector".into(),
                ": `labelSelector` does not select the pod's own labels, so the constraint spreads nothing"
                    .into(),
            )),
            Some(_) => {}
            None => problems.push((
                anchor,
                String::new(),
                " has no `labelSelector`, so it counts no pods and spreads nothing".into(),
            )),
        }
        for (span, field, problem) in problems {
            let path = if field.is_empty() {
                item_path.clone()
            } else {
                format!("{item_path}.{field}")
            };
            let hit = Hit::new(
                span,
                format!("{what}: topology spread constraint {}{problem}", i + 1),
            )
            .path(path);
            ctx.report(hit);
        }
    }
}

fn cronjob_schedule_invalid(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.object.kind() != "CronJob" {
        return;
    }
    let Some(spec) = ctx.root.get_entry("spec") else {
        return;
    };
    let name = object_name(ctx);
    let path = join(&ctx.object.base_path, "spec.schedule");
    match spec.1.get_entry("schedule") {
        Some((k, v)) => {
            let Some(text) = v
                .as_display()
                .filter(|t| v.is_scalar() && !v.is_null() && !t.trim().is_empty())
            else {
                let hit = Hit::new(k.span(), format!("CronJob `{name}` has an empty schedule"))
                    .path(path);
                ctx.report(hit);
                return;
            };
            if let Err(e) = validate_schedule(&text) {
                let hit = Hit::new(
                    v.span(),
                    format!("CronJob `{name}` has an invalid schedule `{text}`: {e}"),
                )
                .path(path);
                ctx.report(hit);
            }
        }
        None => {
            let hit =
                Hit::new(spec.0.span(), format!("CronJob `{name}` has no schedule")).path(path);
            ctx.report(hit);
        }
    }
}

fn hpa_min_equals_max(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.object.kind() != "HorizontalPodAutoscaler" {
        return;
    }
    let Some(spec) = ctx.root.get("spec") else {
        return;
    };
    let Some(max_node) = spec.get("maxReplicas") else {
        return;
    };
    let Some(max) = max_node.as_i64() else { return };
    let min_node = spec.get("minReplicas").filter(|n| !n.is_null());
    // The API server defaults minReplicas to 1.
    let min = match min_node {
        Some(n) => match n.as_i64() {
            Some(m) => m,
            None => return,
        },
        None => 1,
    };
    let name = object_name(ctx);
    let base = ctx.object.base_path.clone();
    if min == max {
        let hit = Hit::new(
            max_node.span(),
            format!("HorizontalPodAutoscaler `{name}` has minReplicas equal to maxReplicas ({max}), so it never scales"),
        )
        .path(join(&base, "spec.maxReplicas"));
        ctx.report(hit);
    } else if min > max {
        let (span, field) = match min_node {
            Some(n) => (n.span(), "spec.minReplicas"),
            None => (max_node.span(), "spec.maxReplicas"),
        };
        let hit = Hit::new(
            span,
            format!("HorizontalPodAutoscaler `{name}` has minReplicas {min} above maxReplicas {max}; the API server rejects it"),
        )
        .path(join(&base, field))
        .severity(Severity::Error);
        ctx.report(hit);
    }
}

fn sa_deprecated_field(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = ctx.pod else { return };
    let Some((key, value)) = pod.spec.get_entry("serviceAccount") else {
        return;
    };
    if value.is_empty_value() || value.as_str() == Some("") {
        return;
    }
    let what = format!("{} `{}`", ctx.object.kind(), ctx.object.id.name);
    let old = value.as_display().unwrap_or_default();
    let current = pod
        .spec
        .get("serviceAccountName")
        .filter(|n| !n.is_empty_value())
        .and_then(NodeRef::as_display)
        .filter(|s| !s.is_empty());
    let message = match current {
        Some(cur) if cur != old => format!(
            "{what} sets the deprecated `serviceAccount: {old}`, which differs from `serviceAccountName: {cur}` (the latter wins)"
        ),
        Some(_) => format!("{what} sets the deprecated `serviceAccount` next to `serviceAccountName`"),
        None => format!("{what} sets the deprecated `serviceAccount: {old}`"),
    };
    let hit = Hit::new(key.span(), message).path(format!("{}.serviceAccount", ctx.pod_path()));
    ctx.report(hit);
}

/// One required metadata entry from the check's parameter list: a plain key, or
/// `{key, value}` where `value` is a regex the value must match.
struct Required {
    key: String,
    value: Option<String>,
}

fn required_entries(lit: Option<&Literal>) -> Vec<Required> {
    let Some(Literal::List(items)) = lit else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i {
            Literal::Str(s) => Some(Required {
                key: s.clone(),
                value: None,
            }),
            Literal::Map(m) => match m.get("key") {
                Some(Literal::Str(k)) => Some(Required {
                    key: k.clone(),
                    value: match m.get("value") {
                        Some(Literal::Str(v)) => Some(v.clone()),
                        _ => None,
                    },
                }),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn kinds_param(lit: Option<&Literal>) -> Option<Vec<&str>> {
    match lit? {
        Literal::List(items) => Some(
            items
                .iter()
                .filter_map(|i| match i {
                    Literal::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
        ),
        Literal::Str(s) => Some(vec![s.as_str()]),
        _ => None,
    }
}

fn required_metadata(ctx: &mut CodeCtx<'_, '_>, field: &str, param: &str, noun: &str) {
    if let Some(kinds) = kinds_param(ctx.check.params.get("kinds")) {
        if !kinds.is_empty() && !kinds.contains(&ctx.object.kind()) {
            return;
        }
    }
    let required = required_entries(ctx.check.params.get(param));
    if required.is_empty() {
        return;
    }
    let metadata = ctx.root.get_entry("metadata");
    let entries = metadata.and_then(|(_, m)| m.get_entry(field));
    let what = format!("{} `{}`", ctx.object.kind(), ctx.object.id.name);
    let base = ctx.object.base_path.clone();
    let mut missing = Vec::new();
    for req in required {
        let found = entries.and_then(|(_, e)| e.get_entry(&req.key));
        match found {
            Some((_, v)) => {
                let Some(pattern) = &req.value else { continue };
                let text = v.as_display().unwrap_or_default();
                let ok = cached_regex(pattern).is_some_and(|r| r.is_match(&text));
                if !ok {
                    let hit = Hit::new(
                        v.span(),
                        format!(
                            "{what} has {noun} `{}: {text}`, which does not match `{pattern}`",
                            req.key
                        ),
                    )
                    .path(join(&base, &format!("metadata.{field}[\"{}\"]", req.key)));
                    ctx.report(hit);
                }
            }
            None => missing.push(format!("`{}`", req.key)),
        }
    }
    // Missing entries share one anchor, so they make one finding naming all of them.
    if !missing.is_empty() {
        let span = match (entries, metadata) {
            (Some((k, _)), _) | (None, Some((k, _))) => k.span(),
            (None, None) => object_anchor(ctx.root),
        };
        let plural = if missing.len() > 1 { "s" } else { "" };
        let hit = Hit::new(
            span,
            format!(
                "{what} lacks the required {noun}{plural} {}",
                missing.join(", ")
            ),
        )
        .path(join(&base, &format!("metadata.{field}")));
        ctx.report(hit);
    }
}

fn required_labels(ctx: &mut CodeCtx<'_, '_>) {
    required_metadata(ctx, "labels", "labels", "label");
}

fn required_annotations(ctx: &mut CodeCtx<'_, '_>) {
    required_metadata(ctx, "annotations", "annotations", "annotation");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surge_and_unavailability_scale_like_kubernetes() {
        let pct = IntOrPercent::Percent(25);
        assert_eq!(scaled(pct, 3, true), 1);
        assert_eq!(scaled(pct, 3, false), 0);
        assert!(exceeds(IntOrPercent::Count(2), pct, 4, false));
        assert!(!exceeds(IntOrPercent::Count(1), pct, 4, false));
        assert!(exceeds(IntOrPercent::Percent(50), pct, 1, false));
        assert_eq!(int_or_percent_str("30%"), Some(IntOrPercent::Percent(30)));
    }

    #[test]
    fn selectors_match_like_kubernetes() {
        let text = "labels: {app: web, tier: fe}\n\
                    all: {}\n\
                    ok: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [fe]}, {key: x, operator: DoesNotExist}]}\n\
                    wrong: {matchLabels: {app: api}}\n\
                    notin: {matchExpressions: [{key: tier, operator: NotIn, values: [fe]}]}\n\
                    nil: ~\n";
        let source = crate::source::SourceFile::new("t.yaml", text);
        let parsed = crate::yaml::parse(&source);
        let root = parsed.documents[0].root().unwrap();
        let labels = root.get("labels");
        assert!(selector_matches(root.get("all"), labels));
        assert!(selector_matches(root.get("ok"), labels));
        assert!(!selector_matches(root.get("wrong"), labels));
        assert!(!selector_matches(root.get("notin"), labels));
        assert!(!selector_matches(root.get("nil"), labels));
        assert!(!selector_matches(root.get("absent"), labels));
    }

    #[test]
    fn required_entries_read_keys_and_maps() {
        let mut m = std::collections::BTreeMap::new();
        m.insert("key".to_string(), Literal::Str("team".into()));
        m.insert("value".to_string(), Literal::Str("^t-".into()));
        let lit = Literal::List(vec![Literal::Str("owner".into()), Literal::Map(m)]);
        let got = required_entries(Some(&lit));
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].key.as_str(), got[0].value.as_deref()),
            ("owner", None)
        );
        assert_eq!(
            (got[1].key.as_str(), got[1].value.as_deref()),
            ("team", Some("^t-"))
        );
    }
}
