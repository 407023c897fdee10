//! `work.svg` and `work.png` of `compare` and `run`: what each column cost
//! in the recorded run (its iterations, from the trace's spans) and the time
//! it took (its span's on-CPU time), with a schedule's split of the columns
//! drawn over it, so the picture says why that schedule's work is uneven and
//! whether the iterations explain the time.

use std::path::{Path, PathBuf};

use anyhow::Result;
use logprof::Trace;
use logprof_kernels::Schedule;
use logprof_viz::WorkProfile;

/// Which schedule's split the work profile draws, and why that one.
pub struct Split<'a> {
    /// The schedule whose pieces are drawn.
    pub schedule: &'a Schedule,
    /// The threads it ran on (static's pieces depend on them).
    pub threads: usize,
    /// `compare` draws static's split whatever it compared; the title says so.
    pub compared: bool,
}

/// What a piece of `schedule` is called.
fn piece_name(schedule: &Schedule) -> &'static str {
    match schedule {
        Schedule::Serial | Schedule::Static | Schedule::Dynamic => "block",
        Schedule::ForkJoin { .. } => "leaf",
        _ => "chunk",
    }
}

/// Writes `work.svg` and `work.png` into `dir` from a recorded run of an
/// `n`-column image. A trace that lacks some column's cost (lost events)
/// draws nothing: a warning says why, and the other files are written.
pub fn write(trace: &Trace, n: usize, split: &Split, dir: &Path) -> Result<Vec<PathBuf>> {
    let costs = match logprof_kernels::recorded_column_iterations(trace, n) {
        Ok(costs) => costs,
        Err(why) => {
            eprintln!("warning: work.svg not drawn: {why}");
            return Ok(Vec::new());
        }
    };
    // The iterations drawn all the same when the times cannot be read.
    let (times_ns, time_note) = match logprof_kernels::recorded_column_times(trace, n) {
        Ok(times) => (times, time_note(trace)),
        Err(why) => {
            eprintln!("warning: work.svg drawn without measured times: {why}");
            (Vec::new(), String::new())
        }
    };
    let schedule = split.schedule;
    let pieces = schedule.pieces(n, split.threads);
    let title = match (&pieces, split.compared) {
        (Some(_), true) => format!(
            "Iterations per column in static's {} blocks (block t on worker-t)",
            split.threads
        ),
        // Serial runs on one thread whatever the pool holds.
        (Some(_), false) if *schedule == Schedule::Serial => {
            "Iterations per column, serial: one piece on one thread".to_string()
        }
        (Some(_), false) => format!(
            "Iterations per column in the pieces of {schedule}, {} threads",
            split.threads
        ),
        (None, _) => {
            format!("Iterations per column ({schedule} splits adaptively: no fixed pieces to draw)")
        }
    };
    let profile = WorkProfile {
        title,
        unit: "column".into(),
        cost: "iterations".into(),
        piece: piece_name(schedule).into(),
        costs,
        pieces: pieces.unwrap_or_default(),
        times_ns,
        time_note,
        ..WorkProfile::default()
    };
    let svg = dir.join("work.svg");
    profile.write_svg(&svg)?;
    let png = dir.join("work.png");
    profile.write_png(&png)?;
    Ok(vec![svg, png])
}

/// Where the columns' times come from and what can inflate them: the trace's
/// threads that ran columns, its cores, and whether its off-CPU time was
/// taken out.
fn time_note(trace: &Trace) -> String {
    let on_cpu = trace.off_cpu.is_recorded();
    let measure = if on_cpu {
        "times: on-CPU time of each column's span"
    } else {
        "times: wall time of each column's span (off-CPU time not recorded)"
    };
    let threads = trace.name_id(logprof_kernels::COLUMN_SPAN).map_or(0, |id| {
        trace
            .lanes
            .iter()
            .filter(|l| l.spans.iter().any(|s| s.name == id))
            .count()
    });
    if threads <= 1 {
        return format!("{measure}, serial run");
    }
    match trace.cores {
        Some(cores) if threads > cores as usize && on_cpu => format!(
            "{measure}; {threads} threads on {cores} cores: time-sharing taken out, shared caches \
             can still inflate it"
        ),
        Some(cores) if threads > cores as usize => {
            format!("{measure}; {threads} threads on {cores} cores: time-sharing inflates it")
        }
        _ => format!("{measure}; {threads} threads in parallel: shared caches can inflate it"),
    }
}
