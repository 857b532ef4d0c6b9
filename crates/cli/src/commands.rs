//! What each command does: lint (the default), `checks` and `explain`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use miette::{miette, Diagnostic, Report};

use kubelint_core::config;
use kubelint_core::engine;
use kubelint_core::load;
use kubelint_core::source::SourceFile;

use crate::args::{ColorChoice, Format, LintArgs, ListFormat};
use crate::render;
use crate::setup;

pub type CmdResult = Result<ExitCode, Box<dyn Diagnostic + Send + Sync>>;

fn usage(message: impl Into<String>) -> Box<dyn Diagnostic + Send + Sync> {
    let report: Report = miette!("{}", message.into());
    report.into()
}

pub fn lint(args: &LintArgs) -> CmdResult {
    let config = setup::load_config(args)?;
    let resolved = setup::resolve(args, config.as_ref())?;
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
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| usage(format!("cannot read standard input: {e}")))?;
        let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
        match load::decode_text(bytes) {
            Ok(text) => files.push(Arc::new(SourceFile::new(name, text))),
            Err(p) => read_problems.push((name, p.message)),
        }
    }
    let fs_paths: Vec<PathBuf> = fs_paths.into_iter().cloned().collect();
    let discovery = load::discover(&fs_paths, &resolved.walk).map_err(|e| usage(e.message))?;
    for input in &discovery.inputs {
        match load::read(input) {
            Ok(source) => files.push(source),
            Err(p) if input.explicit => {
                return Err(usage(format!("{}: {}", input.display, p.message)))
            }
            Err(p) => read_problems.push((input.display.clone(), p.message)),
        }
    }

    let mut outcome = engine::run(files, settings);
    setup::after_run(&mut outcome, &resolved, args)?;
    let shown: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| args.show_suppressed || f.suppression.is_none())
        .collect();
    let summary = outcome.summary();
    let report = match args.format {
        Format::Human => {
            let mut sources = render::masked_sources(&outcome, &shown);
            setup::add_config_source(&mut sources, &resolved);
            render::human::render(
                &shown,
                &sources,
                use_color(args.color, args.output.is_none()),
            )
        }
        Format::Json => render::json::render(&shown, &summary),
    };
    write_report(args, &report)?;

    if !args.quiet {
        let mut err = std::io::stderr().lock();
        for chart in &discovery.skipped_charts {
            let _ = writeln!(err, "note: skipped Helm chart sources in {chart}; lint the rendered output with `helm template {chart} | kubelint -`");
        }
        let templates: Vec<&str> = outcome.skipped_templates().collect();
        if !templates.is_empty() {
            let _ = writeln!(err, "note: skipped {} Helm template file(s) ({}); lint the rendered output with `helm template CHART | kubelint -`", templates.len(), templates.join(", "));
        }
        for (path, problem) in &read_problems {
            let _ = writeln!(err, "warning: {path}: {problem}; the file was not linted");
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
    let threshold = resolved.fail_on.threshold();
    let failing = threshold.is_some_and(|t| {
        outcome
            .findings
            .iter()
            .any(|f| f.suppression.is_none() && f.severity >= t)
    });
    Ok(ExitCode::from(u8::from(failing)))
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
