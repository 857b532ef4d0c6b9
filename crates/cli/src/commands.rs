//! What each command does: lint (the default), `checks` and `explain`.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use miette::{miette, Diagnostic, Report};

use kubelint_core::config;
use kubelint_core::engine;
use kubelint_core::finding::{Finding, Location, Related};
use kubelint_core::helm;
use kubelint_core::load::{self, InputPath};
use kubelint_core::source::SourceFile;

use crate::allocator::AllocatorEvents;
use crate::args::{Cli, ColorChoice, Format, LintArgs, ListFormat};
use crate::render::{self, SrcRoot};
use crate::setup;

pub type CmdResult = Result<ExitCode, Box<dyn Diagnostic + Send + Sync>>;

fn usage(message: impl Into<String>) -> Box<dyn Diagnostic + Send + Sync> {
    let report: Report = miette!("{}", message.into());
    report.into()
}

pub fn lint(args: &LintArgs) -> CmdResult {
    let config = setup::load_config(args)?;
    let mut resolved = setup::resolve(args, config.as_ref())?;
    if let Some(ns) = &args.namespace {
        resolved.settings.default_namespace.clone_from(ns);
    }
    let settings = &resolved.settings;
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            return Err(usage("--jobs must be at least 1"));
        }
        // A second build of the global pool is an error only when one already exists.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .stack_size(8 << 20)
            .build_global();
    }

    let explicit = !args.paths.is_empty();
    let paths: Vec<PathBuf> = if explicit || args.context.is_some() {
        args.paths.clone()
    } else {
        vec![PathBuf::from(".")]
    };
    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    let (stdin, fs_paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == "-");
    let stdin_name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
    if !stdin.is_empty() {
        let bytes = load::read_bounded(std::io::stdin().lock())
            .map_err(|e| usage(format!("standard input: {}", e.message)))?;
        files.push(Arc::new(load::source_from_bytes(stdin_name.clone(), bytes)));
    }
    let fs_paths: Vec<PathBuf> = fs_paths.into_iter().cloned().collect();
    let walk = &resolved.walk;
    let discovery = load::discover(&fs_paths, walk).map_err(|e| usage(e.message))?;
    // With --context, findings are reported only for the named inputs; the context supplies
    // the inventory that cross-object checks see.
    let mut report_only: Option<HashSet<String>> = None;
    let mut skipped_charts = discovery.skipped_charts.clone();
    let inputs = match &args.context {
        None => discovery.inputs,
        Some(dir) => {
            if !dir.is_dir() {
                return Err(usage(format!("--context {}: not a folder", dir.display())));
            }
            let context =
                load::discover(std::slice::from_ref(dir), walk).map_err(|e| usage(e.message))?;
            skipped_charts.extend(context.skipped_charts);
            skipped_charts.sort();
            skipped_charts.dedup();
            if explicit {
                let mut named: HashSet<String> =
                    discovery.inputs.iter().map(|i| i.display.clone()).collect();
                if !stdin.is_empty() {
                    named.insert(stdin_name.clone());
                }
                report_only = Some(named);
            }
            merge_context(context.inputs, discovery.inputs)
        }
    };

    // Each file is read by the worker that lints it, so only the text of the files being
    // linted is in memory at once, and no report keeps it afterwards: the human one reads each
    // file again for its snippets, one at a time, and checks it is the text that was linted.
    let mut settings = settings.clone();
    settings.retain_text = false;
    settings.fingerprint_text = args.format == Format::Human;
    let settings = &settings;
    let rereads = if args.format == Format::Human {
        render::Rereads::new(&files, &inputs)
    } else {
        render::Rereads::default()
    };
    let mut run_inputs: Vec<engine::Input> = files.into_iter().map(engine::Input::Text).collect();
    run_inputs.extend(inputs.into_iter().map(engine::Input::File));
    let progress = Progress::new(run_inputs.len(), args.quiet);
    let (mut outcome, failures) = engine::run_inputs(run_inputs, settings, &progress);
    progress.finish();
    // Named or walked, the other files are still linted and the run exits 2.
    let read_problems: Vec<(String, String)> =
        failures.into_iter().map(|f| (f.path, f.message)).collect();
    // Suppressions see every input, so context files still count for `suppression-unused`
    // before the report is narrowed to the named files.
    setup::after_run(&mut outcome, &resolved, args)?;
    if let Some(named) = &report_only {
        outcome
            .findings
            .retain(|f| named.contains(&f.location.file.path));
    }
    let root = SrcRoot::discover();
    add_template_locations(&mut outcome.findings, args.chart_dir.as_deref(), root.cwd());
    let shown: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| args.show_suppressed || f.suppression.is_none())
        .collect();
    let summary = outcome.summary();
    // Every format is written as it is made: a report is often larger than the run's input.
    write_output(args, |out| match args.format {
        Format::Human => {
            let mut sources = render::Snippets::new(&outcome, &shown, rereads);
            setup::add_config_source(&mut sources, &resolved);
            let color = use_color(args.color, args.output.is_none());
            render::human::write(&shown, &mut |path| sources.text(path), color, out)
        }
        Format::Github => render::github::write(&shown, &root, out),
        Format::Junit => render::junit::write(&shown, summary.files, out),
        Format::Sarif => {
            let all: Vec<_> = outcome.findings.iter().collect();
            render::sarif::write(&all, &settings.checks, &root, out)
        }
        Format::Json => render::json::write(&shown, &summary, out),
    })?;

    report_read_problems(&read_problems);
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for chart in &skipped_charts {
            let _ = writeln!(err, "note: skipped Helm chart sources in {chart}; lint the rendered output with `helm template {chart} | kubelint -`");
        }
        let templates: Vec<&str> = outcome.skipped_templates().collect();
        if !templates.is_empty() {
            let _ = writeln!(err, "note: skipped {} Helm template file(s) ({}); lint the rendered output with `helm template CHART | kubelint -`", templates.len(), templates.join(", "));
        }
        if args.format == Format::Human {
            let s = &summary;
            let _ = writeln!(
                err,
                "{} finding{} ({} error, {} warning, {} info) in {} file{}, {} object{}{}",
                s.findings,
                plural(s.findings),
                s.by_severity.error,
                s.by_severity.warning,
                s.by_severity.info,
                s.files,
                plural(s.files),
                s.objects,
                plural(s.objects),
                if s.suppressed > 0 {
                    format!("; {} suppressed", s.suppressed)
                } else {
                    String::new()
                }
            );
        }
    }

    if explicit && summary.objects == 0 && outcome.findings.is_empty() && read_problems.is_empty() {
        return Err(usage(
            "no Kubernetes objects found in the given paths (documents without apiVersion and kind, Helm templates and tool files are skipped)",
        ));
    }
    let threshold = resolved.fail_on.threshold();
    let failing = threshold.is_some_and(|t| {
        outcome
            .findings
            .iter()
            .any(|f| f.suppression.is_none() && f.severity >= t)
    });
    // The process ends with this command: freeing every finding and file piece by piece
    // would be work for nothing (1-2% of a large run), so the outcome is left to the OS.
    std::mem::forget(outcome);
    if !read_problems.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::from(u8::from(failing)))
}

/// Files that could not be read make the run incomplete (exit 2): said even with `--quiet`.
fn report_read_problems(problems: &[(String, String)]) {
    let mut err = std::io::stderr().lock();
    for (path, problem) in problems {
        let _ = writeln!(err, "error: {path}: {problem}; the file was not linted");
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn use_color(choice: ColorChoice, to_stdout: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_stdout
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Writes the report to `--output` or to standard output.
fn write_output(
    args: &LintArgs,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Box<dyn Diagnostic + Send + Sync>> {
    match &args.output {
        Some(path) => {
            let cannot = |e: std::io::Error| usage(format!("cannot write {}: {e}", path.display()));
            let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(cannot)?);
            write(&mut file).and_then(|()| file.flush()).map_err(cannot)
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            // A closed pipe (`kubelint | head`) is not an error worth a message.
            let _ = write(&mut out).and_then(|()| out.flush());
            Ok(())
        }
    }
}

pub fn list_checks(format: ListFormat) -> CmdResult {
    let catalog = &setup::catalog()?;
    let text = match format {
        ListFormat::Json => {
            let checks: Vec<_> = catalog
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": &*c.id,
                        "theme": c.theme,
                        "severity": c.severity.as_str(),
                        "enabled": c.enabled,
                        "summary": c.summary,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&serde_json::json!({ "checks": checks }))
                .unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Human => {
            let width = catalog.iter().map(|c| c.id.len()).max().unwrap_or(0);
            let mut s = String::new();
            for c in catalog.iter() {
                s.push_str(&format!(
                    "{:width$}  {:12}  {:7}  {:3}  {}\n",
                    c.id,
                    c.theme,
                    c.severity.as_str(),
                    if c.enabled { "on" } else { "off" },
                    c.summary
                ));
            }
            s
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

pub fn explain(id: &str) -> CmdResult {
    let catalog = setup::catalog()?;
    let check = config::find_check(&catalog, id).map_err(|e| usage(e.to_string()))?;
    let _ = std::io::stdout()
        .lock()
        .write_all(kubelint_core::docs::explain(check).as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The context's inputs in their walk order, each named input in place of the context entry for
/// the same file (so it is read once, under the name the user gave), named inputs outside the
/// context after them.
fn merge_context(context: Vec<InputPath>, named: Vec<InputPath>) -> Vec<InputPath> {
    let key = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let mut named_by_key: HashMap<PathBuf, InputPath> =
        named.into_iter().map(|i| (key(&i.fs_path), i)).collect();
    let mut order: Vec<PathBuf> = Vec::new();
    let mut out: Vec<InputPath> = context
        .into_iter()
        .map(|c| {
            let k = key(&c.fs_path);
            order.push(k.clone());
            named_by_key.remove(&k).unwrap_or(c)
        })
        .collect();
    let mut rest: Vec<InputPath> = named_by_key.into_values().collect();
    rest.sort();
    out.extend(rest);
    out
}

/// Where the chart template named by a `# Source:` comment is on disk: under `--chart-dir`
/// (whose name Helm puts first in the comment), else as written, relative to the working folder.
fn template_file(source: &str, chart_dir: Option<&Path>, cwd: &Path) -> Option<(PathBuf, String)> {
    let (fs, display) = match chart_dir {
        Some(dir) => {
            let rel = helm::chart_relative(source)?;
            let dir_text = dir.to_string_lossy().replace('\\', "/");
            // Shown as other paths are: `./charts/x` as `charts/x`.
            let dir_text = dir_text.strip_prefix("./").unwrap_or(&dir_text);
            let display = match dir_text.trim_end_matches('/') {
                "" | "." => rel.to_string(),
                d => format!("{d}/{rel}"),
            };
            (dir.join(rel), display)
        }
        None => (cwd.join(source), source.to_string()),
    };
    fs.is_file().then_some((fs, display))
}

/// Adds to each Helm-rendered finding a related location in its chart template: the line that
/// produces the field when [`helm::locate_field`] is sure of it, else the template file itself.
fn add_template_locations(findings: &mut [Finding], chart_dir: Option<&Path>, cwd: &Path) {
    let mut templates: HashMap<Arc<str>, Option<Arc<SourceFile>>> = HashMap::new();
    for f in findings.iter_mut() {
        let Some(source) = f.helm_source.clone() else {
            continue;
        };
        let template = templates
            .entry(source.clone())
            .or_insert_with(|| {
                let (fs, display) = template_file(&source, chart_dir, cwd)?;
                let text = std::fs::read(&fs).ok()?;
                let text = load::decode_text(text).ok()?;
                Some(Arc::new(SourceFile::new(display, text)))
            })
            .clone();
        let Some(template) = template else {
            continue;
        };
        let spot = f
            .path
            .as_deref()
            .and_then(|p| helm::locate_field(&template.text, p));
        let related = match spot {
            Some(spot) => {
                let start = template.offset_of(spot.line, spot.start_column - 1);
                let end = template.offset_of(spot.line, spot.end_column - 1);
                Related {
                    location: Location::new(
                        &template,
                        kubelint_core::source::Span::new(start, end),
                    ),
                    message: "produced by this chart template line".into(),
                }
            }
            None => Related {
                location: Location::new(
                    &template,
                    kubelint_core::source::Span::new(
                        template.content_start(),
                        template.content_start(),
                    ),
                ),
                message: "rendered from this chart template".into(),
            },
        };
        let mut all = std::mem::take(&mut f.related).into_vec();
        all.push(related);
        f.related = all.into_boxed_slice();
    }
}

/// A progress bar on standard error for long runs, shown only to a person watching a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    const MIN_FILES: usize = 50;

    fn new(files: usize, quiet: bool) -> Self {
        if quiet || files <= Self::MIN_FILES || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(files as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len}")
        {
            bar.set_style(style);
        }
        bar.set_message("linting");
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Self(Some(bar))
    }

    fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The progress bar moves as files are done, and the process's memory is handed back once
/// they all are.
impl engine::RunEvents for Progress {
    fn files_start(&self) {
        AllocatorEvents.files_start();
    }

    fn file_read(&self, bytes: u32) {
        AllocatorEvents.file_read(bytes);
    }

    fn file_done(&self, bytes: u32) {
        self.inc();
        AllocatorEvents.file_done(bytes);
    }

    fn files_done(&self) {
        AllocatorEvents.files_done();
    }
}

pub fn completions(shell: clap_complete::Shell) -> CmdResult {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "kubelint", &mut out);
    Ok(ExitCode::SUCCESS)
}

pub fn man() -> CmdResult {
    use clap::CommandFactory;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| usage(format!("cannot render the manual page: {e}")))?;
    let _ = std::io::stdout().lock().write_all(&page);
    Ok(ExitCode::SUCCESS)
}
