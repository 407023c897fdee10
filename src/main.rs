//! The `logprof` command: compare schedulers, sweep a parameter, render and
//! summarise traces. It only wires the `logprof`, `logprof-kernels` and
//! `logprof-viz` crates together; one module a command, plus the table and
//! its export formats.

mod cli;
mod export;
mod measure;
mod output;
mod progress;
mod render;
mod report;
mod schedules;
mod sweep;
mod table;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    let result = match &cli.command {
        Command::Compare(args) => schedules::compare(args),
        Command::Run(args) => schedules::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Render(args) => render::run(args),
        Command::Report(args) => report::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line: the context chain, outermost first.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `--help` and `--version` print as clap writes them; any other command-line
/// mistake becomes one line naming the culprit, with clap's exit code 2.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return if error.use_stderr() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let rendered = error.render().to_string();
    let first = rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("error: invalid command line");
    // clap lists the valid values on a later line; keep them on this one.
    let valid = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("[possible values: "))
        .map(|v| v.trim_end_matches(']'));
    match valid {
        Some(values) => eprintln!("{first} (possible values: {values}; see --help)"),
        None => eprintln!("{first} (see --help)"),
    }
    ExitCode::from(2)
}
