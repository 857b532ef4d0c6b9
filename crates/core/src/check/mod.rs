//! What a check is: metadata (id, theme, severity, default state, PSS control, docs) plus its
//! logic, which is declarative (targets and rules in the vocabulary of [`rule`]), code for what
//! the vocabulary cannot say, or produced by the loader itself. Built-in and user-written
//! checks are read by the same decoder.

pub mod memo_regex;
pub mod path;
pub mod rule;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::decode::{did_you_mean, DecodeError, Decoded, Fields};
use crate::finding::Severity;
use crate::k8s::version::KubeVersion;
use crate::object::pod::ContainerKind;
use crate::yaml::NodeRef;

pub use path::{FieldPath, Scope};
pub use rule::{Condition, Literal, Witness};

/// The themes of `checks.yaml`, plus `custom` for user checks.
pub const THEMES: &[&str] = &[
    "validity",
    "api-versions",
    "pod-security",
    "images",
    "resources",
    "probes",
    "secrets",
    "rollouts",
    "services",
    "network",
    "rbac",
    "metadata",
    "meta",
    "custom",
];

/// A Pod Security Standards control a check implements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PssControl {
    pub level: PssLevel,
    pub control: String,
    /// Policy version where the control's current form starts.
    pub since: Option<KubeVersion>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PssLevel {
    Baseline,
    Restricted,
}

/// Prose for `kubelint explain` and the generated docs pages.
#[derive(Clone, Debug, Default)]
pub struct Docs {
    /// What fires, precisely.
    pub flags: String,
    pub why: String,
    /// How to fix, beyond the one-line remediation.
    pub fix: String,
    /// Where kubelint deliberately differs from peers.
    pub notes: Option<String>,
    pub fail_example: String,
    pub pass_example: String,
}

/// What a declarative check iterates over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Object,
    PodSpec,
    Container,
}

#[derive(Clone, Debug)]
pub struct Rule {
    /// Iterate items under the target (`ports[*]`), evaluating `when` on each.
    pub each: Option<FieldPath>,
    /// Only objects of these kinds.
    pub kinds: Option<Vec<String>>,
    pub when: Condition,
    pub message: String,
    pub label: Option<String>,
    pub severity: Option<Severity>,
    pub since: Option<KubeVersion>,
    pub before: Option<KubeVersion>,
}

#[derive(Clone, Debug)]
pub struct Declarative {
    pub target: TargetKind,
    pub kinds: Option<Vec<String>>,
    pub exclude_kinds: Vec<String>,
    pub container_types: Vec<ContainerType>,
    /// Targets for which this holds are exempt.
    pub unless: Option<Condition>,
    pub rules: Vec<Rule>,
}

/// Which containers a container check looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerType {
    Regular,
    Init,
    /// Init containers with `restartPolicy: Always`.
    Sidecar,
    Ephemeral,
}

impl ContainerType {
    #[must_use]
    pub fn accepts(types: &[ContainerType], kind: ContainerKind, restartable: bool) -> bool {
        types.iter().any(|t| match (t, kind) {
            (ContainerType::Regular, ContainerKind::Container)
            | (ContainerType::Ephemeral, ContainerKind::Ephemeral) => true,
            (ContainerType::Init, ContainerKind::Init) => !restartable,
            (ContainerType::Sidecar, ContainerKind::Init) => restartable,
            _ => false,
        })
    }
}

/// Where a check's logic lives.
#[derive(Clone, Debug)]
pub enum Logic {
    /// Findings come from the loader (`yaml-syntax`, `duplicate-key`, `object-invalid`).
    Loader,
    /// Hand-written over one object (or over the inventory when `cross`).
    Code,
    Declarative(Box<Declarative>),
}

#[derive(Clone, Debug)]
pub struct Check {
    pub id: Arc<str>,
    pub theme: String,
    pub severity: Severity,
    pub enabled: bool,
    pub cross: bool,
    pub pss: Option<PssControl>,
    pub anchors: Option<String>,
    pub summary: String,
    pub remediation: Arc<str>,
    /// Findings of this check sit on secret values: messages never show values and
    /// snippets are masked.
    pub secret: bool,
    pub params: BTreeMap<String, Literal>,
    pub docs: Docs,
    pub logic: Logic,
    pub builtin: bool,
}

const PLACEHOLDERS: &[&str] = &[
    "container",
    "value",
    "raw",
    "type",
    "key",
    "kind",
    "name",
    "namespace",
    "path",
    "item",
];

impl Check {
    /// Reads one check definition. `builtin` checks must use a known theme; user checks get
    /// theme `custom` unless they say otherwise.
    pub fn from_node(node: NodeRef<'_>, builtin: bool) -> Decoded<Self> {
        let mut f = Fields::new(node, "a check")?;
        let id_node = f.required("id")?;
        let id = crate::decode::string(id_node, "id")?;
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(DecodeError::new(
                id_node.span(),
                "a check id is lower-case letters, digits and `-`",
            ));
        }
        let theme_node = f.get("theme");
        let theme = match theme_node {
            Some(t) => crate::decode::string(t, "theme")?.to_string(),
            None if !builtin => "custom".to_string(),
            None => {
                return Err(DecodeError::new(
                    node.span(),
                    "a built-in check needs a `theme`",
                ))
            }
        };
        if let Some(t) = theme_node {
            if !THEMES.contains(&theme.as_str()) {
                let mut e = DecodeError::new(t.span(), format!("unknown theme `{theme}`"));
                if let Some(s) = did_you_mean(&theme, THEMES.iter().copied()) {
                    e = e.with_help(format!("did you mean `{s}`?"));
                }
                return Err(e);
            }
        }
        let severity = parse_severity(f.required("severity")?)?;
        let enabled = f.opt_bool("enabled")?.unwrap_or(true);
        let cross = f.opt_bool("cross")?.unwrap_or(false);
        let secret = f.opt_bool("secret")?.unwrap_or(false);
        let pss = f.get("pss").map(parse_pss).transpose()?;
        let anchors = f.opt_str("anchors")?.map(str::to_string);
        let summary = f.required_str("summary")?.to_string();
        let remediation = f.required_str("remediation")?.into();
        let mut params = BTreeMap::new();
        if let Some(p) = f.get("params") {
            let _ = Fields::new(p, "`params`")?;
            for (k, v) in p.entries() {
                params.insert(
                    k.text().unwrap_or_default().to_string(),
                    Literal::from_node(v)?,
                );
            }
        }
        let docs = match f.get("docs") {
            Some(d) => parse_docs(d)?,
            None if builtin => {
                return Err(DecodeError::new(
                    node.span(),
                    "a built-in check needs `docs`",
                ))
            }
            None => Docs::default(),
        };
        let logic_node = f.get("logic");
        let target_node = f.get("for-each");
        let logic = match (logic_node, target_node) {
            (Some(l), None) => match crate::decode::string(l, "logic")? {
                "loader" => Logic::Loader,
                "code" => Logic::Code,
                other => {
                    return Err(DecodeError::new(
                        l.span(),
                        format!("unknown logic `{other}`: use `code` or `loader`, or declare `for-each` and `rules`"),
                    ))
                }
            },
            (None, Some(t)) => Logic::Declarative(Box::new(parse_declarative(t, &mut f)?)),
            (Some(l), Some(_)) => {
                return Err(DecodeError::new(
                    l.span(),
                    "a check has either `logic` or `for-each` with `rules`, not both",
                ))
            }
            (None, None) => {
                return Err(DecodeError::new(
                    node.span(),
                    "a check needs `for-each` (object, pod-spec or container) and `rules`",
                ))
            }
        };
        if !builtin && !matches!(logic, Logic::Declarative(_)) {
            return Err(DecodeError::new(
                logic_node.map_or(node.span(), NodeRef::span),
                "custom checks are declarative: give `for-each` and `rules`",
            ));
        }
        f.finish()?;
        if let Logic::Declarative(d) = &logic {
            for rule in &d.rules {
                check_template(&rule.message, secret, node)?;
            }
        }
        Ok(Check {
            id: Arc::from(id),
            theme,
            severity,
            enabled,
            cross,
            pss,
            anchors,
            summary,
            remediation,
            secret,
            params,
            docs,
            logic,
            builtin,
        })
    }

    /// The value of a parameter as configured (a reference to an unknown one reads as null).
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&Literal> {
        self.params.get(name)
    }
}

fn parse_severity(node: NodeRef<'_>) -> Decoded<Severity> {
    let text = crate::decode::string(node, "severity")?;
    Severity::parse(text).ok_or_else(|| {
        DecodeError::new(
            node.span(),
            format!("unknown severity `{text}`: use error, warning or info"),
        )
    })
}

fn parse_version(node: NodeRef<'_>, key: &str) -> Decoded<KubeVersion> {
    let text = node.text().ok_or_else(|| {
        DecodeError::new(node.span(), format!("`{key}` must be a version like 1.25"))
    })?;
    KubeVersion::parse(text).map_err(|e| DecodeError::new(node.span(), e.to_string()))
}

fn parse_pss(node: NodeRef<'_>) -> Decoded<PssControl> {
    let text = crate::decode::string(node, "pss")?;
    let mut words = text.split_whitespace();
    let level = match words.next() {
        Some("baseline") => PssLevel::Baseline,
        Some("restricted") => PssLevel::Restricted,
        _ => {
            return Err(DecodeError::new(
                node.span(),
                "`pss` is `<baseline|restricted> <control> [(since)]`",
            ))
        }
    };
    let control = words
        .next()
        .ok_or_else(|| DecodeError::new(node.span(), "`pss` names no control"))?
        .to_string();
    let since = match words.next() {
        Some(v) => Some(
            KubeVersion::parse(v.trim_matches(['(', ')']))
                .map_err(|e| DecodeError::new(node.span(), e.to_string()))?,
        ),
        None => None,
    };
    Ok(PssControl {
        level,
        control,
        since,
    })
}

fn parse_docs(node: NodeRef<'_>) -> Decoded<Docs> {
    let mut f = Fields::new(node, "`docs`")?;
    let docs = Docs {
        flags: f.required_str("flags")?.trim().to_string(),
        why: f.required_str("why")?.trim().to_string(),
        fix: f.opt_str("fix")?.unwrap_or_default().trim().to_string(),
        notes: f.opt_str("notes")?.map(|s| s.trim().to_string()),
        fail_example: f.opt_str("fail")?.unwrap_or_default().to_string(),
        pass_example: f.opt_str("pass")?.unwrap_or_default().to_string(),
    };
    f.finish()?;
    Ok(docs)
}

fn parse_declarative(target: NodeRef<'_>, f: &mut Fields<'_>) -> Decoded<Declarative> {
    let target_kind = match crate::decode::string(target, "for-each")? {
        "object" => TargetKind::Object,
        "pod-spec" => TargetKind::PodSpec,
        "container" => TargetKind::Container,
        other => {
            return Err(DecodeError::new(
                target.span(),
                format!("unknown target `{other}`: use object, pod-spec or container"),
            ))
        }
    };
    let kinds = f
        .opt_str_list("kinds")?
        .map(|k| k.into_iter().map(str::to_string).collect());
    let exclude_kinds = f
        .opt_str_list("exclude-kinds")?
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect();
    let container_types = match f.get("container-types") {
        None => vec![
            ContainerType::Regular,
            ContainerType::Init,
            ContainerType::Sidecar,
            ContainerType::Ephemeral,
        ],
        Some(list) => {
            if target_kind != TargetKind::Container {
                return Err(DecodeError::new(
                    list.span(),
                    "`container-types` applies only to `for-each: container`",
                ));
            }
            let mut out = Vec::new();
            for item in list.items() {
                out.push(match crate::decode::string(item, "container-types")? {
                    "regular" => ContainerType::Regular,
                    "init" => ContainerType::Init,
                    "sidecar" => ContainerType::Sidecar,
                    "ephemeral" => ContainerType::Ephemeral,
                    other => {
                        return Err(DecodeError::new(
                            item.span(),
                            format!("unknown container type `{other}`: use regular, init, sidecar or ephemeral"),
                        ))
                    }
                });
            }
            out
        }
    };
    let unless = f.get("unless").map(Condition::from_node).transpose()?;
    let rules_node = f.required("rules")?;
    if !rules_node.is_seq() || rules_node.is_empty() {
        return Err(DecodeError::new(
            rules_node.span(),
            "`rules` is a non-empty list of rules",
        ));
    }
    let rules = rules_node.items().map(parse_rule).collect::<Decoded<_>>()?;
    Ok(Declarative {
        target: target_kind,
        kinds,
        exclude_kinds,
        container_types,
        unless,
        rules,
    })
}

fn parse_rule(node: NodeRef<'_>) -> Decoded<Rule> {
    let mut f = Fields::new(node, "a rule")?;
    let each = match f.get("each") {
        Some(e) => {
            let text = crate::decode::string(e, "each")?;
            Some(FieldPath::parse(text).map_err(|m| DecodeError::new(e.span(), m))?)
        }
        None => None,
    };
    let kinds = f
        .opt_str_list("kinds")?
        .map(|k| k.into_iter().map(str::to_string).collect());
    let rule = Rule {
        each,
        kinds,
        when: Condition::from_node(f.required("when")?)?,
        message: f.required_str("message")?.to_string(),
        label: f.opt_str("label")?.map(str::to_string),
        severity: f.get("severity").map(parse_severity).transpose()?,
        since: f
            .get("since")
            .map(|n| parse_version(n, "since"))
            .transpose()?,
        before: f
            .get("before")
            .map(|n| parse_version(n, "before"))
            .transpose()?,
    };
    f.finish()?;
    Ok(rule)
}

/// Message templates may use only known placeholders, and never `{value}` in secret checks.
fn check_template(template: &str, secret: bool, node: NodeRef<'_>) -> Decoded<()> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c).ok_or_else(|| {
            DecodeError::new(
                node.span(),
                format!("unclosed `{{` in message `{template}`"),
            )
        })?;
        let name = &rest[open + 1..close];
        let known = PLACEHOLDERS.contains(&name) || name.starts_with("param.");
        if !known {
            return Err(DecodeError::new(
                node.span(),
                format!("unknown placeholder `{{{name}}}` in message `{template}`"),
            )
            .with_help(format!("placeholders: {}", PLACEHOLDERS.join(", "))));
        }
        if secret && (name == "value" || name == "raw") {
            return Err(DecodeError::new(
                node.span(),
                format!("a secret check must never print `{{{name}}}`"),
            ));
        }
        rest = &rest[close + 1..];
    }
    Ok(())
}
