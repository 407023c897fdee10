//! Which recorded run a schedule's pictures draw: a typical one. A run
//! recorded once, after the timed runs, can be the one the machine slowed
//! (another program took the cores); drawn, it would show a lesson the
//! timings do not, and stretch every panel of a shared time axis. So the run
//! is recorded again, up to [`MAX_RECORDINGS`] times, until one lasts as long
//! as a timed run did (within their min … max); else the one nearest the
//! timed median is drawn, and said to be atypical.

use serde::Serialize;

use super::Timing;

/// Most recordings of one schedule before settling for the nearest.
pub const MAX_RECORDINGS: usize = 5;

/// The recorded runs of one schedule and the one drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recordings {
    /// The wall time of each recorded run's trace (the first column's start
    /// to the last one's end, what its pictures draw), seconds, in order.
    pub times_s: Vec<f64>,
    /// The index in `times_s` of the run whose trace is kept and drawn.
    pub drawn: usize,
    /// Whether the drawn run lies within the timed runs' min … max.
    pub typical: bool,
}

impl Recordings {
    /// The first recorded run's time: made before any choice, so it is as
    /// likely as any run to be slow or fast (the serial baseline's check
    /// compares against it).
    pub fn first_s(&self) -> f64 {
        self.times_s[0]
    }

    /// The drawn run's time, seconds.
    pub fn drawn_s(&self) -> f64 {
        self.times_s[self.drawn]
    }
}

/// Chooses among recorded runs as they come: [`Chooser::offer`] each one's
/// time, keep its trace when told to, stop when told to.
#[derive(Debug)]
pub struct Chooser<'a> {
    timing: &'a Timing,
    times_s: Vec<f64>,
    drawn: usize,
}

/// What to do with a recorded run just offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// It is the best so far: keep its trace.
    pub keep: bool,
    /// Record no more: it is typical, or the recordings are used up.
    pub done: bool,
}

impl<'a> Chooser<'a> {
    /// A chooser against the timed runs of `timing`.
    pub fn new(timing: &'a Timing) -> Chooser<'a> {
        Chooser {
            timing,
            times_s: Vec::new(),
            drawn: 0,
        }
    }

    fn typical(&self, t: f64) -> bool {
        (self.timing.min_s..=self.timing.max_s).contains(&t)
    }

    /// Takes the next recorded run's time.
    pub fn offer(&mut self, t: f64) -> Verdict {
        let off = |x: f64| (x - self.timing.median_s).abs();
        let keep = self.times_s.is_empty() || off(t) < off(self.times_s[self.drawn]);
        self.times_s.push(t);
        if keep {
            self.drawn = self.times_s.len() - 1;
        }
        Verdict {
            keep,
            done: self.typical(t) || self.times_s.len() >= MAX_RECORDINGS,
        }
    }

    /// The runs offered and the one kept.
    pub fn finish(self) -> Recordings {
        let typical = self
            .times_s
            .get(self.drawn)
            .is_some_and(|&t| self.typical(t));
        Recordings {
            times_s: self.times_s,
            drawn: self.drawn,
            typical,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing() -> Timing {
        Timing::from_secs(vec![0.020, 0.021, 0.022, 0.024]).unwrap()
    }

    #[test]
    fn a_typical_first_recording_is_drawn_at_once() {
        let t = timing();
        let mut c = Chooser::new(&t);
        assert_eq!(
            c.offer(0.023),
            Verdict {
                keep: true,
                done: true
            }
        );
        let r = c.finish();
        assert_eq!((r.drawn, r.typical, r.times_s.len()), (0, true, 1));
    }

    #[test]
    fn a_slow_recording_is_recorded_again() {
        let t = timing();
        let mut c = Chooser::new(&t);
        assert_eq!(
            c.offer(0.050),
            Verdict {
                keep: true,
                done: false
            }
        );
        // Slower still: not kept.
        assert!(!c.offer(0.060).keep);
        let v = c.offer(0.021);
        assert!(v.keep && v.done);
        let r = c.finish();
        assert_eq!((r.drawn, r.typical), (2, true));
        assert_eq!(r.first_s(), 0.050);
        assert_eq!(r.drawn_s(), 0.021);
    }

    #[test]
    fn after_the_last_recording_the_nearest_to_the_median_is_drawn() {
        let t = timing();
        let mut c = Chooser::new(&t);
        let offers = [0.050, 0.030, 0.040, 0.019, 0.060];
        let verdicts: Vec<Verdict> = offers.iter().map(|&x| c.offer(x)).collect();
        assert_eq!(offers.len(), MAX_RECORDINGS);
        assert!(verdicts[..MAX_RECORDINGS - 1].iter().all(|v| !v.done));
        assert!(verdicts[MAX_RECORDINGS - 1].done);
        let r = c.finish();
        // 19 ms is 2.5 ms from the 21.5 ms median, 30 ms 8.5 ms.
        assert_eq!((r.drawn, r.typical), (3, false));
    }
}
