//! The configured parts of a lint: finding and reading `.kubelint.yaml`, merging it with the
//! command line, and what happens between the engine run and rendering (suppressions, the
//! baseline). Also `kubelint init`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use miette::Diagnostic;

use kubelint_core::baseline::Baseline;
use kubelint_core::config::file::{self, CliOptions, ConfigFile, FailOn, Resolved};
use kubelint_core::config::Profile;
use kubelint_core::engine::Outcome;
use kubelint_core::k8s::version::KubeVersion;
use kubelint_core::suppress::{self, Date};

use crate::args::{self, LintArgs};
use crate::commands::CmdResult;

type Diag = Box<dyn Diagnostic + Send + Sync>;

fn usage(message: impl Into<String>) -> Diag {
    let report: miette::Report = miette::miette!("{}", message.into());
    report.into()
}

/// The configuration file in effect: `--config FILE`, none with `--no-config`, else the nearest
/// `.kubelint.yaml` from the working folder up to the repository root.
pub fn load_config(args: &LintArgs) -> Result<Option<ConfigFile>, Diag> {
    if args.no_config {
        return Ok(None);
    }
    let path = match &args.config {
        Some(p) => {
            if !p.is_file() {
                return Err(usage(format!(
                    "--config: {} does not exist or is not a file",
                    p.display()
                )));
            }
            p.clone()
        }
        None => match file::discover(Path::new(".")) {
            Some(p) => relative_to_cwd(&p),
            None => return Ok(None),
        },
    };
    file::load(&path).map(Some).map_err(|e| Box::new(e) as Diag)
}

/// The discovered config as a short path for messages (`.kubelint.yaml`, `../.kubelint.yaml`).
fn relative_to_cwd(path: &Path) -> std::path::PathBuf {
    let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize) else {
        return path.to_path_buf();
    };
    let mut up = std::path::PathBuf::new();
    for dir in cwd.ancestors() {
        if let Ok(rest) = path.strip_prefix(dir) {
            return up.join(rest);
        }
        up.push("..");
    }
    path.to_path_buf()
}

/// The catalog `checks` and `explain` show: built-ins plus any discovered custom checks.
pub fn catalog() -> Result<Vec<Arc<kubelint_core::check::Check>>, Diag> {
    let config = load_config(&LintArgs::default())?;
    Ok(file::catalog(config.as_ref()))
}

/// Merges the file with the command line (which wins).
pub fn resolve(args: &LintArgs, config: Option<&ConfigFile>) -> Result<Resolved, Diag> {
    let profile = match &args.profile {
        Some(name) => Some(Profile::parse(name).ok_or_else(|| {
            usage(format!(
                "unknown profile `{name}`: use one of {}",
                Profile::NAMES.join(", ")
            ))
        })?),
        None => None,
    };
    let kubernetes_version = match &args.kubernetes_version {
        Some(v) => {
            Some(KubeVersion::parse(v).map_err(|e| usage(format!("--kubernetes-version: {e}")))?)
        }
        None => None,
    };
    let cli = CliOptions {
        profile,
        enable: args.enable.clone(),
        disable: args.disable.clone(),
        kubernetes_version,
        fail_on: args.fail_on.map(|f| match f {
            args::FailOn::Error => FailOn::Error,
            args::FailOn::Warning => FailOn::Warning,
            args::FailOn::Info => FailOn::Info,
            args::FailOn::Never => FailOn::Never,
        }),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
    };
    file::resolve(config, &cli).map_err(|e| usage(e.to_string()))
}

/// Suppressions, then the baseline (read or written), applied to the outcome in place.
pub fn after_run(outcome: &mut Outcome, resolved: &Resolved, args: &LintArgs) -> Result<(), Diag> {
    suppress::apply(
        outcome,
        &resolved.settings,
        &suppress::Options {
            catalog: &resolved.catalog,
            config: &resolved.suppress,
            today: Date::today(),
        },
    );
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("--baseline: cannot read {}: {e}", path.display())))?;
        let baseline = Baseline::parse(&text)
            .map_err(|e| usage(format!("--baseline {}: {e}", path.display())))?;
        let stale = baseline.apply(&mut outcome.findings);
        if !args.quiet {
            let matched = baseline.len() - stale;
            let _ = writeln!(
                std::io::stderr(),
                "note: {matched} finding{} matched the baseline {}; {stale} baseline entr{} no longer occur{}{}",
                if matched == 1 { "" } else { "s" },
                path.display(),
                if stale == 1 { "y" } else { "ies" },
                if stale == 1 { "s" } else { "" },
                if stale > 0 { " (rewrite it with --write-baseline)" } else { "" },
            );
        }
    }
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::from_findings(&outcome.findings);
        std::fs::write(path, baseline.to_json())
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
        baseline.apply(&mut outcome.findings);
        if !args.quiet {
            let _ = writeln!(
                std::io::stderr(),
                "note: recorded {} finding{} in {}",
                baseline.len(),
                if baseline.len() == 1 { "" } else { "s" },
                path.display()
            );
        }
    }
    Ok(())
}

/// Findings about config ignores point into the config file: its text is needed for snippets.
pub fn add_config_source(sources: &mut crate::render::Snippets<'_>, resolved: &Resolved) {
    if let Some(source) = &resolved.suppress.source {
        sources.add_other(source.path.clone(), Arc::new(source.text.to_string()));
    }
}

/// `kubelint init`: writes the starter configuration, never over an existing file.
pub fn init(dir: Option<&Path>) -> CmdResult {
    let path = dir.unwrap_or(Path::new(".")).join(file::FILE_NAME);
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut out = match created {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(usage(format!(
                "{} already exists; not overwriting it",
                path.display()
            )))
        }
        Err(e) => return Err(usage(format!("cannot create {}: {e}", path.display()))),
    };
    out.write_all(file::STARTER.as_bytes())
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}
