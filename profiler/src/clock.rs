//! The recording clock: the CPU's invariant time-stamp counter where there is
//! one, else `std::time::Instant`.
//!
//! The hot path stores raw ticks ([`now`]); turning them into nanoseconds is
//! left to `collect()` ([`Calibration`]), which measures the tick rate over
//! the whole time since the clock was started, so the longer the recording,
//! the better the calibration.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// Set once, before any thread records (see [`start`]); read on every event.
static USE_TSC: AtomicBool = AtomicBool::new(false);

/// The instant and tick count the clock was started at.
struct Anchor {
    instant: Instant,
    ticks: u64,
    /// CLOCK_MONOTONIC in ns at `instant` (the clock `Instant` reads on
    /// Linux): where the kernel's times meet ours.
    monotonic_ns: u64,
}

static ANCHOR: OnceLock<Anchor> = OnceLock::new();

/// Chooses the clock and records the anchor. Idempotent and cheap after the
/// first call; called from every cold path that precedes recording.
pub(crate) fn start() {
    ANCHOR.get_or_init(|| {
        let tsc = invariant_tsc_available()
            && std::env::var_os("LOGPROF_CLOCK").is_none_or(|v| v != "instant");
        USE_TSC.store(tsc, Ordering::Relaxed);
        let (instant, ticks) = if tsc {
            instant_and_tsc()
        } else {
            (Instant::now(), 0)
        };
        // CLOCK_MONOTONIC at the anchor's instant: now, less the time since.
        let since = instant.elapsed().as_nanos() as u64;
        Anchor {
            instant,
            ticks,
            monotonic_ns: monotonic_now_ns().saturating_sub(since),
        }
    });
}

/// An `Instant` and a TSC reading taken together: of a few tries, the one
/// whose two `Instant` reads around the TSC read were closest, with the
/// midpoint as the instant. A thread preempted between the two reads would
/// otherwise pair them tens of microseconds apart, and every time converted
/// with the pair would be off by as much (two processes' clocks then
/// disagree by it: the ranks' clock sync relies on them agreeing).
fn instant_and_tsc() -> (Instant, u64) {
    const TRIES: usize = 16;
    tightest((0..TRIES).map(|_| {
        let before = Instant::now();
        let ticks = read_tsc();
        (before, ticks, Instant::now())
    }))
}

/// Of `(before, ticks, after)` reads, the ticks of the one with the
/// shortest `after − before` (the first of equals), paired with the
/// midpoint of its two instants.
fn tightest(reads: impl Iterator<Item = (Instant, u64, Instant)>) -> (Instant, u64) {
    let mut best: Option<(std::time::Duration, Instant, u64)> = None;
    for (before, ticks, after) in reads {
        let gap = after - before;
        if best.is_none_or(|(g, _, _)| gap < g) {
            best = Some((gap, before + gap / 2, ticks));
        }
    }
    let (_, instant, ticks) = best.expect("at least one read");
    (instant, ticks)
}

/// CLOCK_MONOTONIC now, in nanoseconds (0 where there is none to read).
pub(crate) fn monotonic_now_ns() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the call.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// A CLOCK_MONOTONIC time in nanoseconds (the kernel's context-switch
/// records) as nanoseconds on the trace's clock: since the anchor, as
/// [`Calibration::ns`] gives them. Times before the anchor map to 0.
pub(crate) fn monotonic_to_trace_ns(monotonic_ns: u64) -> u64 {
    start();
    let anchor = ANCHOR.get().expect("clock started above");
    monotonic_ns.saturating_sub(anchor.monotonic_ns)
}

/// The name of the clock in use, for reports.
pub fn clock_name() -> &'static str {
    start();
    if USE_TSC.load(Ordering::Relaxed) {
        "tsc"
    } else {
        "instant"
    }
}

/// Raw ticks: TSC ticks, or nanoseconds since the anchor. Only meaningful
/// after [`start`].
#[inline(always)]
pub(crate) fn now() -> u64 {
    if USE_TSC.load(Ordering::Relaxed) {
        read_tsc()
    } else {
        instant_ticks()
    }
}

#[cold]
fn instant_ticks() -> u64 {
    match ANCHOR.get() {
        Some(anchor) => anchor.instant.elapsed().as_nanos() as u64,
        None => 0,
    }
}

#[inline(always)]
fn read_tsc() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: RDTSC has no preconditions; it is only called when CPUID
        // said the counter exists (see `invariant_tsc_available`).
        #[allow(unused_unsafe)]
        unsafe {
            core::arch::x86_64::_rdtsc()
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        0
    }
}

/// True when CPUID reports an invariant TSC (constant rate across power
/// states, so it is a clock). Hypervisors that hide the bit get `Instant`.
fn invariant_tsc_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::__cpuid;
        // SAFETY: CPUID is available on every x86_64 CPU; leaf 0x8000_0000
        // reports the highest extended leaf, checked before reading 0x8000_0007.
        #[allow(unused_unsafe)]
        let (max_leaf, power) = unsafe {
            let max_leaf = __cpuid(0x8000_0000).eax;
            let power = if max_leaf >= 0x8000_0007 {
                __cpuid(0x8000_0007).edx
            } else {
                0
            };
            (max_leaf, power)
        };
        max_leaf >= 0x8000_0007 && power & (1 << 8) != 0
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Converts raw ticks to nanoseconds since the clock's anchor.
///
/// The rate is kept as a float (what is measured and sent to other
/// processes) and as a fixed-point multiplier, which is what converts: one
/// integer multiply an event instead of two float conversions (the
/// streaming writer converts tens of millions a second). The two agree to
/// under a nanosecond over hours of ticks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Calibration {
    anchor_ticks: u64,
    ns_per_tick: f64,
    /// `ns_per_tick` × 2^48, rounded.
    fixed: u64,
}

/// `ns_per_tick` × 2^[`FIXED_BITS`], rounded (saturating: a rate of 2^16
/// ns a tick is no clock).
fn fixed_rate(ns_per_tick: f64) -> u64 {
    (ns_per_tick * FIXED_ONE).round() as u64
}

/// Fraction bits of the fixed-point rate: a tick of 64 bits times a rate
/// below 2^16 fits 128 bits, and the rounding costs under a nanosecond
/// over 2^47 ticks (16 hours at 2.4 GHz).
const FIXED_BITS: u32 = 48;
const FIXED_ONE: f64 = (1u64 << FIXED_BITS) as f64;

impl Calibration {
    /// Measures the tick rate against `Instant` over the time since the
    /// anchor, waiting until at least 2 ms have passed so the ratio is
    /// meaningful.
    pub(crate) fn measure() -> Calibration {
        start();
        let anchor = ANCHOR.get().expect("clock started above");
        if !USE_TSC.load(Ordering::Relaxed) {
            return Calibration::with_rate(0, 1.0);
        }
        loop {
            let (instant, ticks) = instant_and_tsc();
            let elapsed = (instant - anchor.instant).as_nanos() as f64;
            let ticks = ticks.wrapping_sub(anchor.ticks) as f64;
            if elapsed >= 2_000_000.0 && ticks > 0.0 {
                return Calibration::with_rate(anchor.ticks, elapsed / ticks);
            }
            std::hint::spin_loop();
        }
    }

    /// A calibration with a given anchor and rate: another process's (see
    /// [`Calibration::parts`]), or made up by tests that feed made-up ticks
    /// through the real conversion (the clock itself cannot be made to run
    /// backwards or start late).
    pub(crate) fn with_rate(anchor_ticks: u64, ns_per_tick: f64) -> Calibration {
        Calibration {
            anchor_ticks,
            ns_per_tick,
            fixed: fixed_rate(ns_per_tick),
        }
    }

    /// The anchor's ticks and the rate, to send to a process that converts
    /// this one's ticks ([`Calibration::with_rate`] there).
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    pub(crate) fn parts(&self) -> (u64, f64) {
        (self.anchor_ticks, self.ns_per_tick)
    }

    /// Nanoseconds since the anchor for a raw tick count; ticks from before
    /// the anchor map to 0.
    #[inline]
    pub(crate) fn ns(&self, ticks: u64) -> u64 {
        let delta = ticks.saturating_sub(self.anchor_ticks);
        let ns = (u128::from(delta) * u128::from(self.fixed)) >> FIXED_BITS;
        u64::try_from(ns).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_convert_to_increasing_nanoseconds_close_to_instant() {
        start();
        let cal0 = Calibration::measure();
        // Each tick read bracketed by two Instant reads: a preemption
        // between them widens the bracket instead of failing the test.
        let bracket = || {
            let before = Instant::now();
            let ticks = now();
            (before, ticks, Instant::now())
        };
        let (b0, t0, a0) = bracket();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let (b1, t1, a1) = bracket();
        let cal = Calibration::measure();
        let measured = (cal.ns(t1) - cal.ns(t0)) as f64;
        assert!(cal0.ns(t1) > cal0.ns(t0));
        // Within 20 % of Instant's bracket: a wrong tick rate would be off
        // by far more.
        let (shortest, longest) = ((b1 - a0).as_nanos() as f64, (a1 - b0).as_nanos() as f64);
        assert!(
            measured >= shortest * 0.8 && measured <= longest * 1.2,
            "{measured} ns, Instant says {shortest}..{longest} ns"
        );
    }

    #[test]
    fn fixed_point_conversion_agrees_with_the_float_rate() {
        for rate in [1.0, 0.5, 0.37, 0.4166666, 1.0 / 2.45, 3.3] {
            let cal = Calibration::with_rate(1000, rate);
            assert_eq!(cal.ns(999), 0, "before the anchor");
            // Up to about 10 hours of ticks.
            for delta in [0u64, 1, 7, 1 << 20, 123_456_789_012, 1 << 45, 1 << 47] {
                let exact = delta as f64 * rate;
                let got = cal.ns(1000 + delta) as f64;
                assert!(
                    (got - exact).abs() <= 1.0 + exact * 1e-12,
                    "rate {rate}, {delta} ticks: {got} ns, {exact} exactly"
                );
            }
        }
        assert_eq!(Calibration::with_rate(0, 1.0).ns(u64::MAX), u64::MAX);
    }

    #[test]
    fn the_tightest_read_is_kept_with_its_midpoint() {
        let t0 = Instant::now();
        let at = |ns: u64| t0 + std::time::Duration::from_nanos(ns);
        // Gaps 100, 40, 40 (a tie: the first kept) and 70 ns.
        let reads = [
            (at(0), 1, at(100)),
            (at(200), 2, at(240)),
            (at(300), 3, at(340)),
            (at(400), 4, at(470)),
        ];
        assert_eq!(tightest(reads.into_iter()), (at(220), 2));
    }

    /// CPUID's invariant-TSC bit, read independently: Linux derives its
    /// `constant_tsc` and `nonstop_tsc` flags from the same bit.
    #[test]
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    fn invariant_tsc_matches_what_linux_reports() {
        let Ok(cpuinfo) = std::fs::read_to_string("/proc/cpuinfo") else {
            return; // no /proc: nothing to compare with
        };
        let flags = cpuinfo
            .lines()
            .find(|l| l.starts_with("flags"))
            .unwrap_or_default();
        let linux_says = flags.split_whitespace().any(|f| f == "nonstop_tsc")
            && flags.split_whitespace().any(|f| f == "constant_tsc");
        assert_eq!(invariant_tsc_available(), linux_says, "{flags}");
    }
}
