//! Timing a run several times after a warm-up, as hyperfine does, and
//! reporting the median.

use std::time::{Duration, Instant};

use serde::Serialize;

/// The wall times of repeated runs.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    /// Every timed run, in seconds, in run order.
    pub times_s: Vec<f64>,
    pub median_s: f64,
    pub mean_s: f64,
    pub stddev_s: f64,
    pub min_s: f64,
    pub max_s: f64,
}

impl Timing {
    /// Statistics of `times`; `times` must not be empty.
    pub fn from_times(times: Vec<Duration>) -> Timing {
        assert!(!times.is_empty(), "at least one timed run");
        let times_s: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
        let mut sorted = times_s.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median_s = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let mean_s = sorted.iter().sum::<f64>() / n as f64;
        let variance =
            sorted.iter().map(|t| (t - mean_s).powi(2)).sum::<f64>() / (n.max(2) - 1) as f64;
        Timing {
            median_s,
            mean_s,
            stddev_s: variance.sqrt(),
            min_s: sorted[0],
            max_s: sorted[n - 1],
            times_s,
        }
    }
}

/// Runs `f` `warmup` times untimed, then `runs` times timed (at least
/// once); `after_each` (a progress bar's tick) runs after every run, outside
/// the timed part.
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
        times.push(start.elapsed());
        after_each();
    }
    Ok(Timing::from_times(times))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        let t = Timing::from_times(ms(&[30, 10, 20]));
        assert_eq!(t.median_s, 0.020);
        assert_eq!((t.min_s, t.max_s), (0.010, 0.030));
        let t = Timing::from_times(ms(&[40, 10, 20, 30]));
        assert!((t.median_s - 0.025).abs() < 1e-12);
    }
}
