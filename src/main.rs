//! The `logprof` command: compare schedulers, sweep a parameter, render and
//! summarise traces. It only wires the `logprof`, `logprof-kernels` and
//! `logprof-viz` crates together: the command line ([`cli`]) and what its
//! options mean together ([`options`]), one module a command
//! ([`commands`]), the measuring engine ([`mod@bench`]), the output directory
//! ([`output`]), the work profile of a run ([`work`]), and the table with its
//! export formats.

#![forbid(unsafe_code)]

mod bench;
mod cli;
mod commands;
mod export;
mod limits;
mod options;
mod output;
mod progress;
mod results;
mod table;
mod work;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use cli::{Cli, Command};
use options::Given;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return usage_error(error),
    };
    let given = matches
        .subcommand()
        .map_or_else(Given::default, |(_, m)| Given::from_matches(m));
    let result = match &cli.command {
        Command::Compare(args) => commands::compare::run(args),
        Command::Run(args) => commands::run::run(args, &given),
        Command::Sweep(args) => commands::sweep::run(args, &given),
        Command::Render(args) => commands::render::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Processes(args) => commands::processes::run(args),
        Command::Sending(args) => commands::sending::run(args),
        Command::Histogram(args) => commands::histogram::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, outermost first; a cause that an
/// outer message already quotes is not repeated.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_quoted_by_its_context_is_not_repeated() {
        let io = std::io::Error::other("Not a directory (os error 20)");
        let error = anyhow::Error::new(io).context("cannot write x: Not a directory (os error 20)");
        assert_eq!(
            one_line(&error),
            "cannot write x: Not a directory (os error 20)"
        );
        let error = anyhow::anyhow!("disk full").context("cannot write y");
        assert_eq!(one_line(&error), "cannot write y: disk full");
    }
}
