//! What each command does: lint (the default), `checks` and `explain`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use miette::{miette, Diagnostic, Report};

use kubelint_core::checks::builtin;
use kubelint_core::config::{self, Profile, Selection};
use kubelint_core::engine;
use kubelint_core::finding::Severity;
use kubelint_core::k8s::version::KubeVersion;
use kubelint_core::load::{self, WalkOptions};
use kubelint_core::source::SourceFile;

use crate::args::{ColorChoice, FailOn, Format, LintArgs, ListFormat};
use crate::render;

pub type CmdResult = Result<ExitCode, Box<dyn Diagnostic + Send + Sync>>;

fn usage(message: impl Into<String>) -> Box<dyn Diagnostic + Send + Sync> {
    let report: Report = miette!("{}", message.into());
    report.into()
}

pub fn lint(args: &LintArgs) -> CmdResult {
    let catalog = builtin();
    let profile = match &args.profile {
        Some(name) => Some(Profile::parse(name).ok_or_else(|| {
            usage(format!(
                "unknown profile `{name}`: use one of {}",
                Profile::NAMES.join(", ")
            ))
        })?),
        None => None,
    };
    let version = match &args.kubernetes_version {
        Some(v) => {
            KubeVersion::parse(v).map_err(|e| usage(format!("--kubernetes-version: {e}")))?
        }
        None => KubeVersion::NEWEST,
    };
    let selection = Selection {
        profile,
        enable: args.enable.clone(),
        disable: args.disable.clone(),
        ..Selection::default()
    };
    let settings =
        config::settings(catalog, &selection, version).map_err(|e| usage(e.to_string()))?;
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
    let paths: Vec<PathBuf> = if explicit {
        args.paths.clone()
    } else {
        vec![PathBuf::from(".")]
    };
    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    let mut read_problems = Vec::new();
    let (stdin, fs_paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == "-");
    if !stdin.is_empty() {
        let bytes = load::read_bounded(std::io::stdin().lock())
            .map_err(|e| usage(format!("standard input: {}", e.message)))?;
        let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
        files.push(Arc::new(load::source_from_bytes(name, bytes)));
    }
    let fs_paths: Vec<PathBuf> = fs_paths.into_iter().cloned().collect();
    let discovery = load::discover(
        &fs_paths,
        &WalkOptions {
            include: args.include.clone(),
            exclude: args.exclude.clone(),
        },
    )
    .map_err(|e| usage(e.message))?;
    for input in &discovery.inputs {
        match load::read(input) {
            Ok(source) => files.push(source),
            // Named or walked, the other files are still linted and the run exits 2.
            Err(p) => read_problems.push((input.display.clone(), p.message)),
        }
    }

    let outcome = engine::run(files, &settings);
    let shown: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| args.show_suppressed || f.suppression.is_none())
        .collect();
    let summary = outcome.summary();
    let report = match args.format {
        Format::Human => {
            let sources = render::masked_sources(&outcome, &shown);
            render::human::render(
                &shown,
                &sources,
                use_color(args.color, args.output.is_none()),
            )
        }
        Format::Json => render::json::render(&shown, &summary),
    };
    write_report(args, &report)?;

    report_read_problems(&read_problems);
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for chart in &discovery.skipped_charts {
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
    if !read_problems.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on.unwrap_or(FailOn::Error) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| {
        outcome
            .findings
            .iter()
            .any(|f| f.suppression.is_none() && f.severity >= t)
    });
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

fn write_report(args: &LintArgs, report: &str) -> Result<(), Box<dyn Diagnostic + Send + Sync>> {
    match &args.output {
        Some(path) => std::fs::write(path, report)
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display()))),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`kubelint | head`) is not an error worth a message.
            let _ = out.write_all(report.as_bytes());
            let _ = out.flush();
            Ok(())
        }
    }
}

pub fn list_checks(format: ListFormat) -> CmdResult {
    let catalog = builtin();
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
            for c in catalog {
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
    let check = config::find_check(builtin(), id).map_err(|e| usage(e.to_string()))?;
    let _ = std::io::stdout()
        .lock()
        .write_all(kubelint_core::docs::explain(check).as_bytes());
    Ok(ExitCode::SUCCESS)
}
