//! Suppressions, applied to an engine outcome before rendering: ignore annotations on objects and
//! pod templates, `# kubelint: ignore[...]` comment directives, config-file ignores and locked
//! checks, plus the meta findings about suppressions themselves (unused, expired, invalid).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use globset::GlobMatcher;
use regex::Regex;

use crate::check::Check;
use crate::config::file::SuppressConfig;
use crate::engine::{ActiveCheck, Outcome, ParsedInput, RunSettings};
use crate::finding::{Finding, FindingData, Location, ObjectId, Suppression, SuppressionKind};
use crate::object::pod::PodSpec;
use crate::source::{text_finder, SourceFile, Span, TextFinder};
use crate::yaml::{Document, NodeId, NodeKind};

/// Annotation prefix naming one check: `ignore-check.kubelint.dev/<check-id>`.
pub const ANNOTATION_PREFIX: &str = "ignore-check.kubelint.dev/";
/// Annotation suppressing every check on the object (or pod template).
pub const ANNOTATION_ALL: &str = "kubelint.dev/ignore-all";

const UNUSED: &str = "suppression-unused";
const EXPIRED: &str = "suppression-expired";
const INVALID: &str = "suppression-invalid";

/// A calendar date, for `until=YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, refusing dates that do not exist.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let leap = date.year % 4 == 0 && (date.year % 100 != 0 || date.year % 400 == 0);
        let days = match date.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&date.day).then_some(date)
    }

    /// Today in UTC, from the system clock.
    #[must_use]
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// The date `days` after 1970-01-01 (the proleptic Gregorian calendar).
    #[must_use]
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What suppression needs besides the outcome.
pub struct Options<'a> {
    /// Every check that exists (built-in and custom), to tell unknown ids from disabled ones.
    pub catalog: &'a [Arc<Check>],
    pub config: &'a SuppressConfig,
    /// The date `until=` is compared with; [`Date::today`] outside tests.
    pub today: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Check(String),
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Annotation,
    Comment,
}

/// One check a directive or annotation names, and whether it may suppress.
#[derive(Debug)]
struct Entry {
    target: Target,
    problem: Option<String>,
    used: bool,
}

/// An in-source suppression: where it is written and what it covers. Collected per file while
/// its whole tree is in memory ([`collect`]), applied once every finding is known ([`apply`]).
#[derive(Debug)]
pub struct Directive {
    file: Arc<SourceFile>,
    written: Span,
    scope: Option<Span>,
    origin: Origin,
    entries: Vec<Entry>,
    reason: String,
    until: Option<Date>,
    object: Option<Arc<ObjectId>>,
    helm_source: Option<Arc<str>>,
}

impl Directive {
    /// Points the directive at `file`, the same file in another form (see
    /// [`SourceFile::without_text`]).
    pub(crate) fn set_file(&mut self, file: &Arc<SourceFile>) {
        self.file = Arc::clone(file);
    }

    fn expired(&self, today: Date) -> bool {
        self.until.is_some_and(|u| u < today)
    }

    fn describe(&self, target: &Target) -> String {
        match (self.origin, target) {
            (Origin::Annotation, Target::Check(id)) => {
                format!("annotation `{ANNOTATION_PREFIX}{id}`")
            }
            (Origin::Annotation, Target::All) => format!("annotation `{ANNOTATION_ALL}`"),
            (Origin::Comment, Target::Check(id)) => format!("`# kubelint: ignore[{id}]`"),
            (Origin::Comment, Target::All) => "`# kubelint: ignore`".to_string(),
        }
    }
}

/// Splits an annotation value or directive tail into its reason and optional `until=` date.
fn reason_and_until(text: &str) -> (String, Result<Option<Date>, String>) {
    let text = text.trim();
    match text.rsplit_once(char::is_whitespace).map_or(
        if text.starts_with("until=") {
            Some(("", text))
        } else {
            None
        },
        |(head, last)| last.starts_with("until=").then_some((head, last)),
    ) {
        Some((head, last)) => {
            let date = &last["until=".len()..];
            let until = Date::parse(date)
                .map(Some)
                .ok_or_else(|| format!("`until={date}` is not a date: write until=YYYY-MM-DD"));
            (head.trim().to_string(), until)
        }
        None => (text.to_string(), Ok(None)),
    }
}

static NAMED: OnceLock<TextFinder> = OnceLock::new();
static ANNOTATION: OnceLock<TextFinder> = OnceLock::new();
static DIRECTIVE: OnceLock<TextFinder> = OnceLock::new();

/// Whether `text` names kubelint, as every annotation and comment directive does: one search
/// of the text, made when the file is read, spares most files the search for directives.
#[must_use]
pub fn names_kubelint(text: &str) -> bool {
    text_finder(&NAMED, b"kubelint")
        .find(text.as_bytes())
        .is_some()
}

/// The ignore annotations and comment directives written in one input.
#[must_use]
pub fn collect(input: &ParsedInput, settings: &RunSettings) -> Vec<Directive> {
    let mut directives = Vec::new();
    if !input.template {
        // Both forms name kubelint; most files never do (see [`names_kubelint`]).
        let named = input.names_kubelint;
        if may_hold_annotations(input, named) {
            collect_annotations(input, settings, &mut directives);
        }
        if named {
            collect_comments(input, &mut directives);
        }
    }
    directives
}

/// Suppresses the findings of one file (`findings`, indices in the order of their position)
/// by the file's `directives`, and marks the entries that suppress something as used. A finding
/// takes the reason of the first directive, in file order, whose scope holds it.
///
/// One sweep through the file: a directive is in play from the start of its scope to its end,
/// so each finding meets only the few whose scope holds it. Meeting every directive of the
/// file was quadratic: 2 s for 4,000 objects with three suppressions each in one file.
fn apply_directives(
    all: &mut [Finding],
    findings: &[usize],
    directives: &mut [Directive],
    locked: &[String],
    today: Date,
) {
    let mut by_start: Vec<(Span, usize)> = directives
        .iter()
        .enumerate()
        .filter_map(|(i, d)| Some((d.scope?, i)))
        .collect();
    by_start.sort_by_key(|&(scope, i)| (scope.start, i));
    let mut next = 0;
    // Directives whose scope has begun, by index (file order).
    let mut in_play: Vec<(usize, u32)> = Vec::new();
    for &f in findings {
        let finding = &mut all[f];
        let at = finding.location.span.start;
        while let Some(&(scope, i)) = by_start.get(next) {
            if scope.start > at {
                break;
            }
            let place = in_play.partition_point(|&(j, _)| j < i);
            in_play.insert(place, (i, scope.end));
            next += 1;
        }
        in_play.retain(|&(_, end)| end >= at);
        let is_locked = locked.iter().any(|l| **l == *finding.check);
        let mut reason = None;
        for &(i, _) in &in_play {
            let d = &mut directives[i];
            if d.expired(today) || is_locked {
                continue;
            }
            for e in &mut d.entries {
                let hits = e.problem.is_none()
                    && match &e.target {
                        Target::All => true,
                        Target::Check(id) => **id == *finding.check,
                    };
                if hits {
                    e.used = true;
                    reason.get_or_insert_with(|| d.reason.clone());
                }
            }
        }
        if let Some(justification) = reason {
            finding.suppression = Some(Box::new(Suppression {
                kind: SuppressionKind::InSource,
                justification,
            }));
        }
    }
}

/// Applies every suppression to `outcome`, then adds the meta findings about them.
pub fn apply(outcome: &mut Outcome, settings: &RunSettings, options: &Options<'_>) {
    let locked = &options.config.locked_checks;
    let mut directives = Vec::new();
    // Each file's directives, so that a finding is matched against its own file's only.
    let mut by_file: HashMap<*const SourceFile, std::ops::Range<usize>> = HashMap::new();
    for input in &mut outcome.inputs {
        let start = directives.len();
        directives.append(&mut input.directives);
        by_file.insert(Arc::as_ptr(&input.source), start..directives.len());
    }
    for d in &mut directives {
        validate(d, options.catalog, locked);
    }
    // Findings that arrive suppressed are left as they are, by directives and ignores alike.
    let open: Vec<usize> = (0..outcome.findings.len())
        .filter(|&i| outcome.findings[i].suppression.is_none())
        .collect();
    // Each file's open findings, in the order of their position in it.
    let mut per_file: HashMap<*const SourceFile, Vec<usize>> = HashMap::new();
    for &i in &open {
        let file = Arc::as_ptr(&outcome.findings[i].location.file);
        per_file.entry(file).or_default().push(i);
    }
    for (file, mut findings) in per_file {
        let own = by_file.get(&file).cloned().unwrap_or_default();
        findings.sort_by_key(|&i| (outcome.findings[i].location.span.start, i));
        apply_directives(
            &mut outcome.findings,
            &findings,
            &mut directives[own],
            locked,
            options.today,
        );
    }
    let mut ignores: Vec<(IgnoreMatcher, bool)> = options
        .config
        .ignores
        .iter()
        .map(|i| (IgnoreMatcher::new(i), false))
        .collect();
    for &i in &open {
        let finding = &mut outcome.findings[i];
        // A matching config ignore is in force even where the manifest already suppresses the
        // finding, so it is not reported as unused.
        for (ignore, used) in &mut ignores {
            if ignore.matches(finding) {
                *used = true;
                finding.suppression.get_or_insert_with(|| {
                    Box::new(Suppression {
                        kind: SuppressionKind::External,
                        justification: ignore.reason.clone(),
                    })
                });
            }
        }
    }
    let mut meta = Vec::new();
    let active = |id: &str| settings.checks.iter().find(|c| &*c.check.id == id);
    for d in &directives {
        for e in &d.entries {
            let what = d.describe(&e.target);
            let (id, message) = if let Some(problem) = &e.problem {
                (
                    INVALID,
                    format!("{what} is not a valid suppression: {problem}"),
                )
            } else if d.expired(options.today) {
                let until = d.until.map(|u| u.to_string()).unwrap_or_default();
                (
                    EXPIRED,
                    format!("{what} expired on {until}; it no longer suppresses anything"),
                )
            } else if !e.used
                && match &e.target {
                    Target::All => true,
                    Target::Check(id) => active(id).is_some(),
                }
            {
                let message = match &e.target {
                    Target::All => format!("{what} suppressed nothing: no finding here"),
                    Target::Check(id) => {
                        format!("{what} suppressed nothing: no `{id}` finding here")
                    }
                };
                (UNUSED, message)
            } else {
                continue;
            };
            if let Some(check) = active(id) {
                meta.push(meta_finding(
                    check,
                    message,
                    Location::new(&d.file, d.written),
                    d.object.clone(),
                    d.helm_source.clone(),
                ));
            }
        }
    }
    if let (Some(check), Some(source)) = (active(UNUSED), &options.config.source) {
        for (ignore, used) in &ignores {
            if !used && active(&ignore.check).is_some() {
                meta.push(meta_finding(
                    check,
                    format!(
                        "the ignore of `{}` in the configuration suppressed nothing",
                        ignore.check
                    ),
                    Location::new(source, ignore.span),
                    None,
                    None,
                ));
            }
        }
    }
    outcome.findings.extend(meta);
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

fn meta_finding(
    check: &ActiveCheck,
    message: String,
    location: Location,
    object: Option<Arc<ObjectId>>,
    helm_source: Option<Arc<str>>,
) -> Finding {
    Finding::new(FindingData {
        check: Arc::clone(&check.check.id),
        severity: check.severity,
        message,
        location,
        label: None,
        path: None,
        object,
        container: None,
        helm_source,
        related: Box::default(),
        remediation: check.check.remediation.clone(),
        secret: false,
        suppression: None,
    })
}

fn validate(d: &mut Directive, catalog: &[Arc<Check>], locked: &[String]) {
    let shared = if d.reason.is_empty() {
        Some("it gives no reason".to_string())
    } else if d.scope.is_none() {
        Some(match d.origin {
            Origin::Comment => "it is not next to any YAML node it could cover".to_string(),
            Origin::Annotation => {
                "it is misplaced: put it under the object's (or pod template's) metadata.annotations"
                    .to_string()
            }
        })
    } else {
        None
    };
    for e in &mut d.entries {
        if e.problem.is_some() {
            continue;
        }
        e.problem = shared.clone().or_else(|| match &e.target {
            Target::Check(id) => match crate::config::find_check(catalog, id) {
                Err(unknown) => Some(unknown.to_string()),
                Ok(_) if locked.contains(id) => Some(format!(
                    "`{id}` is locked by the configuration; only the configuration can ignore it"
                )),
                Ok(_) => None,
            },
            Target::All => None,
        });
    }
}

/// What both annotation forms ([`ANNOTATION_ALL`], [`ANNOTATION_PREFIX`]) contain.
const ANNOTATION_MARK: &str = "kubelint.dev/";

/// Whether any key of the input can be an ignore annotation: its text, or the decoded text of
/// a scalar written with escapes, contains [`ANNOTATION_MARK`]. Most files have none, and
/// looking for them otherwise reads every key of every tree.
/// `named`: whether the text contains `kubelint` at all.
fn may_hold_annotations(input: &ParsedInput, named: bool) -> bool {
    let finder = text_finder(&ANNOTATION, ANNOTATION_MARK.as_bytes());
    (named && finder.find(input.source.text.as_bytes()).is_some())
        || input.documents.iter().any(|doc| {
            doc.strings
                .iter()
                .any(|s| finder.find(s.as_bytes()).is_some())
        })
}

fn collect_annotations(input: &ParsedInput, settings: &RunSettings, out: &mut Vec<Directive>) {
    let mut placed: HashSet<(usize, NodeId)> = HashSet::new();
    for obj in &input.objects {
        let doc = &input.documents[obj.doc];
        let root = obj.root(doc);
        let mut places = vec![(root.get("metadata"), root.span())];
        if let Some(pod) = settings
            .pod_spec_path(&obj.id.api_version, obj.kind())
            .and_then(|p| PodSpec::find(root, p))
        {
            let metadata = pod
                .metadata
                .filter(|m| root.get("metadata").is_none_or(|own| own.id != m.id));
            if let Some(m) = metadata {
                let start = m.span().start.min(pod.key.span().start);
                let end = m.span().end.max(pod.spec.span().end);
                places.push((Some(m), Span::new(start, end)));
            }
        }
        for (metadata, scope) in places {
            let Some(annotations) = metadata.and_then(|m| m.get("annotations")) else {
                continue;
            };
            if !annotations.is_map() {
                continue;
            }
            for (key, value) in annotations.entries() {
                let Some(text) = key.text() else { continue };
                let target = if text == ANNOTATION_ALL {
                    Target::All
                } else if let Some(id) = text.strip_prefix(ANNOTATION_PREFIX) {
                    Target::Check(id.to_string())
                } else {
                    continue;
                };
                placed.insert((obj.doc, key.id));
                let (reason, until) = reason_and_until(value.as_str().unwrap_or_default());
                out.push(Directive {
                    file: Arc::clone(&input.source),
                    written: Span::new(key.span().start, value.span().end),
                    scope: Some(scope),
                    origin: Origin::Annotation,
                    entries: vec![Entry {
                        target,
                        problem: until.as_ref().err().cloned(),
                        used: false,
                    }],
                    reason,
                    until: until.unwrap_or(None),
                    object: Some(obj.id.clone()),
                    helm_source: doc.helm_source.clone(),
                });
            }
        }
    }
    // Ignore annotations anywhere else (under `spec`, on a container) suppress nothing.
    for (doc_index, doc) in input.documents.iter().enumerate() {
        for node in &doc.nodes {
            for &(key_id, value_id) in doc.map_entries(node) {
                let key = doc.node(key_id);
                let Some(text) = key.text() else { continue };
                let target = if text == ANNOTATION_ALL {
                    Target::All
                } else if let Some(id) = text.strip_prefix(ANNOTATION_PREFIX) {
                    Target::Check(id.to_string())
                } else {
                    continue;
                };
                if placed.contains(&(doc_index, key.id)) {
                    continue;
                }
                let value = doc.node(value_id);
                let (reason, _) = reason_and_until(value.as_str().unwrap_or_default());
                out.push(Directive {
                    file: Arc::clone(&input.source),
                    written: Span::new(key.span().start, value.span().end),
                    scope: None,
                    origin: Origin::Annotation,
                    entries: vec![Entry {
                        target,
                        problem: None,
                        used: false,
                    }],
                    reason,
                    until: None,
                    object: None,
                    helm_source: doc.helm_source.clone(),
                });
            }
        }
    }
}

fn directive_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"#\s*kubelint:\s*ignore\[([^\]]*)\](.*)$").expect("valid directive regex")
    })
}

fn collect_comments(input: &ParsedInput, out: &mut Vec<Directive>) {
    let source = &input.source;
    let text = &*source.text;
    if text_finder(&DIRECTIVE, b"kubelint:")
        .find(text.as_bytes())
        .is_none()
    {
        return;
    }
    let mut offset = 0usize;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += line.len();
        let Some(m) = directive_regex().captures(line.trim_end_matches(['\n', '\r'])) else {
            continue;
        };
        let whole = m.get(0).expect("group 0");
        let hash = line_start + whole.start();
        let before = &line[..whole.start()];
        if !(before.is_empty() || before.ends_with([' ', '\t'])) {
            continue;
        }
        let hash32 = u32::try_from(hash).unwrap_or(u32::MAX);
        if inside_scalar(input, hash32) {
            continue;
        }
        let own_line = before.trim().is_empty();
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let scope = if own_line {
            next_content_line(source, line_no + 1).and_then(|l| covered(input, l, true))
        } else {
            covered(input, line_no, false)
        };
        // A later ` # ` starts a comment on the comment (fixture markers, notes to reviewers).
        let tail = &m[2];
        let tail = tail
            .match_indices('#')
            .find(|&(i, _)| {
                tail[..i].ends_with([' ', '\t']) && tail[i + 1..].starts_with([' ', '\t'])
            })
            .map_or(tail, |(i, _)| &tail[..i]);
        let (reason, until) = reason_and_until(tail);
        let ids: Vec<&str> = m[1].split(',').map(str::trim).collect();
        let mut entries = Vec::new();
        for id in &ids {
            entries.push(Entry {
                target: Target::Check((*id).to_string()),
                problem: if id.is_empty() {
                    Some("it names no check: write ignore[<check-id>, ...]".into())
                } else {
                    until.as_ref().err().cloned()
                },
                used: false,
            });
        }
        let written_end = u32::try_from(line_start + whole.end()).unwrap_or(u32::MAX);
        let doc = docs_at(input, hash32).next().map(|(_, d)| d);
        let object = scope.and_then(|s| {
            docs_at(input, s.start).find_map(|(doc_index, doc)| {
                // Objects are in document order.
                let first = input.objects.partition_point(|o| o.doc < doc_index);
                input.objects[first..]
                    .iter()
                    .take_while(|o| o.doc == doc_index)
                    .find(|o| {
                        let span = o.root(doc).span();
                        span.start <= s.start && s.start <= span.end
                    })
                    .map(|o| Arc::clone(&o.id))
            })
        });
        out.push(Directive {
            file: Arc::clone(source),
            written: Span::new(hash32, written_end),
            scope,
            origin: Origin::Comment,
            entries,
            reason,
            until: until.unwrap_or(None),
            object,
            helm_source: doc.and_then(|d| d.helm_source.clone()),
        });
    }
}

/// The documents whose text holds byte `offset` (chunks do not overlap, so one or, on a
/// boundary, two): what a directive is looked up in, never every document of a big stream.
fn docs_at(input: &ParsedInput, offset: u32) -> impl Iterator<Item = (usize, &Document)> {
    let first = input.documents.partition_point(|d| d.span.end < offset);
    input.documents[first..]
        .iter()
        .enumerate()
        .map(move |(i, d)| (first + i, d))
        .take_while(move |(_, d)| d.span.start <= offset)
}

/// A `#` inside a quoted or block scalar is text, not a comment.
fn inside_scalar(input: &ParsedInput, offset: u32) -> bool {
    docs_at(input, offset).any(|(_, doc)| {
        doc.nodes.iter().any(|n| {
            matches!(n.kind, NodeKind::Scalar { .. })
                && n.span.start <= offset
                && offset < n.span.end
        })
    })
}

/// The first line at or after `line` holding something other than blanks and comments.
fn next_content_line(source: &SourceFile, line: u32) -> Option<u32> {
    let count = u32::try_from(source.line_count()).unwrap_or(u32::MAX);
    (line..=count).find(|&l| {
        let t = source.line_text(l).trim();
        !t.is_empty() && !t.starts_with('#') && t != "---"
    })
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Root,
    Item,
    Entry,
    Other,
}

/// The span a directive covers: on its own line, the node starting on `line` and everything
/// under it (a whole document, a list item such as a container, or a mapping entry); on the
/// same line as a node, the mapping entry (or list item) starting on that line.
fn covered(input: &ParsedInput, line: u32, own_line: bool) -> Option<Span> {
    let mut best: Option<(u8, Span)> = None;
    for (_, doc) in docs_at(input, input.source.line_start(line)) {
        let Some(root) = doc.root else { continue };
        let mut found = Vec::new();
        walk(doc, root, Role::Root, &input.source, line, &mut found, 0);
        for (role, span) in found {
            let rank = match (own_line, role) {
                (true, Role::Root) => 0,
                (_, Role::Item) if own_line => 1,
                (_, Role::Entry) if own_line => 2,
                (false, Role::Entry) => 0,
                (false, Role::Item) => 1,
                _ => 3,
            };
            let span = if role == Role::Root { doc.span } else { span };
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, span));
            }
        }
    }
    best.map(|(_, s)| s)
}

fn walk(
    doc: &Document,
    id: NodeId,
    role: Role,
    source: &SourceFile,
    line: u32,
    found: &mut Vec<(Role, Span)>,
    depth: usize,
) {
    // Documents are bounded by the YAML layer; this guards pathological nesting anyway.
    if depth > 512 {
        return;
    }
    let node = &doc.nodes[id as usize];
    if source.line_col(node.span.start).line == line {
        found.push((role, node.span));
    }
    if source.line_col(node.span.start).line > line || source.line_col(node.span.end).line < line {
        return;
    }
    match node.kind {
        NodeKind::Seq { .. } => {
            for &item in doc.seq_items(node) {
                walk(doc, item, Role::Item, source, line, found, depth + 1);
            }
        }
        NodeKind::Map { .. } => {
            for &(k, v) in doc.map_entries(node) {
                let key_start = doc.nodes[k as usize].span.start;
                if source.line_col(key_start).line == line {
                    found.push((
                        Role::Entry,
                        Span::new(key_start, doc.nodes[v as usize].span.end.max(key_start)),
                    ));
                }
                walk(doc, v, Role::Other, source, line, found, depth + 1);
            }
        }
        NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
    }
}

/// A config ignore compiled for matching.
struct IgnoreMatcher {
    check: String,
    kind: Option<GlobMatcher>,
    namespace: Option<GlobMatcher>,
    name: Option<GlobMatcher>,
    container: Option<GlobMatcher>,
    reason: String,
    span: Span,
}

impl IgnoreMatcher {
    fn new(i: &crate::config::file::Ignore) -> Self {
        Self {
            check: i.check.clone(),
            kind: i.kind.as_ref().map(globset::Glob::compile_matcher),
            namespace: i.namespace.as_ref().map(globset::Glob::compile_matcher),
            name: i.name.as_ref().map(globset::Glob::compile_matcher),
            container: i.container.as_ref().map(globset::Glob::compile_matcher),
            reason: i.reason.clone(),
            span: i.span,
        }
    }

    fn matches(&self, f: &Finding) -> bool {
        if *self.check != *f.check {
            return false;
        }
        let object = f.object.as_ref();
        let test = |glob: &Option<GlobMatcher>, value: Option<&str>| {
            glob.as_ref()
                .is_none_or(|g| value.is_some_and(|v| g.is_match(v)))
        };
        test(&self.kind, object.map(|o| &*o.kind))
            && test(
                &self.namespace,
                object.map(|o| o.namespace.as_deref().unwrap_or("")),
            )
            && test(&self.name, object.map(|o| o.name.as_str()))
            && test(&self.container, f.container.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::{ANNOTATION_ALL, ANNOTATION_MARK, ANNOTATION_PREFIX};

    #[test]
    fn both_annotation_forms_contain_the_mark_files_are_searched_for() {
        assert!(ANNOTATION_ALL.contains(ANNOTATION_MARK));
        assert!(ANNOTATION_PREFIX.contains(ANNOTATION_MARK));
    }
}
