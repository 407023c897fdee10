//! The runs `logprof simulate` makes on this machine: serial runs of the
//! fractal recorded for the units' costs, and the real schedules timed at
//! every P it can run without oversubscription, to check the predictions.
//!
//! They are interleaved, round by round (a recorded serial run, then one
//! timed run of every schedule at every P, a pool at a time, each pool's
//! schedules starting one further along each round), not run one batch
//! after another: on a shared machine one thread's speed
//! drifts in phases (here, the same serial run takes 7 ms for a while and
//! 11 ms for a while, on either vCPU, with no steal time the guest could
//! see). In batches, the costs could be recorded in a slow phase and a
//! schedule timed in a fast one, and the ratio of predicted to measured
//! would measure the machine's drift, not the model.
//!
//! Each round also times a co-run at every P: each of P workers computing
//! every column on its own, against one worker alone (about one more
//! serial run's time a round per P). Its slowdown is
//! what the cores cost each other when all are busy (shared caches, memory
//! bandwidth, SMT siblings), which the model leaves out: reported beside
//! the check, so a gap it explains is seen as the machine's, not the
//! schedule's.

use anyhow::{bail, Context, Result};
use logprof_kernels::{run_into, Image, JuliaSet, Kernel, Pool, RunOptions, Schedule};

use crate::measure::timing::Timing;

/// Warm-up rounds (every run once, not timed) before the measured ones.
const WARMUP_ROUNDS: usize = 3;
/// Timed runs of each schedule by default; the median is compared.
pub const MEASURED_RUNS: usize = 20;
/// How long each round rests before it moves to another pool: a rayon
/// worker spins for work for a moment after its last job before it sleeps.
const POOL_SWITCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(1);
/// Serial runs recorded at least; each column costs its median time over
/// them, so that one column preempted in one run does not pass for heavy
/// work.
const RECORDED_RUNS: usize = 5;

/// What the rounds gave.
pub struct Rounds {
    /// Every column's median time in the recorded serial runs, in ns.
    pub costs: Vec<u64>,
    /// How many serial runs were recorded.
    pub recorded_runs: usize,
    /// Each check's timed runs, in the order given; `None` for one beyond
    /// this machine's `machine` cores (extrapolated).
    pub measured: Vec<Option<Timing>>,
    /// `(P, slowdown)` for every P run: the median co-run of P workers over
    /// the median run of one alone (1.0 at P = 1).
    pub co_run_slowdown: Vec<(usize, f64)>,
}

/// Records serial runs of the fractal and times `checks` (a schedule on P
/// threads each), interleaved: `runs` rounds (at least one, and at least
/// [`RECORDED_RUNS`] recorded) after [`WARMUP_ROUNDS`]. Checks with more
/// threads than `machine` are not run.
pub fn record_and_time(
    size: usize,
    kernel: Kernel,
    checks: &[(Schedule, usize)],
    machine: usize,
    runs: usize,
) -> Result<Rounds> {
    let fractal = JuliaSet::with_size(size)?;
    let mut image = Image::new(size)?;
    let mut pools: Vec<(usize, Pool)> = Vec::new();
    for threads in std::iter::once(1).chain(checks.iter().map(|c| c.1)) {
        if threads <= machine && pools.iter().all(|(t, _)| *t != threads) {
            let pool = Pool::new(threads)
                .with_context(|| format!("cannot start {threads} worker threads"))?;
            pools.push((threads, pool));
        }
    }
    // 4 events a column: enter, index, exit, iterations.
    logprof::init_buffer(4 * size + 64);
    let runnable: Vec<usize> = (0..checks.len())
        .filter(|&i| checks[i].1 <= machine)
        .collect();
    let mut column_times: Vec<Vec<u64>> = vec![Vec::new(); size];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); checks.len()];
    let mut co_runs: Vec<Vec<f64>> = vec![Vec::new(); pools.len()];
    // The checks run on each pool, in the table's order.
    let on_pool: Vec<Vec<usize>> = pools
        .iter()
        .map(|(threads, _)| {
            runnable
                .iter()
                .copied()
                .filter(|&i| checks[i].1 == *threads)
                .collect()
        })
        .collect();
    let rounds = runs.max(RECORDED_RUNS);
    for round in 0..WARMUP_ROUNDS + rounds {
        let warm_up = round < WARMUP_ROUNDS;
        let timed = !warm_up && round - WARMUP_ROUNDS < runs;
        // One pool at a time, so its runs do not share the cores with
        // another pool's workers still looking for work after their last.
        for (k, (threads, pool)) in pools.iter().enumerate() {
            std::thread::sleep(POOL_SWITCH_PAUSE);
            if *threads == 1 {
                logprof::clear();
                let recorded = RunOptions::recorded(kernel);
                run_into(pool, &Schedule::Serial, &fractal, recorded, &mut image)?;
                if !warm_up {
                    add_column_times(&logprof::collect(), &mut column_times);
                }
            }
            if !warm_up && !timed {
                continue; // only recording, to reach RECORDED_RUNS
            }
            let group = &on_pool[k];
            for j in 0..group.len() {
                let i = group[(round + j) % group.len()];
                let plain = RunOptions::plain(kernel);
                let start = std::time::Instant::now();
                run_into(pool, &checks[i].0, &fractal, plain, &mut image)?;
                if timed {
                    times[i].push(start.elapsed().as_secs_f64());
                }
            }
            let seconds = co_run(pool, &fractal, kernel)?;
            if timed {
                co_runs[k].push(seconds);
            }
        }
    }
    let costs = column_costs(column_times, rounds)?;
    let measured = times.into_iter().map(Timing::from_secs).collect();
    let medians: Vec<f64> = co_runs
        .into_iter()
        .map(|t| Timing::from_secs(t).map_or(f64::NAN, |t| t.median_s))
        .collect();
    let alone = medians[0]; // pools[0] has one worker
    let co_run_slowdown = pools
        .iter()
        .zip(&medians)
        .filter(|(_, m)| m.is_finite() && alone > 0.0)
        .map(|((threads, _), m)| (*threads, m / alone))
        .collect();
    Ok(Rounds {
        costs,
        recorded_runs: rounds,
        measured,
        co_run_slowdown,
    })
}

/// Each column's median over `runs` recorded runs; an error naming the
/// first column some run lost (a ring that overflowed).
fn column_costs(column_times: Vec<Vec<u64>>, runs: usize) -> Result<Vec<u64>> {
    let mut costs = Vec::with_capacity(column_times.len());
    for (column, mut t) in column_times.into_iter().enumerate() {
        if t.len() != runs {
            bail!(
                "the recorded serial runs lost column {column} ({} of {runs} runs)",
                t.len()
            );
        }
        t.sort_unstable();
        costs.push(t[runs / 2]);
    }
    Ok(costs)
}

/// Seconds until every worker of `pool` has computed every column of the
/// image on its own, into a column of its own: the work of a serial run,
/// without allocating an image per worker (P of them would not fit in
/// memory at the largest sizes and core counts).
fn co_run(pool: &Pool, fractal: &JuliaSet, kernel: Kernel) -> Result<f64> {
    let n = fractal.n;
    let start = std::time::Instant::now();
    let results = pool.as_rayon().broadcast(|_| {
        let mut column = vec![0u8; n];
        (0..n).try_for_each(|j| fractal.compute_column(&mut column, j, kernel))
    });
    let seconds = start.elapsed().as_secs_f64();
    results.into_iter().collect::<Result<(), _>>()?;
    Ok(seconds)
}

/// Each column's time in one recorded serial run (its index is the span's
/// value), added to its list.
fn add_column_times(trace: &logprof::Trace, column_times: &mut [Vec<u64>]) {
    for span in trace.lanes.iter().flat_map(|l| &l.spans) {
        let column = span.value.and_then(|v| usize::try_from(v).ok());
        if let Some(times) = column.and_then(|c| column_times.get_mut(c)) {
            times.push(span.duration_ns());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_costed_and_every_check_within_the_machine_timed() {
        let checks = [
            (Schedule::Static, 1),
            (Schedule::Dynamic, 2),
            (Schedule::Static, 64),
        ];
        // One timed run still records five serial runs for the costs.
        let rounds = record_and_time(24, Kernel::Scalar, &checks, 2, 1).unwrap();
        assert_eq!(rounds.costs.len(), 24);
        assert!(rounds.costs.iter().all(|&c| c > 0));
        assert_eq!(rounds.recorded_runs, RECORDED_RUNS);
        let timed: Vec<Option<usize>> = rounds
            .measured
            .iter()
            .map(|m| m.as_ref().map(|t| t.times_s.len()))
            .collect();
        assert_eq!(
            timed,
            [Some(1), Some(1), None],
            "64 threads is beyond 2 cores"
        );
        let ps: Vec<usize> = rounds.co_run_slowdown.iter().map(|c| c.0).collect();
        assert_eq!(ps, [1, 2]);
        assert_eq!(rounds.co_run_slowdown[0].1, 1.0);
        // Two medians of timed runs are never exactly equal: a P = 2
        // co-run was timed, not assumed.
        assert_ne!(rounds.co_run_slowdown[1].1, 1.0);
        let more = record_and_time(24, Kernel::Scalar, &checks[..1], 1, 7).unwrap();
        assert_eq!(more.recorded_runs, 7, "a recorded run every timed round");
        let times = more.measured[0].as_ref().map(|t| t.times_s.len());
        assert_eq!(
            times,
            Some(7),
            "the one check, on the one pool, every round"
        );
    }

    #[test]
    fn a_column_costs_its_median_and_a_lost_column_is_named() {
        let times = vec![vec![5, 1, 3, 9, 7], vec![10, 50, 30, 20, 40]];
        assert_eq!(column_costs(times, 5).unwrap(), [5, 30]);
        let lost = column_costs(vec![vec![1, 2, 3], vec![1, 2]], 3).unwrap_err();
        assert!(
            lost.to_string().contains("lost column 1 (2 of 3 runs)"),
            "{lost}"
        );
    }
}
