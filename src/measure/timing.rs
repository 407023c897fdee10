//! Timing a run several times after a warm-up, as hyperfine does.

use std::time::Instant;

use serde::Serialize;

use super::stats::Stats;

/// The wall times of repeated runs and their statistics.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    /// Every timed run, in seconds, in run order.
    pub times_s: Vec<f64>,
    /// Median, seconds.
    pub median_s: f64,
    /// Mean, seconds.
    pub mean_s: f64,
    /// Sample standard deviation, seconds.
    pub stddev_s: f64,
    /// Fastest run, seconds.
    pub min_s: f64,
    /// Slowest run, seconds.
    pub max_s: f64,
}

impl Timing {
    /// Statistics of `times_s` (seconds); `None` when there are none.
    pub fn from_secs(times_s: Vec<f64>) -> Option<Timing> {
        let s = Stats::of(&times_s)?;
        Some(Timing {
            median_s: s.median,
            mean_s: s.mean,
            stddev_s: s.stddev,
            min_s: s.min,
            max_s: s.max,
            times_s,
        })
    }
}

/// Runs `f` `warmup` times untimed, then `runs` times timed (`runs` ≥ 1,
/// checked with the options); `after_each` (a progress bar's tick) runs
/// after every run, outside the timed part.
pub fn time_runs<E>(
    warmup: usize,
    runs: usize,
    mut f: impl FnMut() -> Result<(), E>,
    mut after_each: impl FnMut(),
) -> Result<Timing, E> {
    for _ in 0..warmup {
        f()?;
        after_each();
    }
    let mut times = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64());
        after_each();
    }
    Ok(Timing::from_secs(times).expect("at least one timed run"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_given_times() {
        let t = Timing::from_secs(vec![0.030, 0.010, 0.020]).unwrap();
        assert_eq!(t.median_s, 0.020);
        assert_eq!((t.min_s, t.max_s), (0.010, 0.030));
        assert_eq!(t.times_s, vec![0.030, 0.010, 0.020]);
        let t = Timing::from_secs(vec![0.040, 0.010, 0.020, 0.030]).unwrap();
        assert!((t.median_s - 0.025).abs() < 1e-12);
        assert!(Timing::from_secs(Vec::new()).is_none());
    }
}
