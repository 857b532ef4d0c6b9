//! The `kubelint` binary: parses arguments, runs the library, renders the report and maps the
//! outcome to the contract's exit codes (0 clean, 1 findings at or above `--fail-on`, 2 the run
//! could not be done).

mod allocator;
mod args;
mod commands;
mod render;
mod setup;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    allocator::configure();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Checks { format }) => commands::list_checks(format),
        Some(Command::Explain { check }) => commands::explain(&check),
        Some(Command::Completions { shell }) => commands::completions(shell),
        Some(Command::Man) => commands::man(),
        Some(Command::Init { dir }) => setup::init(dir.as_deref()),
        None => commands::lint(&cli.lint),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let mut text = String::new();
            let handler = miette::GraphicalReportHandler::new_themed(
                miette::GraphicalTheme::unicode_nocolor(),
            );
            if handler.render_report(&mut text, err.as_ref()).is_err() {
                text = format!("error: {err}");
            }
            eprint!("{text}");
            ExitCode::from(2)
        }
    }
}
