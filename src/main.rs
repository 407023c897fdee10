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
    let cli = Cli::parse();
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
