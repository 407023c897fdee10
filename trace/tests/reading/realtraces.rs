//! Reads every trace of `../shared/realtraces/` (20 files written by 12
//! other tools; see its `SOURCES.md`) and checks the lanes and spans read
//! against the counts `SOURCES.md` gives, made by an independent script.
//!
//! The files stay outside the repository; without the folder (or with
//! `LOGPROF_REALTRACES` naming none) the test says so and passes.
//!
//! Where logprof reads more than the script counts, the difference is what
//! the notes of `SOURCES.md` name, and is checked against the repairs the
//! reader reports: a `B` never closed is a span cut off at the end of its
//! lane (the script counts matched pairs only), and the events the script
//! skips for a text `pid`/`tid` or a `ts` written as a string are read.

use std::path::{Path, PathBuf};

use logprof_trace::Trace;

/// The folder of real traces, when it is there: `LOGPROF_REALTRACES`, or
/// `shared/realtraces` in a folder above the repository (`../shared` of a
/// checkout, `../../shared` of a worktree kept beside it).
pub(crate) fn folder() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LOGPROF_REALTRACES") {
        return Some(PathBuf::from(dir)).filter(|d| d.join("SOURCES.md").is_file());
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(2)
        .map(|a| a.join("shared/realtraces"))
        .find(|d| d.join("SOURCES.md").is_file())
}

/// One row of the table of `SOURCES.md`.
#[derive(Debug)]
struct Expected {
    file: String,
    lanes: u64,
    spans: u64,
    notes: String,
}

/// The integer at the start of `cell`, commas between digits allowed.
fn leading_number(cell: &str) -> u64 {
    let digits: String = cell
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {cell:?}"))
}

fn expected(sources: &str) -> Vec<Expected> {
    sources
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(".json`"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | # | file | repo | path | commit | producer | size | form |
            // phases | pids | tids | lanes | spans | notes |
            Expected {
                file: cells[2].trim_matches('`').to_owned(),
                lanes: leading_number(cells[12]),
                spans: leading_number(cells[13]),
                notes: cells[14].to_owned(),
            }
        })
        .collect()
}

/// The count the notes give before `what` ("3 B never closed", "9258× bad
/// tid"), 0 when they do not mention it.
fn noted(notes: &str, what: &str) -> u64 {
    let Some(at) = notes.find(what) else {
        return 0;
    };
    let before = notes[..at].trim_end().trim_end_matches('×');
    let digits: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().unwrap_or(0)
}

/// Lanes logprof shows that the script does not count: those whose only
/// events the script skips (a text id, a `ts` written as a string).
fn extra_lanes(file: &str) -> u64 {
    match &file[..2] {
        "04" => 1,        // tid 2, whose one span has a string ts
        "16" => 2,        // tid "stream 7"; pid "Traces" tid "PyTorch Profiler"
        "17" | "18" => 1, // pid "Spans" tid "PyTorch Profiler"
        _ => 0,
    }
}

#[test]
fn every_real_trace_is_read_with_the_expected_counts() {
    let Some(dir) = folder() else {
        eprintln!("skipped: no ../shared/realtraces folder (set LOGPROF_REALTRACES)");
        return;
    };
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let rows = expected(&sources);
    assert_eq!(rows.len(), 20, "SOURCES.md lists 20 files");
    let mut wrong = Vec::new();
    for row in &rows {
        let trace = match Trace::read_chrome_json(dir.join(&row.file)) {
            Ok(t) => t,
            Err(e) => {
                wrong.push(format!("{e}"));
                continue;
            }
        };
        let r = &trace.repairs;
        let checks = [
            (
                "B never closed",
                r.unclosed_begins,
                noted(&row.notes, "B never closed"),
            ),
            (
                "E without B",
                r.stray_ends,
                noted(&row.notes, "E without B"),
            ),
            (
                "X without dur",
                r.complete_without_dur,
                noted(&row.notes, "X without numeric dur"),
            ),
        ];
        for (what, got, want) in checks {
            if got != want {
                wrong.push(format!(
                    "{}: {what}: read {got}, notes say {want}",
                    row.file
                ));
            }
        }
        let skipped_by_script = noted(&row.notes, "bad tid")
            + noted(&row.notes, "bad pid")
            + noted(&row.notes, "missing/non-numeric ts");
        let spans = row.spans + r.unclosed_begins + skipped_by_script;
        let lanes = row.lanes + extra_lanes(&row.file);
        let got = (trace.lanes.len() as u64, trace.span_count() as u64);
        eprintln!(
            "{}: {} lanes, {} spans; {:?}",
            row.file,
            got.0,
            got.1,
            r.sentences()
        );
        if got != (lanes, spans) {
            wrong.push(format!(
                "{}: read {} lanes and {} spans, expected {lanes} and {spans}",
                row.file, got.0, got.1
            ));
        }
        let unfinished = trace.lanes.iter().flat_map(|l| &l.spans);
        let unfinished = unfinished.filter(|s| s.unfinished).count() as u64;
        if unfinished != r.unclosed_begins {
            wrong.push(format!(
                "{}: {unfinished} spans marked unfinished",
                row.file
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
