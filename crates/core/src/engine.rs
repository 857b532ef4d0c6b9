//! Runs a lint: parses every file in parallel, recognises objects, runs the enabled checks over
//! them with rayon (a panicking check becomes an `internal-error` finding), and returns findings
//! sorted by file, line, column and check id, so output is identical at any `--jobs`.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use rayon::prelude::*;
use smallvec::SmallVec;

use crate::check::path::{FieldPath, Scope, TargetPath};
use crate::check::rule::{Eval, Literal, Witness};
use crate::check::{Check, ContainerType, Declarative, Logic, Rule, TargetKind};
use crate::checks::{self, CodeCtx, Hit};
use crate::finding::{Finding, FindingData, Location, Related, Severity};
use crate::k8s::version::KubeVersion;
use crate::object::pod::{Container, PodSpec};
use crate::object::{self, Object};
use crate::source::{SourceFile, Span};
use crate::yaml::{self, Document, DocumentInfo, NodeRef};

/// One parsed input file and the objects found in it.
#[derive(Debug)]
pub struct ParsedInput {
    pub source: Arc<SourceFile>,
    /// The documents' trees, while the file is being linted; empty once it is (a run holds one
    /// file's trees per thread, never every file's).
    pub documents: Vec<Document>,
    /// Every document's place and Helm source, in the order of `documents`; kept.
    pub document_info: Vec<DocumentInfo>,
    pub objects: Vec<Object>,
    /// A Helm chart template (Go template actions, not YAML): skipped, not linted.
    pub template: bool,
    /// Suppressions written in the file, for [`crate::suppress::apply`].
    pub directives: Vec<crate::suppress::Directive>,
    /// Spans of secret values (sorted), which no output may show: found for snippets, so only
    /// when the run keeps the text or fingerprints it (`RunSettings::retain_text`,
    /// `RunSettings::fingerprint_text`).
    pub secret_spans: Vec<Span>,
    /// [`crate::source::text_fingerprint`] of the file's text, when the run takes it.
    pub text_fingerprint: Option<u64>,
    /// Whether the text says `kubelint` anywhere (every suppression does).
    pub names_kubelint: bool,
    /// Whether the text is all ASCII (see [`SourceFile::without_text_given`]).
    pub ascii: bool,
}

impl ParsedInput {
    /// An input that holds no object to lint (its text does not decode, or it is a template).
    fn without_objects(
        source: Arc<SourceFile>,
        template: bool,
        names_kubelint: bool,
        ascii: bool,
    ) -> Self {
        ParsedInput {
            source,
            documents: Vec::new(),
            document_info: Vec::new(),
            objects: Vec::new(),
            template,
            directives: Vec::new(),
            secret_spans: Vec::new(),
            text_fingerprint: None,
            names_kubelint,
            ascii,
        }
    }

    /// The Helm template `obj` was rendered from, when the input says.
    #[must_use]
    pub fn helm_source(&self, obj: &Object) -> Option<Arc<str>> {
        self.document_info.get(obj.doc)?.helm_source.clone()
    }
}

/// A check as this run uses it: enabled, at its effective severity and parameters.
#[derive(Clone, Debug)]
pub struct ActiveCheck {
    pub check: Arc<Check>,
    pub severity: Severity,
    pub params: BTreeMap<String, Literal>,
}

/// Everything a run needs besides the files.
#[derive(Clone, Debug)]
pub struct RunSettings {
    pub checks: Vec<ActiveCheck>,
    pub kubernetes_version: KubeVersion,
    /// Pod-spec paths for custom kinds, by `Kind` or `group/version/Kind`
    /// (`Rollout` → `spec.template.spec`).
    pub pod_template_paths: BTreeMap<String, String>,
    /// The namespace of objects that do not name one (what `kubectl apply` would use).
    pub default_namespace: String,
    /// Objects that exist outside the input, so cross checks resolve references to them.
    pub external_objects: Vec<object::inventory::ExternalObject>,
    /// Whether the outcome keeps each file's text, for reports that show snippets. Without it,
    /// a file's text is freed as soon as the file is linted (positions stay exact).
    pub retain_text: bool,
    /// Whether a file whose text is freed keeps its secret spans and a fingerprint of the
    /// text: a report can then read the file again for snippets, and knows when the file
    /// changed since (its spans, and the secrets they mask, would no longer line up).
    pub fingerprint_text: bool,
}

/// The outcome of linting a set of files, before suppressions and rendering.
#[derive(Debug)]
pub struct Outcome {
    pub inputs: Vec<ParsedInput>,
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Counts for the report footer and the JSON `summary` (suppressions are added later).
    #[must_use]
    pub fn summary(&self) -> crate::finding::Summary {
        let mut summary = crate::finding::Summary {
            files: self.inputs.iter().filter(|i| !i.template).count(),
            objects: self.inputs.iter().map(|i| i.objects.len()).sum(),
            ..Default::default()
        };
        for f in &self.findings {
            if f.suppression.is_some() {
                summary.suppressed += 1;
            } else {
                summary.findings += 1;
                summary.by_severity.add(f.severity);
            }
        }
        summary
    }

    /// Paths of the inputs skipped as Helm chart templates.
    pub fn skipped_templates(&self) -> impl Iterator<Item = &str> {
        self.inputs
            .iter()
            .filter(|i| i.template)
            .map(|i| i.source.path.as_str())
    }
}

impl RunSettings {
    /// The given checks at their default severity and parameters, for the newest version.
    #[must_use]
    pub fn with_checks<'a>(checks: impl IntoIterator<Item = &'a Arc<Check>>) -> Self {
        Self {
            checks: checks
                .into_iter()
                .map(|c| ActiveCheck {
                    check: Arc::clone(c),
                    severity: c.severity,
                    params: c.params.clone(),
                })
                .collect(),
            kubernetes_version: crate::k8s::version::KubeVersion::NEWEST,
            pod_template_paths: BTreeMap::new(),
            default_namespace: "default".into(),
            external_objects: Vec::new(),
            retain_text: true,
            fingerprint_text: false,
        }
    }

    /// Every built-in check that is enabled by default.
    #[must_use]
    pub fn defaults() -> Self {
        Self::with_checks(crate::checks::builtin().iter().filter(|c| c.enabled))
    }

    fn active(&self, id: &str) -> Option<&ActiveCheck> {
        self.checks.iter().find(|c| &*c.check.id == id)
    }

    /// Where an object's pod spec is: a configured `group/version/Kind` path first (a Knative
    /// `Service` is not a core one), then the built-in kinds, then a configured bare kind.
    #[must_use]
    pub fn pod_spec_path<'a>(&'a self, api_version: &str, kind: &str) -> Option<&'a str> {
        // Asked for every object by several passes: no key is built when none is configured.
        if self.pod_template_paths.is_empty() {
            return object::pod::builtin_pod_spec_path(kind);
        }
        self.pod_template_paths
            .get(&format!("{api_version}/{kind}"))
            .map(String::as_str)
            .or_else(|| object::pod::builtin_pod_spec_path(kind))
            .or_else(|| self.pod_template_paths.get(kind).map(String::as_str))
    }
}

/// A file to lint: already in memory (standard input, tests), or a path that the worker
/// linting it reads, so that a run never holds every file's text at once.
#[derive(Debug)]
pub enum Input {
    Text(Arc<SourceFile>),
    File(crate::load::InputPath),
}

/// A file that could not be read: the run lints the others and reports it (exit 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadFailure {
    pub path: String,
    pub message: String,
}

/// Lints `files` with `settings`.
///
/// Each file is parsed, checked object by object, searched for suppressions and secret values,
/// and its objects' cross-check facts read, all on one worker; then its trees go, so only one
/// tree per thread is ever in memory. The cross-object checks run last, over those facts.
#[must_use]
pub fn run(files: Vec<Arc<SourceFile>>, settings: &RunSettings) -> Outcome {
    let inputs = files.into_iter().map(Input::Text).collect();
    run_inputs(inputs, settings, &()).0
}

/// What a run tells its caller as it goes: progress, and when its use of memory changes
/// shape (each file's text and trees come and go while files are linted; results only grow
/// after). The per-file calls come from whichever worker has the file.
pub trait RunEvents: Sync {
    /// The run starts on its files.
    fn files_start(&self) {}
    /// A file of `bytes` bytes of text is read and about to be parsed.
    fn file_read(&self, _bytes: u32) {}
    /// That file is linted and has let its trees go (and its text, unless the run keeps texts).
    fn file_done(&self, _bytes: u32) {}
    /// Every file is linted: from here on the run gathers what it holds, and frees little it
    /// will allocate again. A host that keeps freed memory for the next files can hand it
    /// back here.
    fn files_done(&self) {}
}

/// A caller that wants to hear nothing.
impl RunEvents for () {}

/// Lints `inputs`, reading each file on the worker that lints it, and tells `events` how it
/// goes. Files that cannot be read are returned apart, in input order.
#[must_use]
pub fn run_inputs(
    inputs: Vec<Input>,
    settings: &RunSettings,
    events: &dyn RunEvents,
) -> (Outcome, Vec<ReadFailure>) {
    let plan = per_object_plan(settings);
    let count = inputs.len();
    events.files_start();
    // Collected batch by batch into a vector sized up front: flattening in parallel would
    // gather the files in growing pieces and then copy them all once more.
    let batches: Vec<Vec<Linted>> = inputs
        .into_par_iter()
        .enumerate()
        .chunks(FILES_AT_ONCE)
        .map(|batch| lint_batch(batch, settings, &plan, events))
        .collect();
    events.files_done();
    // The rest runs on a worker of the pool: its parallel steps then start from there and do
    // not wait for a sleeping worker to wake up to the calling thread's request.
    rayon::scope(|_| finish_run(count, batches, settings))
}

/// The end of a run: the files' results gathered, the cross checks, the findings merged.
fn finish_run(
    count: usize,
    batches: Vec<Vec<Linted>>,
    settings: &RunSettings,
) -> (Outcome, Vec<ReadFailure>) {
    let mut failures = Vec::new();
    let mut inputs = Vec::with_capacity(count);
    let mut per_file = Vec::with_capacity(count);
    for result in batches.into_iter().flatten() {
        match result {
            Ok((input, findings)) => {
                inputs.push(input);
                per_file.push(findings);
            }
            Err(failure) => failures.push(failure),
        }
    }
    let cross = checks::cross::run(&inputs, settings);
    // Nothing reads the facts after the cross pass, but they stay with the outcome: the
    // peak comes during the cross pass, so freeing them lowered no peak (the CLI on 10,000
    // and 100,000 objects), and cost 0.5-1 ms of a run that the CLI, which leaves the outcome
    // to the OS at exit, need not spend.
    let findings = merge_findings(&inputs, per_file, cross);
    (Outcome { inputs, findings }, failures)
}

/// Every finding of the run in one list, in the order [`sort_findings`] gives the files' lists
/// followed by the cross checks' lists, each finding once (of findings equal in
/// [`Finding::sort_key`], the first). Each file's list is sorted by its worker and holds
/// findings in that file only, so when no two inputs share a path, the lists taken in path
/// order are already in order, and only the cross checks' findings are sorted here and merged
/// in. Sorting every finding at the end read them all in a random order: gathering and sorting
/// took 58-66 ms of a two-thread run on 100,000 objects, merging takes 29-36.
fn merge_findings(
    inputs: &[ParsedInput],
    mut per_file: Vec<Vec<Finding>>,
    cross: Vec<Vec<Finding>>,
) -> Vec<Finding> {
    // Sized once: growing a vector of every finding by doubling would briefly hold two.
    let total = per_file.iter().chain(&cross).map(Vec::len).sum::<usize>();
    let mut findings = Vec::with_capacity(total);
    let mut by_path: Vec<usize> = (0..inputs.len()).collect();
    by_path.sort_by(|&a, &b| inputs[a].source.path.cmp(&inputs[b].source.path));
    let paths_differ = by_path
        .windows(2)
        .all(|pair| inputs[pair[0]].source.path != inputs[pair[1]].source.path);
    if !paths_differ {
        // Findings of two inputs with one path interleave: sort them all.
        for some in per_file.into_iter().chain(cross) {
            findings.extend(some);
        }
        sort_findings(&mut findings);
        findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
        return findings;
    }
    let mut cross_findings = Vec::with_capacity(cross.iter().map(Vec::len).sum::<usize>());
    for some in cross {
        cross_findings.extend(some);
    }
    sort_findings(&mut cross_findings);
    let mut cross_findings = cross_findings.into_iter().peekable();
    for &input in &by_path {
        let file = &inputs[input].source;
        // Paths are distinct, so the cross findings sorted by path come file by file: those
        // of files before this one (none, unless a cross finding names a file that is not an
        // input) go first, and those of this file merge with its own. Paths are compared once
        // per file, not once per finding.
        while let Some(earlier) = cross_findings
            .next_if(|c| !Arc::ptr_eq(&c.location.file, file) && c.location.file.path < file.path)
        {
            push_unless_repeated(&mut findings, earlier);
        }
        for finding in std::mem::take(&mut per_file[input]) {
            // On equal keys the file's own finding comes first, as it came first in the list
            // the whole run used to sort.
            while let Some(earlier) = cross_findings.next_if(|c| {
                Arc::ptr_eq(&c.location.file, file) && compare_findings(c, &finding).is_lt()
            }) {
                push_unless_repeated(&mut findings, earlier);
            }
            push_unless_repeated(&mut findings, finding);
        }
        while let Some(same_file) = cross_findings.next_if(|c| Arc::ptr_eq(&c.location.file, file))
        {
            push_unless_repeated(&mut findings, same_file);
        }
    }
    for rest in cross_findings {
        push_unless_repeated(&mut findings, rest);
    }
    findings
}

/// Appends `finding` unless the last one is equal in [`Finding::sort_key`] (what
/// `dedup_by` on the sorted list removed): only findings of one file can be, so the paths of
/// distinct inputs (which differ here) are never compared.
fn push_unless_repeated(findings: &mut Vec<Finding>, finding: Finding) {
    if let Some(last) = findings.last() {
        if Arc::ptr_eq(&last.location.file, &finding.location.file)
            && compare_findings(last, &finding).is_eq()
        {
            return;
        }
    }
    findings.push(finding);
}

/// [`Finding::sort_key`] order, without comparing the paths of findings in one file.
fn compare_findings(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    let (a_at, b_at) = (&a.location, &b.location);
    let path = if Arc::ptr_eq(&a_at.file, &b_at.file) {
        std::cmp::Ordering::Equal
    } else {
        a_at.file.path.cmp(&b_at.file.path)
    };
    path.then(a_at.start.line.cmp(&b_at.start.line))
        .then(a_at.start.column.cmp(&b_at.start.column))
        .then_with(|| a.check.cmp(&b.check))
        .then_with(|| a.message.cmp(&b.message))
}

/// Sorts findings by [`Finding::sort_key`], stably, without the second copy of every finding a
/// merge sort would allocate: the order is worked out on keys, then applied in place.
fn sort_findings(findings: &mut [Finding]) {
    // One integer per finding: file rank, line, column and index, most significant first.
    // Integers sort without touching the findings; only findings at one place (rare) compare
    // their strings, and the index keeps the sort stable.
    let ranks = file_ranks(findings);
    let mut order: Vec<u128> = findings
        .iter()
        .zip(&ranks)
        .enumerate()
        .map(|(i, (f, &rank))| {
            let at = &f.location.start;
            u128::from(rank) << 96
                | u128::from(at.line) << 64
                | u128::from(at.column) << 32
                | u128::from(crate::source::to_u32(i))
        })
        .collect();
    drop(ranks);
    order.par_sort_unstable();
    let index = |key: u128| (key & u128::from(u32::MAX)) as usize;
    for tied in order.chunk_by_mut(|a, b| a >> 32 == b >> 32) {
        if tied.len() > 1 {
            tied.sort_unstable_by(|&a, &b| {
                findings[index(a)]
                    .sort_key()
                    .cmp(&findings[index(b)].sort_key())
                    .then(a.cmp(&b))
            });
        }
    }
    // Position `i` receives the finding at `index(order[i])`: walk each cycle of the
    // permutation, marking visited positions by pointing them at themselves.
    for start in 0..findings.len() {
        let mut at = start;
        while index(order[at]) != at {
            let from = index(std::mem::replace(&mut order[at], at as u128));
            if from == start {
                break;
            }
            findings.swap(at, from);
            at = from;
        }
    }
}

/// Each finding's file as a rank in path order, equal paths equal ranks: a run has far fewer
/// files than findings, so paths are compared per file rather than per comparison.
fn file_ranks(findings: &[Finding]) -> Vec<u32> {
    let mut slots: std::collections::HashMap<*const SourceFile, u32> =
        std::collections::HashMap::new();
    let mut paths: Vec<&str> = Vec::new();
    // A file's findings sit together: the map is asked only where the file changes.
    let mut last: Option<(*const SourceFile, u32)> = None;
    let mut ranks: Vec<u32> = findings
        .iter()
        .map(|f| {
            let file = Arc::as_ptr(&f.location.file);
            if let Some((last_file, slot)) = last {
                if last_file == file {
                    return slot;
                }
            }
            let slot = *slots.entry(file).or_insert_with(|| {
                paths.push(&f.location.file.path);
                crate::source::to_u32(paths.len() - 1)
            });
            last = Some((file, slot));
            slot
        })
        .collect();
    let mut by_path: Vec<usize> = (0..paths.len()).collect();
    by_path.sort_unstable_by(|&a, &b| paths[a].cmp(paths[b]));
    let mut rank_of = vec![0u32; paths.len()];
    let mut rank = 0u32;
    for (n, &slot) in by_path.iter().enumerate() {
        if n > 0 && paths[by_path[n - 1]] != paths[slot] {
            rank += 1;
        }
        rank_of[slot] = rank;
    }
    // Slots become ranks in place: every finding is held at this point.
    for slot in &mut ranks {
        *slot = rank_of[*slot as usize];
    }
    ranks
}

/// One input of a run, linted, or why it could not be read.
type Linted = Result<(ParsedInput, Vec<Finding>), ReadFailure>;

/// Files a worker takes at once: their objects are checked together, check by check (see
/// [`check_objects`]). A file usually holds a few objects, and checked alone it fetched the
/// code of every check for those few. On `gen10k/team-0` (cachegrind, one build), batches of
/// four take the instruction-cache misses beyond the parse from 306 k to 182 k and the
/// mispredicted branches from 562 k to 454 k, for 16% more data-cache misses (more trees are
/// live) and 0.5 MiB more peak on two threads (gen10k). Eight gained a little more and held
/// twice as much more.
const FILES_AT_ONCE: usize = 4;

/// Text a worker parses before it checks what it has parsed: a file's tree is several times
/// its text, and a batch of large files must not hold all their trees at once.
const TEXT_AT_ONCE: usize = 32 << 10;

/// Lints a batch of files, in order: each is read and parsed, the objects of the parsed ones
/// are checked together, and each is then finished and lets its trees go.
fn lint_batch(
    batch: Vec<(usize, Input)>,
    settings: &RunSettings,
    plan: &[Planned<'_>],
    events: &dyn RunEvents,
) -> Vec<Linted> {
    let mut done = Vec::with_capacity(batch.len());
    let mut parsed = Vec::new();
    let mut found = Vec::new();
    let mut text = 0;
    for (index, input) in batch {
        let source = match input {
            Input::Text(source) => source,
            Input::File(path) => match crate::load::read(&path) {
                Ok(source) => source,
                Err(problem) => {
                    // In order: the files before it are done first.
                    check_and_finish(&mut parsed, &mut found, settings, plan, events, &mut done);
                    done.push(Err(ReadFailure {
                        path: path.display,
                        message: problem.message,
                    }));
                    continue;
                }
            },
        };
        text += source.len() as usize;
        events.file_read(source.len());
        let (input, findings) = parse_input(index, source, settings);
        parsed.push(input);
        found.push(findings);
        if text >= TEXT_AT_ONCE {
            check_and_finish(&mut parsed, &mut found, settings, plan, events, &mut done);
            text = 0;
        }
    }
    check_and_finish(&mut parsed, &mut found, settings, plan, events, &mut done);
    done
}

/// Checks the objects of the files parsed so far, finishes each file and moves it to `done`.
fn check_and_finish(
    parsed: &mut Vec<ParsedInput>,
    found: &mut Vec<Vec<Finding>>,
    settings: &RunSettings,
    plan: &[Planned<'_>],
    events: &dyn RunEvents,
    done: &mut Vec<Linted>,
) {
    let mut facts = Vec::new();
    check_objects(parsed, settings, plan, found, &mut facts);
    for (file, object, read) in facts {
        parsed[file].objects[object].facts = read;
    }
    for (mut input, mut findings) in parsed.drain(..).zip(found.drain(..)) {
        let bytes = input.source.len();
        finish_file(&mut input, &mut findings, settings);
        // Sorted here, where the list is small and at hand (see [`merge_findings`]).
        debug_assert!(findings
            .iter()
            .all(|f| Arc::ptr_eq(&f.location.file, &input.source)));
        findings.sort_by(compare_findings);
        events.file_done(bytes);
        done.push(Ok((input, findings)));
    }
}

/// Everything about a checked file that needs its trees; the trees are then dropped.
fn finish_file(input: &mut ParsedInput, findings: &mut Vec<Finding>, settings: &RunSettings) {
    input.directives = crate::suppress::collect(input, settings);
    // The spans mask snippets; a run that frees the text and will not read it again shows none.
    if settings.retain_text || settings.fingerprint_text {
        input.secret_spans = crate::redact::secret_spans(input, settings);
    }
    if settings.fingerprint_text {
        input.text_fingerprint = Some(crate::source::text_fingerprint(&input.source.text));
    }
    // The objects' cross-check facts were read with their checks (see [`check_objects`]).
    input.documents = Vec::new();
    if !settings.retain_text {
        release_text(input, findings);
    }
    // Every file's findings are held until the cross pass is done: no spare capacity.
    findings.shrink_to_fit();
}

/// Lets the file's text go once nothing of the run reads it any more: every finding and
/// directive points at the file without its text (positions stay exact).
fn release_text(input: &mut ParsedInput, findings: &mut [Finding]) {
    let released = Arc::new(input.source.without_text_given(input.ascii));
    let rebind = |location: &mut Location| {
        if Arc::ptr_eq(&location.file, &input.source) {
            location.file = Arc::clone(&released);
        }
    };
    for finding in findings.iter_mut() {
        rebind(&mut finding.location);
        for related in &mut finding.related {
            rebind(&mut related.location);
        }
    }
    for directive in &mut input.directives {
        directive.set_file(&released);
    }
    input.source = released;
}

fn parse_input(
    index: usize,
    source: Arc<SourceFile>,
    settings: &RunSettings,
) -> (ParsedInput, Vec<Finding>) {
    if let Some(problem) = source.undecodable_problem() {
        let findings = undecodable_finding(&source, problem, settings)
            .into_iter()
            .collect();
        let ascii = source.text.is_ascii();
        return (
            ParsedInput::without_objects(source, false, false, ascii),
            findings,
        );
    }
    // These read the whole text, which is at hand now, just read and its lines counted; after
    // the parse and the checks it is not (on `gen10k/team-0`, cachegrind: 17 k fewer
    // first-level cache misses a run than with the searches and the ASCII test made later).
    let names_kubelint = crate::suppress::names_kubelint(&source.text);
    let ascii = source.text.is_ascii();
    let has_action = has_template_action(&source.text);
    let parsed = yaml::parse(&source);
    if has_action && is_go_template(&source, &parsed) {
        let input = ParsedInput::without_objects(source, true, names_kubelint, ascii);
        return (input, Vec::new());
    }
    let mut findings = Vec::new();
    let mut loader =
        |id: &str, span: Span, message: String, doc: Option<&Document>, related: Vec<Related>| {
            if let Some(active) = settings.active(id) {
                findings.push(Finding::new(FindingData {
                    check: Arc::clone(&active.check.id),
                    severity: active.severity,
                    message,
                    location: Location::new(&source, span),
                    label: None,
                    path: None,
                    object: None,
                    container: None,
                    helm_source: doc.and_then(|d| d.helm_source.clone()),
                    related: related.into_boxed_slice(),
                    remediation: active.check.remediation.clone(),
                    secret: false,
                    suppression: None,
                }));
            }
        };
    for err in &parsed.errors {
        loader(
            "yaml-syntax",
            err.span,
            err.message.clone(),
            None,
            Vec::new(),
        );
    }
    let mut objects = Vec::new();
    for (doc_index, doc) in parsed.documents.iter().enumerate() {
        for dup in &doc.duplicate_keys {
            let key = NodeRef::new(doc, dup.repeat);
            let first = NodeRef::new(doc, dup.first);
            let name = key.text().unwrap_or_default();
            let line = source.line_col(first.span().start).line;
            loader(
                "duplicate-key",
                key.span(),
                format!("key `{name}` is repeated in this mapping (first at line {line}); Kubernetes silently keeps only this last value"),
                Some(doc),
                vec![Related {
                    location: Location::new(&source, first.span()),
                    message: format!("`{name}` first defined here"),
                }],
            );
        }
        let extracted = object::extract(doc);
        for invalid in extracted.invalid {
            loader(
                "object-invalid",
                invalid.span,
                invalid.message,
                Some(doc),
                Vec::new(),
            );
        }
        for (node, id, base_path) in extracted.objects {
            objects.push(Object {
                file: index,
                doc: doc_index,
                node,
                span: doc.node(node).span(),
                anchor: object_anchor(doc.node(node)),
                id: Arc::new(id),
                base_path,
                facts: object::facts::Facts::default(),
            });
        }
    }
    (
        ParsedInput {
            source,
            document_info: parsed.documents.iter().map(Document::info).collect(),
            documents: parsed.documents,
            objects,
            template: false,
            directives: Vec::new(),
            secret_spans: Vec::new(),
            text_fingerprint: None,
            names_kubelint,
            ascii,
        },
        findings,
    )
}

/// Bytes that are not text (binary, invalid UTF-8) do not parse: a `yaml-syntax` finding at the
/// first bad byte, like any other file that does not parse.
fn undecodable_finding(
    source: &Arc<SourceFile>,
    problem: &crate::source::Undecodable,
    settings: &RunSettings,
) -> Option<Finding> {
    let active = settings.active("yaml-syntax")?;
    Some(Finding::new(FindingData {
        check: Arc::clone(&active.check.id),
        severity: active.severity,
        message: problem.message.clone(),
        location: Location::new(source, Span::new(problem.offset, problem.offset)),
        label: None,
        path: None,
        object: None,
        container: None,
        helm_source: None,
        related: Box::default(),
        remediation: active.check.remediation.clone(),
        secret: false,
        suppression: None,
    }))
}

/// Whether `text` holds `{{`, without which no file is a template.
fn has_template_action(text: &str) -> bool {
    static ACTION: std::sync::OnceLock<crate::source::TextFinder> = std::sync::OnceLock::new();
    crate::source::text_finder(&ACTION, b"{{")
        .find(text.as_bytes())
        .is_some()
}

/// A file with `{{` ([`has_template_action`]) whose `{{ }}` actions make it a template rather
/// than YAML: it does not parse, or an action sits where YAML reads a flow mapping
/// (`image: {{ .Values.image }}`). Actions inside strings (a ConfigMap holding a template)
/// leave the file YAML.
fn is_go_template(source: &SourceFile, parsed: &yaml::ParsedFile) -> bool {
    if !parsed.errors.is_empty() {
        return true;
    }
    parsed.documents.iter().any(|doc| {
        doc.nodes.iter().any(|node| {
            matches!(node.kind, yaml::NodeKind::Map { .. })
                && source.text[node.span.start as usize..].starts_with("{{")
        })
    })
}

/// One check as the loop over every object runs it.
struct Planned<'s> {
    active: &'s ActiveCheck,
    run: PlannedRun<'s>,
}

enum PlannedRun<'s> {
    Declarative(&'s Declarative),
    Code(checks::CodeFn, checks::Needs),
}

impl Planned<'_> {
    /// Whether the check can say anything about an object: pod and container checks need a
    /// pod spec, and a check may name the kinds it looks at. Most pairs of a run fail this
    /// (most objects have no pod spec), and are passed over before anything is set up.
    fn applies_to(&self, view: &ObjectView<'_>) -> bool {
        match self.run {
            PlannedRun::Declarative(decl) => {
                let target = match decl.target {
                    TargetKind::Object => true,
                    TargetKind::PodSpec => view.pod.is_some(),
                    TargetKind::Container => !view.containers.is_empty(),
                };
                target
                    && decl
                        .kinds
                        .as_ref()
                        .is_none_or(|k| k.iter().any(|k| k == view.kind))
                    && !decl.exclude_kinds.iter().any(|k| k == view.kind)
            }
            PlannedRun::Code(_, checks::Needs::Pod) => view.pod.is_some(),
            PlannedRun::Code(_, checks::Needs::Object) => true,
        }
    }
}

/// The checks that look at objects one at a time, worked out once per run. The loop over
/// every check of every object then reads this small array, not each check's definition
/// (cross checks, loader checks and code checks without code are left out here, not skipped
/// there).
fn per_object_plan(settings: &RunSettings) -> Vec<Planned<'_>> {
    settings
        .checks
        .iter()
        .filter(|active| !active.check.cross)
        .filter_map(|active| {
            let run = match &active.check.logic {
                Logic::Loader => return None,
                Logic::Declarative(decl) => PlannedRun::Declarative(decl),
                Logic::Code => {
                    let (f, needs) = checks::code_check(&active.check.id)?;
                    PlannedRun::Code(f, needs)
                }
            };
            Some(Planned { active, run })
        })
        .collect()
}

/// Objects whose views are held at once. Objects are checked check by check in groups of this
/// many: enough for a batch of usual files to be one group, while a file of 450,000 ConfigMaps
/// does not hold 450,000 views (80 MB).
const OBJECTS_AT_ONCE: usize = 64;

/// Runs every check of `plan` on every object of `inputs`, check by check, each file's
/// findings into its own list of `outs`: objects are few and small, while the checks' code is
/// large, so each check's code is fetched once per group of objects rather than once per
/// object. Findings come out in another order than object by object, which the final sort
/// undoes: findings that tie on everything it compares are of one check, and one check still
/// meets the objects in file order.
///
/// When the run has cross checks, it also reads each object's facts for them into `facts`
/// (file, object and facts), from the pod spec its checks found.
fn check_objects(
    inputs: &[ParsedInput],
    settings: &RunSettings,
    plan: &[Planned<'_>],
    outs: &mut [Vec<Finding>],
    facts: &mut Vec<(usize, usize, object::facts::Facts)>,
) {
    let cross = settings.checks.iter().any(|c| c.check.cross);
    let mut objects = inputs.iter().enumerate().flat_map(|(file, input)| {
        input
            .objects
            .iter()
            .enumerate()
            .map(move |(index, obj)| (file, index, input, obj))
    });
    let mut views: Vec<(usize, usize, ObjectView<'_>)> = Vec::new();
    let mut hits = Vec::new();
    loop {
        views.clear();
        views.extend(
            objects
                .by_ref()
                .take(OBJECTS_AT_ONCE)
                .map(|(file, index, input, obj)| {
                    let doc = &input.documents[obj.doc];
                    let root = obj.root(doc);
                    let pod_spec_path = settings.pod_spec_path(&obj.id.api_version, obj.kind());
                    let pod = pod_spec_path.and_then(|path| PodSpec::find(root, path));
                    (
                        file,
                        index,
                        ObjectView::new(obj, doc, root, pod_spec_path, pod),
                    )
                }),
        );
        if views.is_empty() {
            return;
        }
        for planned in plan {
            for (file, _, view) in views.iter().filter(|(_, _, view)| planned.applies_to(view)) {
                run_planned(
                    &inputs[*file],
                    view,
                    planned,
                    settings,
                    &mut hits,
                    &mut outs[*file],
                );
            }
        }
        if cross {
            facts.extend(views.iter().map(|(file, index, view)| {
                let read = object::facts::Facts::read_found(
                    view.root,
                    view.kind,
                    view.pod_spec_path,
                    view.pod.as_ref(),
                    &view.containers,
                );
                (*file, *index, read)
            }));
        }
    }
}

/// Runs one check on one object.
fn run_planned(
    input: &ParsedInput,
    view: &ObjectView<'_>,
    planned: &Planned<'_>,
    settings: &RunSettings,
    hits: &mut Vec<Hit>,
    out: &mut Vec<Finding>,
) {
    let active = planned.active;
    let obj = view.object;
    // `hits` is the caller's, empty, and left empty: one list serves every check of a group
    // of objects instead of one allocated per check that reports.
    let result = catch_unwind(AssertUnwindSafe(|| match planned.run {
        PlannedRun::Declarative(decl) => {
            run_declarative(decl, active, view, settings, hits);
        }
        PlannedRun::Code(f, _) => {
            let mut ctx = CodeCtx {
                check: active,
                object: obj,
                root: view.root,
                doc: view.doc,
                pod: view.pod.as_ref(),
                containers: &view.containers,
                version: settings.kubernetes_version,
                hits,
            };
            f(&mut ctx);
        }
    }));
    match result {
        // Most checks find nothing on most objects.
        Ok(()) if hits.is_empty() => {}
        Ok(()) => {
            let mut seen: SmallVec<[Span; 8]> = SmallVec::new();
            for hit in hits.drain(..) {
                // A pod-level value inherited by several containers is one finding.
                if seen.contains(&hit.span) {
                    continue;
                }
                seen.push(hit.span);
                out.push(finding_from_hit(input, obj, active, hit));
            }
        }
        Err(panic) => {
            hits.clear();
            out.push(internal_error(input, obj, settings, &active.check, &panic));
        }
    }
}

/// A check that panicked on `obj`, reported at its `kind:` entry (the tree may be gone).
pub(crate) fn internal_error(
    input: &ParsedInput,
    obj: &Object,
    settings: &RunSettings,
    check: &Check,
    panic: &Box<dyn std::any::Any + Send>,
) -> Finding {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let active = settings.active("internal-error");
    Finding::new(FindingData {
        check: active.map_or_else(|| Arc::from("internal-error"), |a| Arc::clone(&a.check.id)),
        severity: Severity::Error,
        message: format!(
            "check `{}` failed on this object: {what} (a bug in kubelint; please report it)",
            check.id
        ),
        location: Location::new(&input.source, obj.anchor),
        label: None,
        path: None,
        object: Some(obj.id.clone()),
        container: None,
        helm_source: input.helm_source(obj),
        related: Box::default(),
        remediation: "report this with the input that triggers it; the other checks still ran"
            .into(),
        secret: false,
        suppression: None,
    })
}

pub(crate) fn finding_from_hit(
    input: &ParsedInput,
    obj: &Object,
    active: &ActiveCheck,
    hit: Hit,
) -> Finding {
    Finding::new(FindingData {
        check: Arc::clone(&active.check.id),
        severity: hit.severity.unwrap_or(active.severity),
        message: hit.message,
        location: Location::new(&input.source, hit.span),
        label: hit.label.map(String::into_boxed_str),
        path: hit.path.map(String::into_boxed_str),
        object: Some(obj.id.clone()),
        container: hit.container.map(String::into_boxed_str),
        helm_source: input.helm_source(obj),
        related: hit.related.into_boxed_slice(),
        remediation: active.check.remediation.clone(),
        secret: active.check.secret,
        suppression: None,
    })
}

/// Where a finding about the object as a whole points: its `kind:` entry.
#[must_use]
pub fn object_anchor(root: NodeRef<'_>) -> Span {
    root.get_entry("kind").map_or(root.span(), |(k, v)| {
        Span::new(k.span().start, v.span().end)
    })
}

/// What every declarative check of one object starts from, worked out once per object.
struct ObjectView<'d> {
    object: &'d Object,
    doc: &'d Document,
    kind: &'d str,
    root: NodeRef<'d>,
    /// Where the kind keeps its pod spec, if it has one.
    pod_spec_path: Option<&'d str>,
    pod: Option<PodSpec<'d>>,
    /// Every container of the pod, found once for all checks.
    containers: Vec<Container<'d>>,
    /// Each container's anchor and whether it is a sidecar (restartable init), in the order
    /// of `containers`.
    container_scopes: Vec<(Span, bool)>,
}

impl<'d> ObjectView<'d> {
    fn new(
        obj: &'d Object,
        doc: &'d Document,
        root: NodeRef<'d>,
        pod_spec_path: Option<&'d str>,
        pod: Option<PodSpec<'d>>,
    ) -> Self {
        let containers: Vec<Container<'d>> = pod.iter().flat_map(PodSpec::containers).collect();
        let container_scopes = containers
            .iter()
            .map(|c| (c.anchor(), c.is_restartable_init()))
            .collect();
        Self {
            object: obj,
            doc,
            kind: obj.kind(),
            root,
            pod_spec_path,
            pod,
            containers,
            container_scopes,
        }
    }
}

fn run_declarative(
    decl: &Declarative,
    active: &ActiveCheck,
    view: &ObjectView<'_>,
    settings: &RunSettings,
    hits: &mut Vec<Hit>,
) {
    // Whether the check applies to this object at all was asked before (`Planned::applies_to`).
    let kind = view.kind;
    let base = Scope {
        object: view.root,
        object_path: &view.object.base_path,
        pod: view.pod.as_ref(),
        container: None,
        target: view.root,
        target_path: TargetPath::Object,
        target_anchor: view.object.anchor,
    };
    match decl.target {
        TargetKind::Object => run_rules(decl, active, kind, &base, None, settings, hits),
        TargetKind::PodSpec => {
            let Some(p) = view.pod else { return };
            let scope = Scope {
                target: p.spec,
                target_path: TargetPath::Pod,
                target_anchor: p.key.span(),
                ..base
            };
            run_rules(decl, active, kind, &scope, None, settings, hits);
        }
        TargetKind::Container => {
            for (c, &(anchor, sidecar)) in view.containers.iter().zip(&view.container_scopes) {
                if !ContainerType::accepts(&decl.container_types, c.kind, sidecar) {
                    continue;
                }
                let scope = Scope {
                    container: Some(c),
                    target: c.node,
                    target_path: TargetPath::Container,
                    target_anchor: anchor,
                    ..base.clone()
                };
                run_rules(decl, active, kind, &scope, Some(c.name), settings, hits);
            }
        }
    }
}

fn run_rules(
    decl: &Declarative,
    active: &ActiveCheck,
    kind: &str,
    scope: &Scope<'_>,
    container: Option<&str>,
    settings: &RunSettings,
    hits: &mut Vec<Hit>,
) {
    let eval = Eval {
        scope,
        params: &active.params,
    };
    if decl.unless.as_ref().is_some_and(|c| eval.holds(c)) {
        return;
    }
    let version = settings.kubernetes_version;
    for rule in &decl.rules {
        if rule.since.is_some_and(|v| version < v) || rule.before.is_some_and(|v| version >= v) {
            continue;
        }
        if rule
            .kinds
            .as_ref()
            .is_some_and(|k| !k.iter().any(|k| k == kind))
        {
            continue;
        }
        match &rule.each {
            // Rules rarely hold: testing first spares building witnesses (paths, values) that
            // would be thrown away.
            None if !eval.holds(&rule.when) => {}
            None => {
                if let Some(witnesses) = eval.eval(&rule.when) {
                    for w in witnesses {
                        hits.push(hit_from_witness(active, rule, scope, container, None, w));
                    }
                }
            }
            Some(each) => run_each(each, rule, active, scope, container, hits),
        }
    }
}

fn run_each(
    each: &FieldPath,
    rule: &Rule,
    active: &ActiveCheck,
    scope: &Scope<'_>,
    container: Option<&str>,
    hits: &mut Vec<Hit>,
) {
    // Testing needs only the item's node; its path, name and anchor are spelled out for the
    // few items the rule holds for, in a second walk, only when it holds for some. Whether it
    // holds depends on the item's node alone, so the second walk asks the first's answers.
    let mut probe = scope.clone();
    let mut holding: SmallVec<[yaml::NodeId; 4]> = SmallVec::new();
    scope.any_end_at(each, |node, found, at_root| {
        if found && !at_root {
            probe.target = node;
            let holds = Eval {
                scope: &probe,
                params: &active.params,
            }
            .holds(&rule.when);
            if holds {
                holding.push(node.id);
            }
        }
        false
    });
    if holding.is_empty() {
        return;
    }
    scope.any_end(each, |item| {
        if !item.found || item.at_root || !holding.contains(&item.node.id) {
            return false;
        }
        let item_name = item
            .node
            .get("name")
            .and_then(NodeRef::as_display)
            .or_else(|| item.key.and_then(NodeRef::text).map(str::to_string));
        let item_scope = Scope {
            target: item.node,
            target_path: TargetPath::Item(item.path(scope).into()),
            target_anchor: item
                .key
                .map_or_else(|| item_anchor(item.node), NodeRef::span),
            ..scope.clone()
        };
        let eval = Eval {
            scope: &item_scope,
            params: &active.params,
        };
        if let Some(witnesses) = eval.eval(&rule.when) {
            for w in witnesses {
                hits.push(hit_from_witness(
                    active,
                    rule,
                    &item_scope,
                    container,
                    item_name.as_deref(),
                    w,
                ));
            }
        }
        false
    });
}

/// A sequence item is pointed at by its `name:` entry when it has one.
fn item_anchor(node: NodeRef<'_>) -> Span {
    match node.get_entry("name") {
        Some((k, v)) => Span::new(k.span().start, v.span().end),
        None => node.span(),
    }
}

fn hit_from_witness(
    active: &ActiveCheck,
    rule: &Rule,
    scope: &Scope<'_>,
    container: Option<&str>,
    item: Option<&str>,
    w: Witness<'_, '_>,
) -> Hit {
    let path = w.path(scope);
    let message = render_template(&rule.message, active, scope, container, item, &w, &path);
    let label = rule
        .label
        .as_ref()
        .map(|l| render_template(l, active, scope, container, item, &w, &path));
    Hit {
        span: w.span,
        message,
        label,
        path: Some(path),
        container: container.map(str::to_string),
        severity: rule.severity,
        related: Vec::new(),
    }
}

fn render_template(
    template: &str,
    active: &ActiveCheck,
    scope: &Scope<'_>,
    container: Option<&str>,
    item: Option<&str>,
    w: &Witness<'_, '_>,
    path: &str,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = memchr::memchr(b'{', rest.as_bytes()) {
        out.push_str(&rest[..open]);
        let Some(close) = memchr::memchr(b'}', &rest.as_bytes()[open..]).map(|c| open + c) else {
            break;
        };
        let name = &rest[open + 1..close];
        // Written straight into the message: a finding's placeholders are spelled out once.
        let scalar =
            |out: &mut String, node: Option<NodeRef<'_>>| match node.and_then(NodeRef::scalar) {
                Some(yaml::Scalar::Str(text)) => out.push_str(text),
                Some(s) => {
                    let _ = write!(out, "{s}");
                }
                None => {}
            };
        let object_field = |out: &mut String, field: &str| {
            scalar(out, scope.object.get("metadata").and_then(|m| m.get(field)));
        };
        match name {
            "container" => out.push_str(container.unwrap_or_default()),
            "value" if !active.check.secret => scalar(&mut out, w.present),
            "raw" if !active.check.secret => {
                out.push_str(w.present.and_then(NodeRef::text).unwrap_or_default());
            }
            "type" => out.push_str(w.value_type),
            "key" => out.push_str(w.key.and_then(NodeRef::text).unwrap_or_default()),
            "item" => out.push_str(item.unwrap_or_default()),
            "path" => out.push_str(path),
            "kind" => scalar(&mut out, scope.object.get("kind")),
            "name" => object_field(&mut out, "name"),
            "namespace" => object_field(&mut out, "namespace"),
            other => {
                if let Some(lit) = other
                    .strip_prefix("param.")
                    .and_then(|p| active.params.get(p))
                {
                    out.push_str(&lit.display());
                }
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panicking_check() -> Arc<Check> {
        let text = "- id: test-panics\n  theme: meta\n  severity: warning\n  summary: Panics\n  remediation: none\n  logic: code\n  docs: {flags: always, why: a test}\n";
        let mut checks = crate::checks::parse_check_list("test.yaml", text, true)
            .map_err(|boxed| boxed.1.message)
            .unwrap();
        Arc::new(checks.remove(0))
    }

    /// A finding of `check` at the start of `line` of `file`, for tests of the order.
    fn finding_at(file: &Arc<SourceFile>, line: u32, check: &str, message: &str) -> Finding {
        let at = file.line_start(line);
        Finding::new(FindingData {
            check: check.into(),
            severity: Severity::Info,
            message: message.into(),
            location: Location::new(file, Span::new(at, at + 1)),
            label: None,
            path: None,
            object: None,
            container: None,
            helm_source: None,
            related: Box::default(),
            remediation: "r".into(),
            secret: false,
            suppression: None,
        })
    }

    #[test]
    fn sorting_in_place_is_a_stable_sort() {
        let file = Arc::new(SourceFile::new("a.yaml", "a: 1\nb: 2\nc: 3\n"));
        let finding =
            |line: u32, check: &str, message: &str| finding_at(&file, line, check, message);
        let mut findings: Vec<Finding> = (0..40)
            .map(|i| {
                finding(
                    3 - i % 3,
                    ["b", "a"][(i % 2) as usize],
                    &format!("m{}", i % 4),
                )
            })
            .collect();
        let mut expected: Vec<_> = findings
            .iter()
            .map(|f| (f.sort_key(), f.message.clone()))
            .map(|(k, m)| (k.1, k.3.to_string(), m))
            .collect();
        expected.sort();
        sort_findings(&mut findings);
        let got: Vec<_> = findings
            .iter()
            .map(|f| {
                (
                    f.location.start.line,
                    f.check.to_string(),
                    f.message.clone(),
                )
            })
            .collect();
        assert_eq!(got, expected);
        // Equal keys keep their input order: tag them through `label`.
        let mut tied: Vec<Finding> = (0..5).map(|i| finding(1 + i % 2, "a", "m")).collect();
        for (i, f) in tied.iter_mut().enumerate() {
            f.label = Some(i.to_string().into());
        }
        sort_findings(&mut tied);
        let labels: Vec<_> = tied.iter().map(|f| f.label.as_deref().unwrap()).collect();
        assert_eq!(labels, ["0", "2", "4", "1", "3"]);
    }

    /// Files' lists sorted one by one and merged in path order with the cross checks' findings
    /// come out exactly as sorting every finding together and dropping repeats did, ties
    /// included, whether or not two inputs share a path.
    #[test]
    fn merging_sorted_file_lists_orders_as_sorting_them_all() {
        let settings = RunSettings::defaults();
        for names in [
            ["c.yaml", "a.yaml", "b.yaml"],
            ["b.yaml", "a.yaml", "b.yaml"],
        ] {
            let inputs: Vec<ParsedInput> = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let text = "a: 1\nb: 2\nc: 3\n";
                    parse_input(i, Arc::new(SourceFile::new(*name, text)), &settings).0
                })
                .collect();
            let mut tag = 0;
            // Each finding is tagged through `label`, so that the order of ties shows.
            let mut finding = |input: &ParsedInput, line: u32, check: &str| {
                tag += 1;
                let mut tagged = finding_at(&input.source, line, check, "m");
                tagged.label = Some(tag.to_string().into());
                tagged
            };
            let mut per_file: Vec<Vec<Finding>> = Vec::new();
            for input in &inputs {
                let list = (0..12)
                    .map(|k| finding(input, 1 + (k * 7) % 3, ["b", "a"][k as usize % 2]))
                    .collect();
                per_file.push(list);
            }
            let mut cross: Vec<Vec<Finding>> = Vec::new();
            for c in 0..3 {
                let list = (0..10)
                    .map(|k| {
                        let input = &inputs[(k + c) % 3];
                        finding(input, 1 + (k as u32 * 5) % 3, ["a", "c", "b"][(k + c) % 3])
                    })
                    .collect();
                cross.push(list);
            }
            let mut expected: Vec<Finding> =
                per_file.iter().chain(&cross).flatten().cloned().collect();
            sort_findings(&mut expected);
            expected.dedup_by(|a, b| a.sort_key() == b.sort_key());
            for list in &mut per_file {
                list.sort_by(compare_findings);
            }
            let merged = merge_findings(&inputs, per_file, cross);
            let tags = |list: &[Finding]| -> Vec<String> {
                list.iter()
                    .map(|f| f.label.as_deref().unwrap_or_default().to_string())
                    .collect()
            };
            assert_eq!(tags(&merged), tags(&expected), "{names:?}");
        }
    }

    /// A file holding more objects than one group of views checks every object as a file of
    /// that object alone would: nothing is lost or repeated across group boundaries.
    #[test]
    fn objects_past_the_first_group_are_checked_alike() {
        let object = |i: usize| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n"
            )
        };
        let lines_per_object = u32::try_from(object(0).lines().count() + 1).unwrap();
        let settings = RunSettings::defaults();
        let lint = |text: String| -> Vec<(String, u32)> {
            let input = Input::Text(Arc::new(SourceFile::new("many.yaml", text.as_str())));
            let (outcome, _) = run_inputs(vec![input], &settings, &());
            outcome
                .findings
                .iter()
                .map(|f| (f.check.to_string(), f.location.start.line))
                .collect()
        };
        let alone = lint(object(0));
        assert!(alone.len() >= 5, "{alone:?}");
        let count = OBJECTS_AT_ONCE * 2 + 5;
        let texts: Vec<String> = (0..count).map(object).collect();
        let many = lint(texts.join("---\n"));
        let mut by_object = vec![Vec::new(); count];
        for (check, line) in many {
            let i = usize::try_from((line - 1) / lines_per_object).unwrap();
            let line_in_object = line - u32::try_from(i).unwrap() * lines_per_object;
            by_object[i].push((check, line_in_object));
        }
        for (i, mut found) in by_object.into_iter().enumerate() {
            let mut expected = alone.clone();
            found.sort();
            expected.sort();
            assert_eq!(found, expected, "object {i}");
        }
    }

    /// Files checked together in batches get exactly the findings each gets alone, and stay
    /// in input order around a file that cannot be read and a file large enough to be checked
    /// on its own.
    #[test]
    fn files_checked_together_get_the_findings_they_get_alone() {
        let object = |file: usize, i: usize| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{file}-{i}\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:{i}\n          resources: {{limits: {{cpu: {i}m}}}}\n"
            )
        };
        // Files of one to eleven objects share batches; file 5 spans several groups of views
        // and fills a batch's text by itself.
        let texts: Vec<String> = (0..FILES_AT_ONCE * 2 + 3)
            .map(|file| {
                let count = if file == 5 { 250 } else { file % 11 + 1 };
                (0..count)
                    .map(|i| object(file, i))
                    .collect::<Vec<_>>()
                    .join("---\n")
            })
            .collect();
        assert!(texts[5].len() > TEXT_AT_ONCE);
        let settings = RunSettings::defaults();
        let source = |file: usize| {
            Arc::new(SourceFile::new(
                format!("f{file:02}.yaml"),
                texts[file].as_str(),
            ))
        };
        let found = |outcome: &Outcome, path: &str| -> Vec<(String, u32, u32, String)> {
            let mut found: Vec<_> = outcome
                .findings
                .iter()
                .filter(|f| f.location.file.path == path)
                .map(|f| {
                    let at = f.location.start;
                    (f.check.to_string(), at.line, at.column, f.message.clone())
                })
                .collect();
            found.sort();
            found
        };
        let missing = FILES_AT_ONCE + 2;
        let inputs = (0..texts.len())
            .map(|file| {
                if file == missing {
                    Input::File(crate::load::InputPath {
                        display: "gone.yaml".into(),
                        fs_path: std::path::PathBuf::from("/nonexistent/kubelint/gone.yaml"),
                        explicit: true,
                    })
                } else {
                    Input::Text(source(file))
                }
            })
            .collect();
        let (together, failures) = run_inputs(inputs, &settings, &());
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].path, "gone.yaml");
        let paths: Vec<&str> = together
            .inputs
            .iter()
            .map(|i| i.source.path.as_str())
            .collect();
        let expected: Vec<String> = (0..texts.len())
            .filter(|&file| file != missing)
            .map(|file| format!("f{file:02}.yaml"))
            .collect();
        assert_eq!(paths, expected);
        for file in (0..texts.len()).filter(|&file| file != missing) {
            let path = format!("f{file:02}.yaml");
            let (alone, _) = run_inputs(vec![Input::Text(source(file))], &settings, &());
            let alone = found(&alone, &path);
            assert!(alone.len() >= 5, "{path}: {alone:?}");
            assert_eq!(found(&together, &path), alone, "{path}");
        }
    }

    /// What a run tells its caller: the start, each readable file read and then done with its
    /// own length, and the end of the files before the run gathers its results.
    #[test]
    fn a_run_tells_its_events_in_order() {
        #[derive(Default)]
        struct Recorder(std::sync::Mutex<Vec<String>>);
        impl RunEvents for Recorder {
            fn files_start(&self) {
                self.0.lock().unwrap().push("start".into());
            }
            fn file_read(&self, bytes: u32) {
                self.0.lock().unwrap().push(format!("read {bytes}"));
            }
            fn file_done(&self, bytes: u32) {
                self.0.lock().unwrap().push(format!("done {bytes}"));
            }
            fn files_done(&self) {
                self.0.lock().unwrap().push("end".into());
            }
        }
        let texts = [
            "kind: ConfigMap\n",
            "kind: Secret\nmetadata: {name: s}\n",
            "a: [\n",
        ];
        let mut inputs: Vec<Input> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| Input::Text(Arc::new(SourceFile::new(format!("f{i}.yaml"), *text))))
            .collect();
        inputs.insert(
            1,
            Input::File(crate::load::InputPath {
                display: "gone.yaml".into(),
                fs_path: std::path::PathBuf::from("/nonexistent/kubelint/gone.yaml"),
                explicit: true,
            }),
        );
        let recorder = Recorder::default();
        let settings = RunSettings::defaults();
        let (_, failures) = run_inputs(inputs, &settings, &recorder);
        assert_eq!(failures.len(), 1);
        let events = recorder.0.into_inner().unwrap();
        // One worker at a time would give exactly this order; with more, files interleave.
        assert_eq!(events.first().map(String::as_str), Some("start"));
        assert_eq!(events.last().map(String::as_str), Some("end"));
        let mut reads: Vec<&str> = events
            .iter()
            .filter(|e| e.starts_with("read"))
            .map(|e| &e[5..])
            .collect();
        let mut dones: Vec<&str> = events
            .iter()
            .filter(|e| e.starts_with("done"))
            .map(|e| &e[5..])
            .collect();
        reads.sort_unstable();
        dones.sort_unstable();
        let mut lengths: Vec<String> = texts.iter().map(|t| t.len().to_string()).collect();
        lengths.sort_unstable();
        assert_eq!(reads, lengths);
        assert_eq!(dones, lengths);
        for length in &lengths {
            let read = events.iter().position(|e| *e == format!("read {length}"));
            let done = events.iter().position(|e| *e == format!("done {length}"));
            assert!(read < done, "{events:?}");
        }
        assert_eq!(events.len(), 2 + 2 * texts.len());
    }

    /// The engine never calls a `Needs::Pod` check on an object without a pod spec. Called
    /// anyway, on every such object of the fixtures and the shared corpus, each of them must
    /// report nothing: the skip loses no finding.
    #[test]
    fn checks_that_need_a_pod_report_nothing_without_one() {
        let settings = RunSettings::with_checks(crate::checks::builtin());
        let pod_checks: Vec<(&ActiveCheck, checks::CodeFn)> = settings
            .checks
            .iter()
            .filter_map(|a| match checks::code_check(&a.check.id) {
                Some((f, checks::Needs::Pod)) => Some((a, f)),
                _ => None,
            })
            .collect();
        assert!(pod_checks.len() >= 30, "{}", pod_checks.len());
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let roots = [
            manifest.join("../../fixtures"),
            manifest.join("../../../shared/corpus"),
        ];
        let found = crate::load::discover(&roots, &crate::load::WalkOptions::default()).unwrap();
        let mut podless = 0;
        for path in &found.inputs {
            let Ok(source) = crate::load::read(path) else {
                continue;
            };
            let (input, _) = parse_input(0, source, &settings);
            for obj in &input.objects {
                let doc = &input.documents[obj.doc];
                let root = obj.root(doc);
                let pod = settings
                    .pod_spec_path(&obj.id.api_version, obj.kind())
                    .and_then(|p| PodSpec::find(root, p));
                if pod.is_some() {
                    continue;
                }
                podless += 1;
                for &(active, f) in &pod_checks {
                    let mut hits = Vec::new();
                    f(&mut CodeCtx {
                        check: active,
                        object: obj,
                        root,
                        doc,
                        pod: None,
                        containers: &[],
                        version: settings.kubernetes_version,
                        hits: &mut hits,
                    });
                    assert!(
                        hits.is_empty(),
                        "{} reports on a {} without a pod spec in {}",
                        active.check.id,
                        obj.kind(),
                        input.source.path
                    );
                }
            }
        }
        assert!(podless > 300, "{podless}");
    }

    /// A run that lets each file's text go as soon as the file is linted reports exactly what a
    /// run keeping every text reports, positions included.
    #[test]
    fn releasing_text_changes_no_finding() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let found = crate::load::discover(&[root], &crate::load::WalkOptions::default()).unwrap();
        let inputs = || found.inputs.iter().cloned().map(Input::File).collect();
        let describe = |outcome: &Outcome| -> Vec<String> {
            outcome
                .findings
                .iter()
                .map(|f| {
                    let related: Vec<_> = f
                        .related
                        .iter()
                        .map(|r| (&r.location.file.path, r.location.start, r.location.end))
                        .collect();
                    format!(
                        "{} {:?} {:?} {} {:?} {} {:?}",
                        f.location.file.path,
                        f.location.start,
                        f.location.end,
                        f.check,
                        f.path,
                        f.message,
                        related
                    )
                })
                .collect()
        };
        let mut settings = RunSettings::with_checks(crate::checks::builtin());
        let (kept, failures) = run_inputs(inputs(), &settings, &());
        assert!(failures.is_empty() && kept.findings.len() > 1000);
        settings.retain_text = false;
        let (released, _) = run_inputs(inputs(), &settings, &());
        assert!(released
            .inputs
            .iter()
            .all(|i| !i.source.has_text() && i.documents.is_empty()));
        assert!(released
            .findings
            .iter()
            .all(|f| !f.location.file.has_text()));
        assert_eq!(describe(&released), describe(&kept));
    }

    /// A text that is not all ASCII keeps its columns in characters once it is let go: the
    /// engine tells the file whether it is ASCII, and a wrong answer would count bytes where
    /// the cross checks place their findings, after the file's text is gone.
    #[test]
    fn releasing_a_text_beyond_ascii_keeps_columns_in_characters() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80, name: \"é😀\"}], selector: {app: web}}\n";
        let positions = |retain_text: bool| {
            let mut settings = RunSettings::with_checks(crate::checks::builtin());
            settings.retain_text = retain_text;
            let input = Input::Text(Arc::new(SourceFile::new("wide.yaml", text)));
            let (outcome, _) = run_inputs(vec![input], &settings, &());
            outcome
                .findings
                .iter()
                .map(|f| (f.check.to_string(), f.location.start, f.location.end))
                .collect::<Vec<_>>()
        };
        let kept = positions(true);
        // `selector:` after a name of two characters in six bytes: column 41 in characters
        // (45 counted in bytes).
        assert!(kept
            .iter()
            .any(|(check, start, _)| check == "service-selects-nothing"
                && (start.line, start.column) == (4, 41)));
        assert_eq!(positions(false), kept);
    }

    #[test]
    fn a_panicking_check_becomes_an_internal_error_and_the_rest_still_run() {
        let catalog = crate::checks::builtin();
        let privileged = catalog.iter().find(|c| &*c.id == "privileged").unwrap();
        let internal = catalog.iter().find(|c| &*c.id == "internal-error").unwrap();
        let panics = panicking_check();
        let settings = RunSettings::with_checks([&panics, privileged, internal]);
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext: {privileged: true}\n";
        let out = run(vec![Arc::new(SourceFile::new("p.yaml", pod))], &settings);
        let got: Vec<(&str, u32)> = out
            .findings
            .iter()
            .map(|f| (&*f.check, f.location.start.line))
            .collect();
        assert_eq!(got, vec![("internal-error", 2), ("privileged", 8)]);
        assert!(out.findings[0].message.contains("test-panics"));
        assert!(out.findings[0].message.contains("deliberate test panic"));
    }
}
