//! Label selectors as the API server evaluates them: `matchLabels` plus `matchExpressions`
//! (In, NotIn, Exists, DoesNotExist), Service selectors (plain label maps), and each kind's rule
//! for an empty or missing selector.

use crate::object::{collect_small, group_of};
use crate::yaml::NodeRef;

/// A pod's labels, values as the API would store them (`true` and `8080` as text): sorted by
/// key, each key once (a later value replaces an earlier one). A sorted vector rather than a
/// map, since a run holds the labels of every pod template at once and most have two or three.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`, replacing any value it had.
    pub fn insert(&mut self, key: String, value: String) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// `(key, value)` pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, String)> for Labels {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut pairs: Vec<(String, String)> = iter.into_iter().collect();
        // Stable, so that of two equal keys the later is the one kept, as a map would.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        out.shrink_to_fit();
        Self(out)
    }
}

/// One requirement of a selector; all must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    #[must_use]
    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            Requirement::In(k, values) => labels.get(k).is_some_and(|v| values.contains(v)),
            // As in apimachinery: a missing key satisfies NotIn.
            Requirement::NotIn(k, values) => labels.get(k).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        }
    }
}

/// A parsed selector. With no requirements it matches every pod.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

/// What a selector field selects once the kind's empty-selector rule is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Selects no pod at all (a nil selector, or an empty one where the kind says so).
    Nothing,
    /// Selects the pods of the namespace the selector matches (every pod when empty).
    Pods(Selector),
}

impl Selector {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    #[must_use]
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// The equalities (`key=value`) every selected pod must carry, used to look pods up by
    /// label.
    pub fn equalities(&self) -> impl Iterator<Item = (&str, &str)> {
        self.requirements.iter().filter_map(|r| match r {
            Requirement::In(k, v) if v.len() == 1 => Some((k.as_str(), v[0].as_str())),
            _ => None,
        })
    }

    /// A Service-style selector: a plain map of labels, every one required.
    #[must_use]
    pub fn from_label_map(node: NodeRef<'_>) -> Self {
        Self {
            requirements: collect_small(label_requirements(node)),
        }
    }

    /// A `metav1.LabelSelector` (`matchLabels` and `matchExpressions`).
    ///
    /// # Errors
    /// When the API would reject the selector (unknown operator, `In` without values, values
    /// given to `Exists`); the message says why.
    pub fn from_label_selector(node: NodeRef<'_>) -> Result<Self, String> {
        let labels = node.get("matchLabels");
        let expressions = node.get("matchExpressions");
        // Sized once: the run keeps every selector to its end.
        let mut sel = Selector {
            requirements: Vec::with_capacity(
                labels.map_or(0, NodeRef::len) + expressions.map_or(0, NodeRef::len),
            ),
        };
        if let Some(ml) = labels {
            sel.requirements.extend(label_requirements(ml));
        }
        for expr in expressions.into_iter().flat_map(NodeRef::items) {
            let key = expr
                .get("key")
                .and_then(NodeRef::as_display)
                .ok_or("a matchExpressions entry has no `key`")?;
            let op = expr.get("operator").and_then(NodeRef::as_str).unwrap_or("");
            let values: Vec<String> = expr
                .get("values")
                .into_iter()
                .flat_map(NodeRef::items)
                .filter_map(scalar_text)
                .collect();
            let req = match op {
                "In" | "NotIn" if values.is_empty() => {
                    return Err(format!("operator `{op}` on `{key}` needs values"))
                }
                "Exists" | "DoesNotExist" if !values.is_empty() => {
                    return Err(format!("operator `{op}` on `{key}` takes no values"))
                }
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => return Err(format!("unknown selector operator `{other}`")),
            };
            sel.requirements.push(req);
        }
        Ok(sel)
    }
}

/// The requirements of a plain map of labels: each label, with its value.
fn label_requirements(node: NodeRef<'_>) -> impl Iterator<Item = Requirement> + '_ {
    node.entries().filter_map(|(k, v)| {
        Some(Requirement::In(
            k.text()?.to_string(),
            vec![scalar_text(v)?],
        ))
    })
}

fn scalar_text(node: NodeRef<'_>) -> Option<String> {
    if node.is_null() {
        return Some(String::new());
    }
    node.as_display()
}

/// Pods a Service sends traffic to; `None` when the Service selects by no selector at all
/// (no selector, an empty one, or `type: ExternalName`): its endpoints are managed elsewhere.
#[must_use]
pub fn service_selector(root: NodeRef<'_>) -> Option<(Selector, NodeRef<'_>)> {
    let spec = root.get("spec")?;
    if spec.get("type").and_then(NodeRef::as_str) == Some("ExternalName") {
        return None;
    }
    let (key, node) = spec.get_entry("selector")?;
    let sel = Selector::from_label_map(node);
    (!sel.is_empty()).then_some((sel, key))
}

/// Pods a NetworkPolicy applies to: `podSelector: {}` (or none) selects every pod of its
/// namespace.
///
/// # Errors
/// An invalid selector (see [`Selector::from_label_selector`]).
pub fn network_policy_selector(root: NodeRef<'_>) -> Result<Selector, String> {
    match root.get("spec").and_then(|s| s.get("podSelector")) {
        Some(node) if node.is_map() => Selector::from_label_selector(node),
        _ => Ok(Selector::default()),
    }
}

/// Directions a NetworkPolicy restricts, defaulted as the API does when `policyTypes` is
/// unset: always `Ingress`, plus `Egress` when an `egress` section is present.
#[must_use]
pub fn network_policy_types(root: NodeRef<'_>) -> (bool, bool) {
    let spec = root.get("spec");
    match spec
        .and_then(|s| s.get("policyTypes"))
        .filter(|t| t.is_seq())
    {
        Some(types) => {
            let has = |t: &str| types.items().any(|i| i.as_str() == Some(t));
            (has("Ingress"), has("Egress"))
        }
        None => (
            true,
            spec.and_then(|s| s.get("egress"))
                .is_some_and(|e| !e.is_null()),
        ),
    }
}

/// Pods a PodDisruptionBudget covers: no selector covers nothing; an empty one covers every
/// pod of the namespace under `policy/v1` but nothing under `policy/v1beta1`.
///
/// # Errors
/// An invalid selector (see [`Selector::from_label_selector`]).
pub fn pdb_selection(root: NodeRef<'_>) -> Result<Selection, String> {
    let Some(node) = root.get("spec").and_then(|s| s.get("selector")) else {
        return Ok(Selection::Nothing);
    };
    if node.is_null() || !node.is_map() {
        return Ok(Selection::Nothing);
    }
    let sel = Selector::from_label_selector(node)?;
    let version = root
        .get("apiVersion")
        .and_then(NodeRef::as_str)
        .unwrap_or("");
    let beta = group_of(version) == "policy" && version.ends_with("v1beta1");
    if sel.is_empty() && beta {
        return Ok(Selection::Nothing);
    }
    Ok(Selection::Pods(sel))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml;

    fn with_root<T>(text: &str, f: impl FnOnce(NodeRef<'_>) -> T) -> T {
        let parsed = yaml::parse(&SourceFile::new("t.yaml", text));
        f(parsed.documents[0].root().unwrap())
    }

    #[test]
    fn selectors_hold_no_spare_capacity() {
        // The run keeps every selector to its end: a two-label selector holds two
        // requirements, not the four `collect` starts at.
        let text = "matchLabels: {app: web, tier: front}\nmatchExpressions:\n  - {key: env, operator: Exists}\n";
        with_root(text, |root| {
            let from_map = Selector::from_label_map(root.get("matchLabels").unwrap());
            assert_eq!(from_map.requirements.capacity(), 2);
            let full = Selector::from_label_selector(root).unwrap();
            assert_eq!(full.requirements.len(), 3);
            assert_eq!(full.requirements.capacity(), 3);
        });
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn match_labels_and_expressions_combine() {
        let sel = with_root(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [a, b]}\n- {key: canary, operator: DoesNotExist}\n- {key: env, operator: NotIn, values: [dev]}\n- {key: team, operator: Exists}\n",
            |n| Selector::from_label_selector(n).unwrap(),
        );
        assert!(sel.matches(&labels(&[("app", "web"), ("tier", "a"), ("team", "x")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "c"), ("team", "x")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "a")])));
        assert!(!sel.matches(&labels(&[
            ("app", "web"),
            ("tier", "a"),
            ("team", "x"),
            ("canary", "1")
        ])));
        assert!(!sel.matches(&labels(&[
            ("app", "web"),
            ("tier", "a"),
            ("team", "x"),
            ("env", "dev")
        ])));
        assert_eq!(sel.equalities().collect::<Vec<_>>(), [("app", "web")]);
    }

    #[test]
    fn invalid_expressions_are_errors() {
        for text in [
            "matchExpressions: [{key: a, operator: In}]",
            "matchExpressions: [{key: a, operator: Exists, values: [x]}]",
            "matchExpressions: [{key: a, operator: Equals, values: [x]}]",
        ] {
            assert!(
                with_root(text, Selector::from_label_selector).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn label_values_are_read_as_the_api_stores_them() {
        let sel = with_root("{version: 2, on: yes}", Selector::from_label_map);
        assert!(sel.matches(&labels(&[("version", "2"), ("on", "true")])));
    }

    #[test]
    fn service_without_selector_or_external_name_is_skipped() {
        assert!(with_root("kind: Service\nspec: {ports: []}", |n| {
            service_selector(n).is_none()
        }));
        assert!(with_root("kind: Service\nspec: {selector: {}}", |n| {
            service_selector(n).is_none()
        }));
        assert!(with_root(
            "kind: Service\nspec: {type: ExternalName, selector: {app: a}}",
            |n| service_selector(n).is_none()
        ));
        assert!(with_root(
            "kind: Service\nspec: {selector: {app: a}}",
            |n| service_selector(n).is_some()
        ));
    }

    #[test]
    fn empty_pod_selector_selects_every_pod() {
        let sel = with_root("spec: {podSelector: {}}", |n| {
            network_policy_selector(n).unwrap()
        });
        assert!(sel.is_empty() && sel.matches(&Labels::new()));
    }

    #[test]
    fn policy_types_default_like_the_api() {
        assert_eq!(
            with_root("spec: {podSelector: {}}", network_policy_types),
            (true, false)
        );
        assert_eq!(
            with_root("spec: {egress: [{}]}", network_policy_types),
            (true, true)
        );
        assert_eq!(
            with_root("spec: {policyTypes: [Egress]}", network_policy_types),
            (false, true)
        );
    }

    #[test]
    fn pdb_empty_selector_depends_on_version() {
        let v1 = with_root("apiVersion: policy/v1\nspec: {selector: {}}", pdb_selection);
        assert_eq!(v1, Ok(Selection::Pods(Selector::default())));
        let beta = with_root(
            "apiVersion: policy/v1beta1\nspec: {selector: {}}",
            pdb_selection,
        );
        assert_eq!(beta, Ok(Selection::Nothing));
        let none = with_root(
            "apiVersion: policy/v1\nspec: {minAvailable: 1}",
            pdb_selection,
        );
        assert_eq!(none, Ok(Selection::Nothing));
    }
}
