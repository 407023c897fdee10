//! What the command says on the terminal: its results on standard output,
//! every line through one writer ([`out!`](crate::out) and
//! [`outln!`](crate::outln)) that a closed pipe silences, and its errors as
//! one line on standard error.
//!
//! A reader that left early (`logprof simulate t.json | head -2`) is not an
//! error: printing stops, the command carries on and writes its files, and
//! it exits 0, as `cat` or `ls` would not (they die of SIGPIPE) but as a
//! command whose real output is its files should.

use std::fmt;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

/// Set when standard output's reader has gone: nothing more is printed.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to standard output, unless its reader has gone (then
/// nothing, and no error). Used by [`out!`](crate::out).
pub fn print(text: fmt::Arguments) -> Result<()> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        result => result.context("cannot write to standard output"),
    }
}

/// `print!` through [`print()`]: `out!("{x}")?`.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::console::print(format_args!($($arg)*))
    };
}

/// `println!` through [`print()`]: `outln!("{x}")?`.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::console::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// The error and its causes on one line, outermost first; a cause that an
/// outer message already quotes is not repeated.
pub fn one_line(error: &anyhow::Error) -> String {
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

/// Prints `error: <the error on one line>` on standard error.
pub fn print_error(error: &anyhow::Error) {
    let _ = writeln!(std::io::stderr(), "error: {}", one_line(error));
}

/// `--help` and `--version` print as clap writes them; any other command-line
/// mistake becomes one line naming the culprit (the missing arguments, the
/// valid values), with clap's exit code 2.
pub fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
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
    let line = match (error.kind(), error.get(ContextKind::InvalidArg)) {
        // clap names the missing arguments on the lines below the first.
        (ErrorKind::MissingRequiredArgument, Some(ContextValue::Strings(missing))) => {
            format!("{first} {} (see --help)", missing.join(", "))
        }
        _ => {
            // clap lists the valid values on a later line; keep them on
            // this one.
            let valid = rendered
                .lines()
                .find_map(|l| l.trim().strip_prefix("[possible values: "))
                .map(|v| v.trim_end_matches(']'));
            match valid {
                Some(values) => format!("{first} (possible values: {values}; see --help)"),
                None => format!("{first} (see --help)"),
            }
        }
    };
    let _ = writeln!(std::io::stderr(), "{line}");
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
