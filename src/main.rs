//! The `logprof` command: compare schedulers, sweep a parameter, render and
//! summarise traces. It only wires the `logprof`, `logprof-trace`,
//! `logprof-kernels` and `logprof-viz` crates together: the command line
//! ([`cli`]) and what its options mean together ([`options`]), one module a
//! command ([`commands`]), the measuring engine ([`mod@measure`]), the
//! output directory ([`output`]), the work profile of a run ([`work`]), the
//! tables' export formats ([`export`]), what it prints ([`console`]), and
//! what an interrupt ends ([`interrupt`], [`children`]).

#![forbid(unsafe_code)]

mod big_file;
mod children;
mod cli;
mod commands;
mod console;
mod export;
mod html_page;
mod interrupt;
mod limits;
mod measure;
mod options;
mod output;
mod predicted;
mod progress;
mod results;
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
        Err(error) => return console::usage_error(error),
    };
    if !commands::launch::under_mpi() {
        interrupt::install();
    }
    let given = matches
        .subcommand()
        .map_or_else(Given::default, |(_, m)| Given::from_matches(m));
    let result = match &cli.command {
        Command::Compare(args) => commands::compare::run(args),
        Command::Run(args) => commands::run::run(args, &given),
        Command::Sweep(args) => commands::sweep::run(args, &given),
        Command::Render(args) => commands::render::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Convert(args) => commands::convert::run(args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Processes(args) => commands::processes::run(args),
        Command::Sending(args) => commands::sending::run(args),
        Command::Histogram(args) => commands::histogram::run(args),
        Command::Simulate(args) => commands::simulate::run(args, &given),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            console::print_error(&error);
            ExitCode::FAILURE
        }
    }
}
