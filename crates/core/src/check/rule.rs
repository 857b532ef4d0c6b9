//! The declarative condition vocabulary (`missing`, `present`, `equals`, `one-of`, `matches`,
//! numeric bounds, `all`/`any`/`not`) and its evaluation, including where a finding points:
//! the offending value, the key of a forbidden entry, or for something missing the nearest
//! enclosing node that exists.

use std::collections::BTreeMap;

use crate::check::memo_regex::MemoRegex;
use crate::check::path::{Ends, FieldPath, Resolved, Scope};
use crate::decode::{string, DecodeError, Decoded, Fields};
use crate::source::Span;
use crate::yaml::{NodeRef, Scalar};

/// A literal in a check definition, or a reference to one of the check's parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    List(Vec<Literal>),
    /// A structured parameter value (`{key: team, value: '^[a-z]+$'}`), read by code checks.
    Map(BTreeMap<String, Literal>),
    Param(String),
}

impl Literal {
    pub fn from_node(node: NodeRef<'_>) -> Decoded<Self> {
        if node.is_map() {
            if node.get("param").is_some() {
                let mut f = Fields::new(node, "a parameter reference")?;
                let name = f.required_str("param")?.to_string();
                f.finish()?;
                return Ok(Literal::Param(name));
            }
            let mut map = BTreeMap::new();
            for (k, v) in node.entries() {
                map.insert(
                    k.text().unwrap_or_default().to_string(),
                    Literal::from_node(v)?,
                );
            }
            return Ok(Literal::Map(map));
        }
        if node.is_seq() {
            return node
                .items()
                .map(Literal::from_node)
                .collect::<Decoded<_>>()
                .map(Literal::List);
        }
        Ok(match node.scalar() {
            Some(Scalar::Null) | None => Literal::Null,
            Some(Scalar::Bool(b)) => Literal::Bool(b),
            #[expect(clippy::cast_precision_loss, reason = "check literals are small")]
            Some(Scalar::Int(i)) => Literal::Number(i as f64),
            Some(Scalar::Float(x)) => Literal::Number(x),
            Some(Scalar::Str(s)) => Literal::Str(s.to_string()),
        })
    }

    /// Replaces a parameter reference by the parameter's value.
    fn resolve<'a>(&'a self, params: &'a BTreeMap<String, Literal>) -> &'a Literal {
        match self {
            Literal::Param(name) => params.get(name).unwrap_or(&Literal::Null),
            other => other,
        }
    }

    fn matches_scalar(&self, value: &Scalar<'_>) -> bool {
        match (self, value) {
            (Literal::Null, Scalar::Null) => true,
            (Literal::Bool(a), Scalar::Bool(b)) => a == b,
            (Literal::Number(a), Scalar::Int(b)) => (*a - int_as_f64(*b)).abs() < f64::EPSILON,
            (Literal::Number(a), Scalar::Float(b)) => (a - b).abs() < f64::EPSILON,
            (Literal::Str(a), Scalar::Str(b)) => a == b,
            _ => false,
        }
    }

    /// The strings of a list (or the one string); other items are ignored.
    #[must_use]
    pub fn strings(&self) -> Vec<&str> {
        match self {
            Literal::List(items) => items
                .iter()
                .filter_map(|i| match i {
                    Literal::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            Literal::Str(s) => vec![s.as_str()],
            _ => Vec::new(),
        }
    }

    /// How the literal reads in messages and docs.
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Literal::Null => "null".into(),
            Literal::Bool(b) => b.to_string(),
            Literal::Number(n) => n.to_string(),
            Literal::Str(s) | Literal::Param(s) => s.clone(),
            Literal::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Literal::display)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Literal::Map(entries) => entries
                .iter()
                .map(|(k, v)| format!("{k}={}", v.display()))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    fn as_number(&self) -> Option<f64> {
        match self {
            Literal::Number(n) => Some(*n),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    GreaterThan,
    LessThan,
    AtLeast,
    AtMost,
}

#[derive(Clone, Debug)]
pub enum Test {
    /// Absent, null or empty.
    Missing,
    /// Present with a non-empty value.
    Present,
    Equals(Literal),
    NotEquals(Literal),
    OneOf(Literal),
    NotOneOf(Literal),
    Matches(MemoRegex),
    NotMatches(MemoRegex),
    Compare(Bound, Literal),
    /// The JSON type Kubernetes reads: `string`, `boolean`, `number`, `null`, `object`, `array`.
    Type(JsonType),
    NotType(JsonType),
}

#[derive(Clone, Debug)]
pub enum Condition {
    /// `field` (or the first present of several fallbacks) passes `test`.
    Field {
        fields: Vec<FieldPath>,
        test: Test,
    },
    All {
        conds: Vec<Condition>,
        /// Indexes of `conds` in the order [`Eval::holds`] tries them (see
        /// [`Condition::holds_rank`]); witnesses follow the order written.
        holds_order: Box<[u32]>,
    },
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

const TESTS: &[&str] = &[
    "missing",
    "present",
    "equals",
    "not-equals",
    "one-of",
    "not-one-of",
    "matches",
    "not-matches",
    "greater-than",
    "less-than",
    "at-least",
    "at-most",
    "type",
    "not-type",
];

impl Condition {
    /// Every one of `conds`, tried cheapest first when only the answer is wanted.
    #[must_use]
    pub fn all(conds: Vec<Condition>) -> Self {
        let mut holds_order: Vec<u32> = (0..crate::source::to_u32(conds.len())).collect();
        // Stable: of conditions of one rank, the one written first is tried first.
        holds_order.sort_by_key(|&i| conds[i as usize].holds_rank());
        Condition::All {
            conds,
            holds_order: holds_order.into_boxed_slice(),
        }
    }

    /// When [`Eval::holds`] tries a condition among those it must all pass. Conditions have
    /// no effects, so any order gives the same answer, and the first that fails ends the
    /// test: a plain field test (a lookup and a comparison, and mostly what makes a rule
    /// rare, as `containerPort: 22`) goes before a group of conditions, which goes before a
    /// regular expression; a `not-matches` usually holds, and runs last.
    fn holds_rank(&self) -> u8 {
        match self {
            Condition::Field {
                test: Test::NotMatches(_),
                ..
            } => 3,
            Condition::Field {
                test: Test::Matches(_),
                ..
            } => 2,
            Condition::Field { .. } => 0,
            Condition::All { .. } | Condition::Any(_) | Condition::Not(_) => 1,
        }
    }

    pub fn from_node(node: NodeRef<'_>) -> Decoded<Self> {
        let mut f = Fields::new(node, "a condition")?;
        for (key, ctor) in [
            ("all", Condition::all as fn(Vec<Condition>) -> Condition),
            ("any", Condition::Any),
        ] {
            if let Some(list) = f.get(key) {
                if !list.is_seq() || list.is_empty() {
                    return Err(DecodeError::new(
                        list.span(),
                        format!("`{key}` takes a non-empty list of conditions"),
                    ));
                }
                let inner = list
                    .items()
                    .map(Condition::from_node)
                    .collect::<Decoded<_>>()?;
                f.finish()?;
                return Ok(ctor(inner));
            }
        }
        if let Some(inner) = f.get("not") {
            let inner = Condition::from_node(inner)?;
            f.finish()?;
            return Ok(Condition::Not(Box::new(inner)));
        }
        let field_node = f.get("field").ok_or_else(|| {
            DecodeError::new(
                node.span(),
                "a condition needs `field` with one test, or `all`, `any` or `not`",
            )
        })?;
        let fields = parse_field_list(field_node)?;
        let mut test = None;
        for &name in TESTS {
            let Some(value) = f.get(name) else { continue };
            if test.is_some() {
                return Err(DecodeError::new(
                    value.span(),
                    "a condition takes exactly one test; combine several with `all` or `any`",
                ));
            }
            test = Some(parse_test(name, value)?);
        }
        f.finish()?;
        let test = test.ok_or_else(|| {
            DecodeError::new(
                node.span(),
                format!("the condition on `{}` has no test", fields[0].text),
            )
            .with_help(format!("add one of: {}", TESTS.join(", ")))
        })?;
        Ok(Condition::Field { fields, test })
    }
}

pub fn parse_field_list(node: NodeRef<'_>) -> Decoded<Vec<FieldPath>> {
    let texts: Vec<(Span, &str)> = if node.is_seq() {
        node.items()
            .map(|n| string(n, "field").map(|s| (n.span(), s)))
            .collect::<Decoded<_>>()?
    } else {
        vec![(node.span(), string(node, "field")?)]
    };
    if texts.is_empty() {
        return Err(DecodeError::new(
            node.span(),
            "`field` needs at least one path",
        ));
    }
    texts
        .into_iter()
        .map(|(span, t)| FieldPath::parse(t).map_err(|e| DecodeError::new(span, e)))
        .collect()
}

fn parse_test(name: &str, value: NodeRef<'_>) -> Decoded<Test> {
    let flag = |value: NodeRef<'_>| match value.as_bool() {
        Some(true) => Ok(()),
        _ => Err(DecodeError::new(
            value.span(),
            format!("`{name}` takes `true`"),
        )),
    };
    let regex = |value: NodeRef<'_>| {
        let text = string(value, name)?;
        MemoRegex::new(text)
            .map_err(|e| DecodeError::new(value.span(), format!("invalid regex: {e}")))
    };
    Ok(match name {
        "missing" => {
            flag(value)?;
            Test::Missing
        }
        "present" => {
            flag(value)?;
            Test::Present
        }
        "equals" => Test::Equals(test_literal(value)?),
        "not-equals" => Test::NotEquals(test_literal(value)?),
        "one-of" => Test::OneOf(test_literal(value)?),
        "not-one-of" => Test::NotOneOf(test_literal(value)?),
        "matches" => Test::Matches(regex(value)?),
        "not-matches" => Test::NotMatches(regex(value)?),
        "greater-than" => Test::Compare(Bound::GreaterThan, test_literal(value)?),
        "less-than" => Test::Compare(Bound::LessThan, test_literal(value)?),
        "at-least" => Test::Compare(Bound::AtLeast, test_literal(value)?),
        "at-most" => Test::Compare(Bound::AtMost, test_literal(value)?),
        "type" | "not-type" => {
            let t = string(value, name)?;
            let Some(json) = JsonType::named(t) else {
                return Err(DecodeError::new(
                    value.span(),
                    format!("unknown type `{t}`: use {}", JSON_TYPES.join(", ")),
                ));
            };
            if name == "type" {
                Test::Type(json)
            } else {
                Test::NotType(json)
            }
        }
        _ => unreachable!("TESTS lists every name handled here"),
    })
}

/// A test compares against scalars, lists of them, or a parameter; structured literals exist
/// only as parameter values that code checks read.
fn test_literal(value: NodeRef<'_>) -> Decoded<Literal> {
    fn has_map(lit: &Literal) -> bool {
        match lit {
            Literal::Map(_) => true,
            Literal::List(items) => items.iter().any(has_map),
            _ => false,
        }
    }
    let lit = Literal::from_node(value)?;
    if has_map(&lit) {
        return Err(DecodeError::new(
            value.span(),
            "a test compares with a scalar, a list or `{param: name}`, not a mapping",
        ));
    }
    Ok(lit)
}

const JSON_TYPES: &[&str] = &["string", "boolean", "number", "null", "object", "array"];

/// A JSON type, as Kubernetes' YAML-to-JSON step produces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    String,
    Boolean,
    Number,
    Null,
    Object,
    Array,
}

impl JsonType {
    /// The type of `node`: type tests compare these, not their names, on every value.
    #[must_use]
    pub fn of(node: NodeRef<'_>) -> Self {
        if node.is_map() {
            JsonType::Object
        } else if node.is_seq() {
            JsonType::Array
        } else {
            match node.scalar() {
                None | Some(Scalar::Null) => JsonType::Null,
                Some(Scalar::Bool(_)) => JsonType::Boolean,
                Some(Scalar::Int(_) | Scalar::Float(_)) => JsonType::Number,
                Some(Scalar::Str(_)) => JsonType::String,
            }
        }
    }

    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "string" => JsonType::String,
            "boolean" => JsonType::Boolean,
            "number" => JsonType::Number,
            "null" => JsonType::Null,
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            _ => return None,
        })
    }

    /// The name checks and messages use (one of [`JSON_TYPES`]).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Boolean => "boolean",
            JsonType::Number => "number",
            JsonType::Null => "null",
            JsonType::Object => "object",
            JsonType::Array => "array",
        }
    }
}

/// The JSON type of a node as Kubernetes' YAML-to-JSON step produces it.
#[must_use]
pub fn json_type(node: NodeRef<'_>) -> &'static str {
    JsonType::of(node).name()
}

/// Where a true condition points, and what it saw there. The value and key are nodes of the
/// tree, spelled out only if the message asks for them: most messages do not.
#[derive(Clone, Debug)]
pub struct Witness<'d, 'p> {
    pub span: Span,
    /// Where the path ended (`None`: at the target itself); its field path is spelled out
    /// only for the witness a finding reports, not for every condition that holds.
    end: Option<Resolved<'d, 'p>>,
    /// The offending node when it is present: a scalar's value as Kubernetes reads it and as
    /// written (never rendered for secret checks).
    pub present: Option<NodeRef<'d>>,
    /// The JSON type Kubernetes reads at the witness.
    pub value_type: &'static str,
    /// The key of the offending entry.
    pub key: Option<NodeRef<'d>>,
    /// The witness is the target itself, for lack of anything more precise.
    pub at_anchor: bool,
}

impl Witness<'_, '_> {
    /// The field path of the offending node from the document root.
    #[must_use]
    pub fn path(&self, scope: &Scope<'_>) -> String {
        match &self.end {
            Some(end) => end.path(scope),
            None => scope.target_path(),
        }
    }
}

pub struct Eval<'a, 'd> {
    pub scope: &'a Scope<'d>,
    pub params: &'a BTreeMap<String, Literal>,
}

impl<'d> Eval<'_, 'd> {
    /// `None` when the condition is false; otherwise where it holds.
    #[must_use]
    pub fn eval<'p>(&self, cond: &'p Condition) -> Option<Vec<Witness<'d, 'p>>> {
        match cond {
            Condition::Field { fields, test } => self.eval_field(fields, test),
            Condition::All { conds, .. } => {
                let mut best: Option<Vec<Witness<'d, 'p>>> = None;
                for c in conds {
                    let w = self.eval(c)?;
                    if best.is_none() || w.iter().any(|w| !w.at_anchor) {
                        best = Some(w);
                    }
                }
                best
            }
            Condition::Any(conds) => {
                let mut all: Vec<Witness<'d, 'p>> = Vec::new();
                for c in conds {
                    if let Some(w) = self.eval(c) {
                        for w in w {
                            if !all.iter().any(|x| x.span == w.span) {
                                all.push(w);
                            }
                        }
                    }
                }
                (!all.is_empty()).then_some(all)
            }
            Condition::Not(inner) => (!self.holds(inner)).then(|| vec![self.anchor_witness()]),
        }
    }

    /// Whether `cond` is true, without building witnesses (for `not` and `unless`).
    #[must_use]
    pub fn holds(&self, cond: &Condition) -> bool {
        match cond {
            // The common shape, one path without wildcards, is followed without a cursor.
            Condition::Field { fields, test } => match fields.as_slice() {
                [path] if !path.has_wildcard() => {
                    self.scope
                        .plain_end(path)
                        .is_some_and(|(node, found, at_root)| {
                            self.test_end(node, found, at_root, test)
                        })
                }
                _ => self.deciding_path(fields).is_some_and(|path| {
                    self.scope.any_end_at(path, |node, found, at_root| {
                        self.test_end(node, found, at_root, test)
                    })
                }),
            },
            Condition::All { conds, holds_order } => {
                holds_order.iter().all(|&i| self.holds(&conds[i as usize]))
            }
            Condition::Any(conds) => conds.iter().any(|c| self.holds(c)),
            Condition::Not(inner) => !self.holds(inner),
        }
    }

    fn anchor_witness<'p>(&self) -> Witness<'d, 'p> {
        Witness {
            span: self.scope.target_anchor,
            end: None,
            present: None,
            value_type: "object",
            key: None,
            at_anchor: true,
        }
    }

    /// With fallbacks, the first path that resolves to something present decides; when none
    /// does, the last.
    fn deciding_path<'p>(&self, fields: &'p [FieldPath]) -> Option<&'p FieldPath> {
        let (last, fallbacks) = fields.split_last()?;
        Some(
            fallbacks
                .iter()
                .find(|path| {
                    self.scope
                        .any_end_at(path, |node, found, _| found && !node.is_empty_value())
                })
                .unwrap_or(last),
        )
    }

    /// Every end of the deciding path (see [`Eval::deciding_path`]).
    fn field_ends<'p>(&self, fields: &'p [FieldPath]) -> Ends<'d, 'p> {
        self.deciding_path(fields)
            .map_or(Ends::Many(Vec::new()), |path| self.scope.resolve(path))
    }

    fn test_holds(&self, end: &Resolved<'_, '_>, test: &Test) -> bool {
        self.test_end(end.node, end.found, end.at_root, test)
    }

    /// Whether `test` holds where a path ends: at `node`, which is what the path names when
    /// `found`, else the deepest node on its way.
    fn test_end(&self, node: NodeRef<'_>, found: bool, at_root: bool, test: &Test) -> bool {
        match test {
            // Type tests look at what is written, null included.
            Test::Type(t) => return found && !at_root && JsonType::of(node) == *t,
            Test::NotType(t) => return found && !at_root && JsonType::of(node) != *t,
            // Presence alone asks only whether the value is null, not what else it reads as.
            Test::Missing => return !found || node.is_empty_value(),
            Test::Present => return found && !node.is_empty_value(),
            _ => {}
        }
        // A scalar is resolved once, for its presence and for the test: a null scalar is
        // absent, as are empty mappings and sequences.
        let scalar = if found { node.scalar() } else { None };
        let present = found
            && match scalar {
                Some(s) => !matches!(s, Scalar::Null),
                None => !node.is_empty_value(),
            };
        match test {
            Test::Missing => !present,
            Test::Present => present,
            _ if !present => false,
            Test::Equals(lit) => self.equals(scalar, lit),
            Test::NotEquals(lit) => !self.equals(scalar, lit),
            Test::OneOf(list) => self.one_of(scalar, list),
            Test::NotOneOf(list) => !self.one_of(scalar, list),
            Test::Matches(re) => scalar.is_some_and(|s| re.is_match(&s.display())),
            Test::NotMatches(re) => scalar.is_some_and(|s| !re.is_match(&s.display())),
            Test::Compare(bound, lit) => self.compare(scalar, *bound, lit),
            Test::Type(_) | Test::NotType(_) => unreachable!("answered above"),
        }
    }

    fn eval_field<'p>(&self, fields: &'p [FieldPath], test: &Test) -> Option<Vec<Witness<'d, 'p>>> {
        let out: Vec<Witness<'d, 'p>> = self
            .field_ends(fields)
            .iter()
            .filter(|end| self.test_holds(end, test))
            .map(|end| self.witness(end, end.found && !end.node.is_empty_value()))
            .collect();
        (!out.is_empty()).then_some(out)
    }

    fn equals(&self, scalar: Option<Scalar<'_>>, lit: &Literal) -> bool {
        scalar.is_some_and(|s| lit.resolve(self.params).matches_scalar(&s))
    }

    fn one_of(&self, scalar: Option<Scalar<'_>>, list: &Literal) -> bool {
        let Some(s) = scalar else {
            return false;
        };
        match list.resolve(self.params) {
            Literal::List(items) => items
                .iter()
                .any(|i| i.resolve(self.params).matches_scalar(&s)),
            single => single.matches_scalar(&s),
        }
    }

    fn compare(&self, scalar: Option<Scalar<'_>>, bound: Bound, lit: &Literal) -> bool {
        let (Some(value), Some(limit)) = (
            scalar.and_then(scalar_number),
            lit.resolve(self.params).as_number(),
        ) else {
            return false;
        };
        match bound {
            Bound::GreaterThan => value > limit,
            Bound::LessThan => value < limit,
            Bound::AtLeast => value >= limit,
            Bound::AtMost => value <= limit,
        }
    }

    fn witness<'p>(&self, end: &Resolved<'d, 'p>, present: bool) -> Witness<'d, 'p> {
        if end.at_root {
            return self.anchor_witness();
        }
        let node = end.node;
        // A written scalar points at itself; a collection (a forbidden entry, or the deepest
        // existing parent of something missing) or a null points at its key.
        let span = match end.key {
            Some(key) if !node.is_scalar() || node.is_null() || !end.found => key.span(),
            _ => node.span(),
        };
        Witness {
            span,
            end: Some(end.clone()),
            present: present.then_some(node),
            value_type: json_type(node),
            key: end.key,
            at_anchor: false,
        }
    }
}

/// An integer as a float, converted through `i64` where it fits, rounded alike: converting
/// an `i128` is a library call, and a manifest's integers fit in 64 bits.
#[expect(clippy::cast_precision_loss, reason = "manifest numbers are small")]
fn int_as_f64(i: i128) -> f64 {
    match i64::try_from(i) {
        Ok(small) => small as f64,
        Err(_) => i as f64,
    }
}

fn scalar_number(scalar: Scalar<'_>) -> Option<f64> {
    match scalar {
        Scalar::Int(i) => Some(int_as_f64(i)),
        Scalar::Float(f) => Some(f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{JsonType, JSON_TYPES};

    /// Every name a check may write is one type, and each type reads back as its name.
    #[test]
    fn json_type_names_round_trip() {
        for &name in JSON_TYPES {
            assert_eq!(JsonType::named(name).map(JsonType::name), Some(name));
        }
        assert_eq!(JsonType::named("integer"), None);
    }

    #[test]
    fn mappings_are_parameters_not_test_literals() {
        let checks = |params: &str, literal: &str| {
            let text = format!(
                "- id: t\n  severity: info\n  summary: s\n  remediation: r\n{params}  for-each: object\n  rules:\n    - when: {{field: a, equals: {literal}}}\n      message: m\n"
            );
            crate::checks::parse_check_list("t.yaml", &text, false).map(|c| c.len())
        };
        assert_eq!(
            checks("  params:\n    labels: [{key: owner, value: '^t'}]\n", "x").ok(),
            Some(1)
        );
        assert!(checks("", "{key: owner}").is_err());
        assert!(checks("", "[a, {key: owner}]").is_err());
        assert_eq!(checks("", "{param: labels}").ok(), Some(1));
    }
}
