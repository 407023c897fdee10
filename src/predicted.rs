//! What each schedule would do on as many cores as it has threads, when
//! this machine has fewer: simulated from the serial run's column times, so
//! a 2-core laptop still shows the lecture's finding (static stays
//! imbalanced at 4 cores, the on-demand schedules do not) beside the
//! time-shared measurement, marked as simulated.
//!
//! The costs are the serial run's on-CPU column times (no other thread
//! competed for its core); the overheads charged are this machine's, as
//! `logprof simulate` measures them, doubtful ones left out.

use logprof_kernels::overheads;
use logprof_kernels::simulate::{simulate, Overheads, Units};
use logprof_kernels::{recorded_column_times, Schedule};
use serde::Serialize;

use crate::measure::Outcome;

/// One schedule's simulated figures at `cores` = its threads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Predicted {
    /// The virtual cores simulated: the run's threads.
    pub cores: usize,
    /// Serial time over the predicted wall time.
    pub speedup: f64,
    /// The predicted cores' mean busy time over the largest.
    pub load_balance: f64,
    /// Always true: a figure of the model, not a measurement.
    pub simulated: bool,
}

/// Each outcome's prediction at `threads` cores, in order, when the threads
/// outnumber this machine's `cores`; `None` when they do not (the
/// measurement says it all) or when no recorded run gives every column's
/// time (then the reason, for a note).
pub fn at_threads(
    outcomes: &[Outcome],
    n: usize,
    threads: usize,
    cores: usize,
) -> Result<Option<Vec<Predicted>>, String> {
    if threads <= cores {
        return Ok(None);
    }
    // The serial run first: its columns ran without competing threads.
    let source = outcomes
        .iter()
        .find(|o| o.schedule == Schedule::Serial)
        .or(outcomes.first())
        .ok_or("no run recorded")?;
    let costs = recorded_column_times(&source.trace, n)?;
    let units = Units::new(&costs);
    let charged = overheads::measure()
        .map(|m| m.overheads)
        .unwrap_or_else(|_| Overheads::default());
    outcomes
        .iter()
        .map(|o| {
            let p = simulate(&o.schedule, &units, threads, charged).map_err(|e| e.to_string())?;
            Ok(Predicted {
                cores: threads,
                speedup: p.speedup(),
                load_balance: p.load_balance(),
                simulated: true,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}

/// The line under the table that says what the predicted column is.
pub fn note(threads: usize, cores: usize) -> String {
    format!(
        "predicted speed-up: simulated on {threads} cores (this machine has {cores}) from the \
         serial run's column times, with this machine's scheduling overheads; a model, not a \
         measurement (see `logprof simulate`)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{Recordings, Timing};
    use logprof::Trace;

    fn outcome(schedule: Schedule, trace: Trace) -> Outcome {
        Outcome {
            schedule,
            timing: Timing::from_secs(vec![0.1]).unwrap(),
            recordings: Recordings {
                times_s: vec![0.1],
                drawn: 0,
                typical: true,
            },
            summary: trace.summary(),
            trace,
            same_image: true,
        }
    }

    #[test]
    fn no_prediction_when_the_machine_has_the_cores() {
        let outcomes = [outcome(Schedule::Serial, Trace::default())];
        assert_eq!(at_threads(&outcomes, 16, 4, 4), Ok(None));
        assert_eq!(at_threads(&outcomes, 16, 2, 8), Ok(None));
    }

    #[test]
    fn a_run_without_column_times_is_a_reason_not_a_prediction() {
        let outcomes = [outcome(Schedule::Serial, Trace::default())];
        let reason = at_threads(&outcomes, 16, 4, 2).unwrap_err();
        assert!(reason.contains("juliaset_column"), "{reason}");
        assert_eq!(at_threads(&[], 16, 4, 2), Err("no run recorded".to_owned()));
    }
}
