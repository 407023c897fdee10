//! The statistics of repeated timings, and the warnings hyperfine-style
//! benchmarking owes its reader: a noisy run, outliers, a serial baseline
//! that was slowed down, a speed-up no hardware can give. Pure functions of
//! given numbers, so they are tested without timing anything.

use std::fmt;

use super::{Recordings, Timing};

/// σ/mean above which a timing is called noisy.
pub const NOISY_SPREAD: f64 = 0.10;
/// Modified z-score (Iglewicz and Hoaglin) above which a run is an outlier.
pub const OUTLIER_SCORE: f64 = 3.5;
/// Fewest timed runs for spread and outliers to mean anything.
pub const MIN_RUNS_FOR_SPREAD: usize = 3;
/// Runs shorter than this (seconds) are short enough for a time slice of
/// another program, or the wake of a sleeping core, to be a large part of
/// them: their noise is cured by longer runs, not by more of them.
pub const SHORT_RUN_S: f64 = 0.020;

/// Mean, standard deviation, median and range of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single value.
    pub stddev: f64,
    /// Middle value (mean of the middle two for an even count).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Stats {
    /// The statistics of `xs`; `None` when it is empty.
    pub fn of(xs: &[f64]) -> Option<Stats> {
        let sorted = sorted(xs);
        let n = sorted.len();
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let variance = if n > 1 {
            sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        Some(Stats {
            mean,
            stddev: variance.sqrt(),
            median: median_of_sorted(&sorted),
            min,
            max,
        })
    }

    /// σ relative to the mean (0 for a zero mean).
    pub fn relative_spread(&self) -> f64 {
        if self.mean > 0.0 {
            self.stddev / self.mean
        } else {
            0.0
        }
    }
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// How many values lie far from the median, measured in median absolute
/// deviations (modified z-score above [`OUTLIER_SCORE`]). Robust: the
/// outliers themselves do not widen the yardstick as they would σ.
pub fn outliers(xs: &[f64]) -> usize {
    if xs.len() < MIN_RUNS_FOR_SPREAD {
        return 0;
    }
    let median = median_of_sorted(&sorted(xs));
    let deviations: Vec<f64> = xs.iter().map(|x| (x - median).abs()).collect();
    let mad = median_of_sorted(&sorted(&deviations));
    if mad == 0.0 {
        // Over half the values are equal: an outlier is any value that is
        // not, and not within a part in a million of them.
        return xs
            .iter()
            .filter(|x| (*x - median).abs() > 1e-6 * median.abs())
            .count();
    }
    xs.iter()
        .filter(|x| 0.6745 * (*x - median).abs() / mad > OUTLIER_SCORE)
        .count()
}

/// Something about a measurement its reader should know.
#[derive(Clone, Debug, PartialEq)]
pub enum Caution {
    /// σ is a large part of the mean.
    Noisy {
        /// σ/mean.
        spread: f64,
        /// The mean, seconds (the advice depends on it).
        mean_s: f64,
    },
    /// Some runs lie far from the others.
    Outliers {
        /// How many.
        count: usize,
        /// Of how many timed runs.
        runs: usize,
        /// The runs' mean, seconds.
        mean_s: f64,
    },
    /// No recorded run lasted as long as a timed run did: the pictures draw
    /// the nearest, which the timings do not describe.
    Atypical {
        /// The drawn run, seconds.
        drawn_s: f64,
        /// How many runs were recorded.
        recorded: usize,
        /// The timed runs' fastest and slowest, seconds.
        range_s: (f64, f64),
    },
    /// The serial baseline's timed runs were slower than a later run of the
    /// same work by more than their spread allows: every speed-up divided
    /// by it is overstated.
    SlowBaseline {
        /// The baseline's mean, seconds.
        mean_s: f64,
        /// Its σ, seconds.
        stddev_s: f64,
        /// The later run, seconds.
        later_s: f64,
    },
    /// A speed-up above what the threads and the cores can give.
    SpeedupAboveHardware {
        /// The speed-up.
        speedup: f64,
        /// Worker threads.
        threads: usize,
        /// Cores available.
        cpus: usize,
    },
    /// In the drawn run a core ran none of the run's work while a thread
    /// with work waited for one (`Summary::placement_loss_ns`).
    PlacementLoss {
        /// The lost core time, ns.
        lost_ns: u64,
        /// Its share of the usable cores' time.
        share: f64,
        /// The machine's balance it lowered.
        core_load_balance: f64,
    },
}

impl Caution {
    /// What to do about it: what cures it, not what only measures it again
    /// (more runs estimate σ better but do not make it smaller).
    pub fn advice(&self) -> &'static str {
        match self {
            Caution::Noisy { mean_s, .. } | Caution::Outliers { mean_s, .. }
                if *mean_s < SHORT_RUN_S =>
            {
                "runs under 20 ms are at the mercy of the OS scheduler: raise --size for longer runs"
            }
            Caution::Noisy { .. } | Caution::Outliers { .. } | Caution::Atypical { .. } => {
                "other programs share the cores: close them and run again"
            }
            Caution::SlowBaseline { .. } => "raise --warmup",
            Caution::SpeedupAboveHardware { .. } => {
                "a noisy serial baseline or a cache effect: raise --size for longer runs"
            }
            Caution::PlacementLoss { .. } => {
                "the machine's doing, not the schedule's: the split's load balance is unaffected"
            }
        }
    }
}

/// The cautions about one measurement as one line: the facts, then the
/// advice, each said once.
pub fn cautions_line(cautions: &[Caution]) -> Option<String> {
    if cautions.is_empty() {
        return None;
    }
    let facts: Vec<String> = cautions.iter().map(Caution::to_string).collect();
    let mut advice: Vec<&str> = Vec::new();
    for a in cautions.iter().map(Caution::advice) {
        if !advice.contains(&a) {
            advice.push(a);
        }
    }
    Some(format!("{} ({})", facts.join("; "), advice.join("; ")))
}

impl fmt::Display for Caution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Caution::Noisy { spread, .. } => {
                write!(f, "noisy timing: σ is {:.1} % of the mean", spread * 100.0)
            }
            Caution::Outliers { count, runs, .. } => {
                write!(f, "{count} of {runs} runs are outliers")
            }
            Caution::Atypical {
                drawn_s,
                recorded,
                range_s,
            } => write!(
                f,
                "none of {recorded} recorded runs took as long as a timed run ({:.3} … {:.3} ms); \
                 the pictures draw the nearest ({:.3} ms)",
                range_s.0 * 1e3,
                range_s.1 * 1e3,
                drawn_s * 1e3
            ),
            Caution::SlowBaseline {
                mean_s,
                stddev_s,
                later_s,
            } => write!(
                f,
                "the serial baseline's runs (mean {:.3} ± {:.3} ms) were slower than its later \
                 recorded run ({:.3} ms) allows, so the speed-ups are overstated",
                mean_s * 1e3,
                stddev_s * 1e3,
                later_s * 1e3
            ),
            Caution::SpeedupAboveHardware {
                speedup,
                threads,
                cpus,
            } => write!(
                f,
                "speed-up {speedup:.2} is more than {threads} threads on {cpus} core{} can give",
                if *cpus == 1 { "" } else { "s" }
            ),
            Caution::PlacementLoss {
                lost_ns,
                share,
                core_load_balance,
            } => write!(
                f,
                "a core ran none of the drawn run's work for {:.3} ms of core time ({:.0} % of \
                 the cores' time) while a thread with work waited for one (core load balance \
                 {core_load_balance:.2})",
                *lost_ns as f64 / 1e6,
                share * 100.0
            ),
        }
    }
}

/// The cautions about one timing: spread and outliers, given at least
/// [`MIN_RUNS_FOR_SPREAD`] runs.
pub fn timing_cautions(times_s: &[f64]) -> Vec<Caution> {
    let mut out = Vec::new();
    if times_s.len() < MIN_RUNS_FOR_SPREAD {
        return out;
    }
    let Some(stats) = Stats::of(times_s) else {
        return out;
    };
    if stats.relative_spread() > NOISY_SPREAD {
        out.push(Caution::Noisy {
            spread: stats.relative_spread(),
            mean_s: stats.mean,
        });
    }
    let count = outliers(times_s);
    if count > 0 {
        out.push(Caution::Outliers {
            count,
            runs: times_s.len(),
            mean_s: stats.mean,
        });
    }
    out
}

/// A caution when the drawn recorded run lies outside the timed runs'
/// range.
pub fn atypical_caution(recordings: &Recordings, timing: &Timing) -> Option<Caution> {
    (!recordings.typical).then(|| Caution::Atypical {
        drawn_s: recordings.drawn_s(),
        recorded: recordings.times_s.len(),
        range_s: (timing.min_s, timing.max_s),
    })
}

/// A caution when the serial baseline's timed runs were slower than a later
/// run of the same work (`later_s`) by more than three σ and 5 % of their
/// mean: the machine was slowed while the baseline was timed.
pub fn baseline_caution(times_s: &[f64], later_s: f64) -> Option<Caution> {
    if times_s.len() < MIN_RUNS_FOR_SPREAD || later_s <= 0.0 {
        return None;
    }
    let s = Stats::of(times_s)?;
    let allowed = (3.0 * s.stddev).max(0.05 * s.mean);
    (s.mean - later_s > allowed).then_some(Caution::SlowBaseline {
        mean_s: s.mean,
        stddev_s: s.stddev,
        later_s,
    })
}

/// The share of the usable cores' time past which a placement loss is
/// said beside a timing (below it, the OS's ordinary jitter).
const PLACEMENT_LOSS_SHARE: f64 = 0.05;

/// A caution when the drawn run's placement loss (see
/// `Summary::placement_loss_ns`) is at least [`PLACEMENT_LOSS_SHARE`] of
/// its cores' time.
pub fn placement_caution(summary: &logprof::Summary) -> Option<Caution> {
    let share = summary.placement_loss_share()?;
    (share >= PLACEMENT_LOSS_SHARE).then_some(Caution::PlacementLoss {
        lost_ns: summary.placement_loss_ns.unwrap_or(0),
        share,
        core_load_balance: summary.core_load_balance,
    })
}

/// A caution when `speedup` exceeds the smaller of the thread count and the
/// cores (by more than 5 %, rounding and a warm cache).
pub fn speedup_caution(speedup: f64, threads: usize, cpus: usize) -> Option<Caution> {
    let bound = threads.min(cpus).max(1) as f64;
    (speedup.is_finite() && speedup > 1.05 * bound).then_some(Caution::SpeedupAboveHardware {
        speedup,
        threads,
        cpus,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_sigma_median_and_range() {
        let s = Stats::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.mean, s.median, s.min, s.max), (2.0, 2.0, 1.0, 3.0));
        assert!((s.stddev - 1.0).abs() < 1e-12);
        let s = Stats::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert_eq!(Stats::of(&[5.0]).unwrap().stddev, 0.0);
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn outliers_by_median_absolute_deviation() {
        let calm = [10.0, 10.2, 9.9, 10.1, 10.0, 9.8];
        assert_eq!(outliers(&calm), 0);
        let one_slow = [10.0, 10.2, 9.9, 10.1, 10.0, 9.8, 25.0];
        assert_eq!(outliers(&one_slow), 1);
        // Too few runs to tell.
        assert_eq!(outliers(&[1.0, 9.0]), 0);
        // Most runs identical (a coarse clock): the odd one out is an outlier.
        assert_eq!(outliers(&[5.0, 5.0, 5.0, 7.0]), 1);
    }

    #[test]
    fn noisy_and_calm_timings() {
        assert!(timing_cautions(&[10.0, 10.1, 9.9, 10.0]).is_empty());
        let c = timing_cautions(&[10.0, 14.0, 7.0, 12.0]);
        assert!(
            matches!(c[0], Caution::Noisy { spread, mean_s } if spread > 0.2 && mean_s == 10.75),
            "{c:?}"
        );
        let c = timing_cautions(&[10.0, 10.1, 9.9, 10.0, 10.05, 30.0]);
        assert!(
            matches!(
                c[..],
                [
                    ..,
                    Caution::Outliers {
                        count: 1,
                        runs: 6,
                        ..
                    }
                ]
            ),
            "{c:?}"
        );
        // Two runs: no spread to speak of.
        assert!(timing_cautions(&[1.0, 2.0]).is_empty());
    }

    #[test]
    fn a_slowed_baseline() {
        // Runs of 10 ± 0.1 ms, then the same work in 8 ms: slowed.
        let runs = [0.0100, 0.0101, 0.0099, 0.0100];
        assert!(matches!(
            baseline_caution(&runs, 0.008),
            Some(Caution::SlowBaseline { .. })
        ));
        // Within the spread, or slower later (recording costs a little).
        assert_eq!(baseline_caution(&runs, 0.0098), None);
        assert_eq!(baseline_caution(&runs, 0.011), None);
        // A wide spread allows a wide gap.
        assert_eq!(baseline_caution(&[0.010, 0.014, 0.006], 0.008), None);
    }

    #[test]
    fn speedups_beyond_the_hardware() {
        assert_eq!(speedup_caution(3.9, 4, 8), None);
        assert!(speedup_caution(4.5, 4, 8).is_some());
        // More threads than CPUs: the CPUs bound it.
        assert!(speedup_caution(2.5, 8, 2).is_some());
        assert_eq!(speedup_caution(f64::NAN, 1, 1), None);
        let text = speedup_caution(2.5, 8, 2).unwrap().to_string();
        assert!(
            text.contains("2.50") && text.contains("8 threads on 2 cores"),
            "{text}"
        );
    }

    #[test]
    fn cautions_on_one_line_with_the_advice_once() {
        assert_eq!(cautions_line(&[]), None);
        let (mean_s, spread) = (0.030, 0.25);
        let line = cautions_line(&[
            Caution::Noisy { spread, mean_s },
            Caution::Outliers {
                count: 1,
                runs: 5,
                mean_s,
            },
        ])
        .unwrap();
        assert_eq!(
            line,
            "noisy timing: σ is 25.0 % of the mean; 1 of 5 runs are outliers \
             (other programs share the cores: close them and run again)"
        );
    }

    #[test]
    fn the_advice_is_what_cures_the_noise() {
        let short = Caution::Noisy {
            spread: 0.3,
            mean_s: 0.008,
        };
        let long = Caution::Noisy {
            spread: 0.3,
            mean_s: 0.040,
        };
        assert!(
            short.advice().contains("raise --size"),
            "{}",
            short.advice()
        );
        assert!(!long.advice().contains("--size"), "{}", long.advice());
        // More runs measure σ better but do not shrink it: never the advice.
        let all = [
            short,
            long,
            Caution::Outliers {
                count: 2,
                runs: 10,
                mean_s: 0.005,
            },
            speedup_caution(2.5, 8, 2).unwrap(),
        ];
        for c in &all {
            assert!(!c.advice().contains("--runs"), "{c}: {}", c.advice());
        }
    }

    #[test]
    fn a_drawn_run_outside_the_timed_range_is_said() {
        let timing = Timing::from_secs(vec![0.020, 0.022, 0.024]).unwrap();
        let typical = Recordings {
            times_s: vec![0.021],
            drawn: 0,
            typical: true,
        };
        assert_eq!(atypical_caution(&typical, &timing), None);
        let slow = Recordings {
            times_s: vec![0.050, 0.040],
            drawn: 1,
            typical: false,
        };
        let text = atypical_caution(&slow, &timing).unwrap().to_string();
        assert!(
            text.contains("none of 2 recorded runs") && text.contains("(40.000 ms)"),
            "{text}"
        );
    }

    #[test]
    fn a_core_left_without_work_while_work_waited_is_said_as_the_machines() {
        use logprof::{Lane, OffCpu, OffCpuKind, OffCpuStatus, Span, Trace};
        // Two workers on two cores over 0..100: b is preempted 20..60 with
        // its work unfinished while a only works 0..10: a core held none
        // of the work for 40 of the 200 ns of core time.
        let mut a = Lane::with_spans(1, 1, "a", [Span::new(0, 0, 10, 0)]);
        a.start_cpu = Some(0);
        let mut b = Lane::with_spans(1, 2, "b", [Span::new(0, 0, 100, 0)]);
        b.start_cpu = Some(1);
        b.off_cpu = vec![OffCpu {
            cpu: Some(1),
            ..OffCpu::new(20, 60, OffCpuKind::Preempted)
        }];
        let mut trace = Trace {
            names: vec!["work".into()],
            lanes: vec![a, b],
            cores: Some(2),
            off_cpu: OffCpuStatus::Recorded { lost_switches: 0 },
            ..Trace::default()
        };
        let caution = placement_caution(&trace.summary()).unwrap();
        assert!(matches!(
            caution,
            Caution::PlacementLoss { lost_ns: 40, .. }
        ));
        let line = cautions_line(&[caution]).unwrap();
        assert!(line.contains("(20 % of the cores' time)"), "{line}");
        assert!(line.contains("not the schedule"), "{line}");
        // Under 5 % of the cores' time it is jitter, not said.
        trace.lanes[1].off_cpu[0].end_ns = 24;
        assert_eq!(trace.summary().placement_loss_ns, Some(4));
        assert_eq!(placement_caution(&trace.summary()), None);
    }
}
