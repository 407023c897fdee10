//! What the repeats of one probe say: the value charged and how far to
//! trust it. A probe timed on a busy machine is slowed by whatever else has
//! the cores (a steal whose thief waits a whole time slice for a core took
//! 3.9 ms on a shared 2-core VM, against a few µs when quiet), never sped
//! up; so the charged value is the fastest repeat, and the others say
//! whether the machine let the probe run:
//!
//! - the fastest repeat that another repeat confirms (within [`CONFIRM`]×)
//!   is charged; a faster one that no other comes near is a glitch,
//!   flagged and not charged;
//! - when most repeats took far longer (median over [`BUSY`]× the charged
//!   value), the machine was busy: the value is flagged as doubtful;
//! - a value over [`SLICE_NS`] (an OS time slice: the probe waited for a
//!   core, no scheduler costs that much) is flagged and not charged;
//! - a value far above a sibling it cannot exceed (a steal, whose thief is
//!   awake, over [`CONFIRM`]× a wake of a parked worker: every steal
//!   waited for a core, as on a machine whose cores other work holds) is
//!   flagged and not charged.

use std::fmt;

/// Two repeats within this ratio confirm each other.
pub const CONFIRM: f64 = 2.0;
/// A median this many times the charged value means most repeats were
/// slowed by other work.
pub const BUSY: f64 = 4.0;
/// No scheduling overhead takes longer: an OS time slice, in ns.
pub const SLICE_NS: u64 = 1_000_000;
/// Differences under this many ns are timer noise, never a doubt.
const NOISE_NS: u64 = 1_000;

/// The times of a probe's repeats, in ns, sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repeats {
    sorted: Vec<u64>,
}

impl Repeats {
    /// The repeats `ns`, in any order.
    pub fn new(mut ns: Vec<u64>) -> Repeats {
        ns.sort_unstable();
        Repeats { sorted: ns }
    }

    fn near(a: u64, b: u64) -> bool {
        let (lo, hi) = (a.min(b), a.max(b));
        hi - lo <= NOISE_NS || hi as f64 <= CONFIRM * lo as f64
    }

    /// How many of the fastest repeats no other repeat confirms (glitches,
    /// not charged).
    pub fn lone_fast(&self) -> usize {
        (0..self.sorted.len())
            .find(|&i| {
                self.sorted
                    .get(i + 1)
                    .is_none_or(|&next| Self::near(self.sorted[i], next))
            })
            .unwrap_or(0)
    }

    /// The fastest confirmed repeat, ns (0 without repeats).
    pub fn fastest(&self) -> u64 {
        self.sorted.get(self.lone_fast()).copied().unwrap_or(0)
    }

    /// The middle repeat, ns.
    pub fn median(&self) -> u64 {
        self.sorted.get(self.sorted.len() / 2).copied().unwrap_or(0)
    }

    /// The slowest repeat, ns.
    pub fn slowest(&self) -> u64 {
        self.sorted.last().copied().unwrap_or(0)
    }

    /// How many repeats there are.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// True without repeats.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Whether most repeats were slowed: the median far above the fastest.
    pub fn busy(&self) -> bool {
        let (fastest, median) = (self.fastest(), self.median());
        median - fastest > NOISE_NS && median as f64 > BUSY * fastest as f64
    }
}

/// An overhead whose measurement is in doubt, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Doubt {
    /// The overhead (`steal`, `wake`, `dispatch`, …).
    pub overhead: &'static str,
    /// What one repeat timed (`a steal`, `a run of 4000 pieces`).
    pub repeat: String,
    /// The repeats.
    pub repeats: Repeats,
    /// The value measured, ns.
    pub value_ns: u64,
    /// The sibling overhead it should not exceed, and its value in ns.
    pub ceiling: Option<(&'static str, u64)>,
    /// What is charged, ns (0 when not charged).
    pub charged_ns: u64,
}

impl Doubt {
    /// The doubt about an overhead measured as `value_ns` from `repeats`,
    /// if any, and what to charge: `value_ns`, or 0 when it is over a time
    /// slice or over [`CONFIRM`]× the sibling `ceiling` it cannot exceed.
    pub fn check(
        overhead: &'static str,
        repeat: impl Into<String>,
        repeats: &Repeats,
        value_ns: u64,
        ceiling: Option<(&'static str, u64)>,
    ) -> (u64, Option<Doubt>) {
        let above_sibling =
            ceiling.is_some_and(|(_, c)| !Repeats::near(c, value_ns) && value_ns > c);
        let not_charged = value_ns > SLICE_NS || above_sibling;
        let charged_ns = if not_charged { 0 } else { value_ns };
        let doubtful = not_charged || repeats.busy() || repeats.lone_fast() > 0;
        let doubt = doubtful.then(|| Doubt {
            overhead,
            repeat: repeat.into(),
            repeats: repeats.clone(),
            value_ns,
            ceiling: ceiling.filter(|_| above_sibling),
            charged_ns,
        });
        (charged_ns, doubt)
    }
}

/// Nanoseconds in a short readable unit.
fn time(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{:.1} µs", ns as f64 / 1e3),
        _ => format!("{:.1} ms", ns as f64 / 1e6),
    }
}

impl fmt::Display for Doubt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.repeats;
        write!(
            f,
            "{}: {} repeats of {} took {} … {} (median {})",
            self.overhead,
            r.len(),
            self.repeat,
            time(r.fastest()),
            time(r.slowest()),
            time(r.median())
        )?;
        if r.lone_fast() > 0 {
            write!(
                f,
                "; {} faster repeat{} that no other came near, not charged",
                r.lone_fast(),
                if r.lone_fast() == 1 { "" } else { "s" }
            )?;
        }
        if let Some((sibling, ns)) = self.ceiling {
            write!(
                f,
                "; {} is over {CONFIRM}× the {sibling} ({}), which it cannot exceed: it waited \
                 for a core, not charged",
                time(self.value_ns),
                time(ns)
            )
        } else if self.value_ns > SLICE_NS {
            write!(
                f,
                "; longer than a time slice: the probe waited for a core, not charged"
            )
        } else if r.busy() {
            write!(
                f,
                "; most were slowed by other work: {} charged, from the fastest",
                time(self.charged_ns)
            )
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_probe_charges_its_fastest_without_doubt() {
        let r = Repeats::new(vec![5_200, 4_900, 5_100, 6_000, 5_000]);
        assert_eq!((r.fastest(), r.lone_fast(), r.busy()), (4_900, 0, false));
        assert_eq!(
            Doubt::check("steal", "a steal", &r, r.fastest(), None),
            (4_900, None)
        );
    }

    #[test]
    fn a_busy_machine_is_flagged_and_the_fastest_charged() {
        // Most steals waited for a core.
        let r = Repeats::new(vec![
            4_000, 3_937_089, 3_900_000, 4_200, 4_100_000, 3_800_000,
        ]);
        assert!(r.busy());
        let (charged, doubt) = Doubt::check("steal", "a steal", &r, r.fastest(), None);
        assert_eq!(charged, 4_000);
        let text = doubt.unwrap().to_string();
        assert!(
            text.contains("4.0 µs") && text.contains("slowed by other work"),
            "{text}"
        );
    }

    #[test]
    fn a_lone_fast_glitch_is_flagged_not_charged() {
        let r = Repeats::new(vec![40, 9_000, 9_500, 9_200]);
        assert_eq!((r.lone_fast(), r.fastest()), (1, 9_000));
        let (charged, doubt) = Doubt::check("wake", "a wake", &r, r.fastest(), None);
        assert_eq!(charged, 9_000);
        assert!(doubt.unwrap().to_string().contains("1 faster repeat"));
    }

    #[test]
    fn a_value_over_a_time_slice_is_not_charged() {
        let r = Repeats::new(vec![3_937_089, 3_950_000, 4_000_000]);
        // Every repeat agrees: not busy by their spread, but no scheduler
        // takes 4 ms.
        assert!(!r.busy());
        let (charged, doubt) = Doubt::check("steal", "a steal", &r, r.fastest(), None);
        assert_eq!(charged, 0);
        assert!(doubt.unwrap().to_string().contains("not charged"));
    }

    #[test]
    fn a_steal_slower_than_a_wake_is_not_charged() {
        // Every steal waited for a core alike: no spread to tell, but a
        // steal (its thief awake) costs less than waking a parked worker.
        let r = Repeats::new(vec![33_000, 34_000, 35_000]);
        let wake = Some(("wake", 12_000));
        let (charged, doubt) = Doubt::check("steal", "a steal", &r, r.fastest(), wake);
        assert_eq!(charged, 0);
        let text = doubt.unwrap().to_string();
        assert!(text.contains("over 2× the wake (12.0 µs)"), "{text}");
        // Within 2× of it: charged, no doubt.
        let r = Repeats::new(vec![5_000, 5_200, 5_100]);
        assert_eq!(
            Doubt::check("steal", "a steal", &r, 5_000, wake),
            (5_000, None)
        );
    }

    #[test]
    fn nanosecond_jitter_is_no_doubt() {
        // 3 ns against 40 ns: far apart as a ratio, nothing in time.
        let r = Repeats::new(vec![3, 40, 35, 38]);
        assert_eq!((r.lone_fast(), r.busy()), (0, false));
    }
}
