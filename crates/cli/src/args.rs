//! Command-line arguments; the doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "kubelint",
    version,
    about = "Lint Kubernetes manifests offline, with exact locations",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every check: id, theme, severity, enabled, summary.
    Checks {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Explain a check: what it flags, why it matters, how to fix, with examples.
    Explain {
        /// The check id, e.g. `privileged`.
        check: String,
    },
    /// Print a shell completion script (e.g. `kubelint completions bash > /etc/bash_completion.d/kubelint`).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page in roff (e.g. `kubelint man > kubelint.1`).
    Man,
    /// Write a commented starter `.kubelint.yaml` (refuses to overwrite one).
    Init {
        /// Folder to write it in (default: the current folder).
        dir: Option<PathBuf>,
    },
}

#[derive(clap::Args, Debug, Default)]
pub struct LintArgs {
    /// Files and folders to lint (`-` reads standard input). Default: the current folder.
    pub paths: Vec<PathBuf>,

    /// Name to show for standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Load every manifest under DIR for cross-object checks, but report only findings in the
    /// named PATHs (as a pre-commit hook passes only the changed files).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,

    /// The Helm chart that rendered the input (`helm template DIR | kubelint - --chart-dir DIR`):
    /// findings then also point at the template line that produces the field.
    #[arg(long, value_name = "DIR")]
    pub chart_dir: Option<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Read settings from FILE instead of discovering `.kubelint.yaml`.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any configuration file.
    #[arg(long)]
    pub no_config: bool,

    /// Turn on checks (comma-separated ids), including those off by default.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub enable: Vec<String>,

    /// Turn off checks (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub disable: Vec<String>,

    /// Run a named set of checks: pss-baseline, pss-restricted or all.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Kubernetes version to judge against (default: the newest kubelint knows).
    #[arg(long, value_name = "X.Y")]
    pub kubernetes_version: Option<String>,

    /// Namespace of objects that do not name one (default: `default`).
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Only lint walked files matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip walked files matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// When to use colours.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only the report: no summary line or notes on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Also show suppressed findings.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record today's findings in FILE as the baseline (they are then shown as suppressed).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Annotated source snippets, for people.
    #[default]
    Human,
    /// The versioned JSON report, for scripts.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML test report.
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}
