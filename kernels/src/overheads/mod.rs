//! This machine's scheduling overheads, measured with the runners' own code:
//! what [`simulate`](crate::simulate) charges on top of the work.
//!
//! Each probe runs a real scheduler of `runner.rs` on a [`Pool`] with pieces
//! that do nothing (one byte, left alone), so what is timed is the dealing
//! itself:
//!
//! | probe | what is timed | overhead |
//! |---|---|---|
//! | [`dispatch`] | `dynamic`'s shared counter handing out `pieces` empty pieces, first to last | one piece taken |
//! | [`forkjoin`] | `forkjoin`'s recursive `join` down to `leaves` empty leaves, first to last | one `join` task (a leaf) |
//! | [`fifo_tasks`] | `depthfirst`'s FIFO scope with `tasks` empty tasks | one FIFO task |
//! | [`steal`] | a `join` whose second half another worker takes: from the push to its start there | one steal |
//! | [`wake`] | a run handed to a pool whose worker is parked: from the call to its start there | one wake |
//!
//! The counts are timed on one worker, uncontended: the per-piece cost is
//! the difference between `2k` and `k` pieces over `k`, so the fixed cost of
//! starting a run drops out. [`measure`] takes the fastest of a few repeats
//! of each count, wake and steal (about 15 ms in all), and says which values
//! it doubts ([`repeats`]: a busy machine slows repeats, a value over a time
//! slice is not charged); the `overheads` benchmark times the same probes
//! under criterion, so both give the same figures on a quiet machine.

pub mod repeats;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::error::KernelError;
use crate::pool::Pool;
use crate::runner;
use crate::simulate::Overheads;
use repeats::{Doubt, Repeats};

/// A piece that does nothing, opaque to the optimiser.
fn empty_leaf(first: usize, block: &mut [u8]) {
    std::hint::black_box((first, block));
}

/// `count` one-byte pieces `0..1, 1..2, ...`, and their bytes.
fn one_byte_pieces(count: usize) -> (Vec<u8>, Vec<std::ops::Range<usize>>) {
    (vec![0; count], (0..count).map(|i| i..i + 1).collect())
}

/// The instants the first and the last of `count` one-byte pieces
/// started, as a leaf records them (the others only pass through).
struct Ends {
    count: usize,
    first: OnceLock<Instant>,
    last: OnceLock<Instant>,
}

impl Ends {
    fn new(count: usize) -> Ends {
        Ends {
            count,
            first: OnceLock::new(),
            last: OnceLock::new(),
        }
    }

    /// The leaf: notes the time at piece 0 and at piece `count - 1`.
    fn leaf(&self, first: usize, block: &mut [u8]) {
        if first == 0 {
            let _ = self.first.set(Instant::now());
        }
        if first + 1 == self.count {
            let _ = self.last.set(Instant::now());
        }
        empty_leaf(first, block);
    }

    /// The time between the two (either order: fork-join runs its right
    /// half first); zero with fewer than 2 pieces.
    fn between(&self) -> Duration {
        match (self.first.get(), self.last.get()) {
            (Some(&a), Some(&b)) if self.count > 1 => a.max(b) - a.min(b),
            _ => Duration::ZERO,
        }
    }
}

/// How long `dynamic`'s shared counter takes to hand `pieces` empty pieces
/// out on the workers of `pool`, from the first piece's start to the
/// last's (the run's start, a wake, left out: it would drown the pieces).
pub fn dispatch(pool: &Pool, pieces: usize) -> Duration {
    let (mut data, ranges) = one_byte_pieces(pieces);
    let ends = Ends::new(pieces);
    runner::on_demand(
        pool.as_rayon(),
        &mut data,
        1,
        &ranges,
        &|f, b: &mut [u8]| ends.leaf(f, b),
    );
    ends.between()
}

/// How long `forkjoin` takes to halve `leaves` units down to `leaves` empty
/// leaves of one unit (`leaves - 1` joins) on the workers of `pool`, from
/// the first leaf's start to the last's.
pub fn forkjoin(pool: &Pool, leaves: usize) -> Duration {
    let (mut data, _) = one_byte_pieces(leaves);
    let ends = Ends::new(leaves);
    pool.as_rayon().install(|| {
        runner::forkjoin(
            &mut data,
            1,
            0,
            leaves,
            leaves,
            leaves,
            &|f, b: &mut [u8]| ends.leaf(f, b),
        );
    });
    ends.between()
}

/// How long `depthfirst` takes to spawn and run `tasks` empty FIFO tasks on
/// the workers of `pool`.
pub fn fifo_tasks(pool: &Pool, tasks: usize) -> Duration {
    let (mut data, ranges) = one_byte_pieces(tasks);
    let start = Instant::now();
    runner::depth_first(pool.as_rayon(), &mut data, 1, &ranges, &empty_leaf);
    start.elapsed()
}

/// Waits for `flag`, spinning, and letting the other threads run now and
/// then (on a machine with fewer free cores than workers, the one that sets
/// it needs this core).
fn wait_for(flag: &AtomicBool) {
    let mut spins = 0u32;
    while !flag.load(Ordering::Acquire) {
        spins += 1;
        if spins.is_multiple_of(1024) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// How long one job pushed by a worker of `pool` waits before another
/// worker steals and starts it: `join(a, b)` on one worker, `a` waiting for
/// `b` to start, so `b` must be stolen. `None` with fewer than 2 workers.
/// Run it back to back: the thief is awake, as during a run.
pub fn steal(pool: &Pool) -> Option<Duration> {
    if pool.threads() < 2 {
        return None;
    }
    let started = AtomicBool::new(false);
    let waited = pool.as_rayon().install(|| {
        let pushed = Instant::now();
        let (_, stolen_at) = rayon::join(
            || wait_for(&started),
            || {
                let at = Instant::now();
                started.store(true, Ordering::Release);
                at
            },
        );
        stolen_at.saturating_duration_since(pushed)
    });
    Some(waited)
}

/// How long a run handed to `pool` takes to start on a worker that is
/// parked: rests long enough for the workers to park (rayon's spin before
/// sleeping is far shorter), then times from the call to the start of the
/// run on a worker.
pub fn wake(pool: &Pool) -> Duration {
    std::thread::sleep(PARK_REST);
    let called = Instant::now();
    let started = pool.as_rayon().install(Instant::now);
    started.saturating_duration_since(called)
}

/// How long [`wake`] rests first, so that the workers are parked.
pub const PARK_REST: Duration = Duration::from_millis(1);

/// Pieces, leaves and tasks a repeat of [`measure`] counts per probe.
const COUNT: usize = 2000;
/// Repeats of each probe in [`measure`].
const REPEATS: usize = 7;
/// Steals timed by [`measure`].
const STEALS: usize = 51;

/// Every overhead as [`measure`] had it: what is charged, and what it
/// doubts.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// The overheads charged, ns (an overhead not charged is 0).
    pub overheads: Overheads,
    /// The overheads whose repeats cast doubt on them, and why.
    pub doubts: Vec<Doubt>,
}

/// `(time(2k) − time(k)) / k` ns with `k` = [`COUNT`], each time the
/// fastest of [`REPEATS`] (see [`repeats`]): the cost of one more piece,
/// without the run's fixed cost; with the doubt about it, judged from the
/// runs of `2k` pieces. The fastest, not the median: a probe preempted by
/// other work is only ever slower, and a difference of two medians of a few
/// noisy runs could even come out negative (then 0).
fn per_piece(
    pool: &Pool,
    overhead: &'static str,
    probe: fn(&Pool, usize) -> Duration,
) -> (u64, Option<Doubt>) {
    probe(pool, COUNT); // warm-up
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        one.push(ns(probe(pool, COUNT)));
        two.push(ns(probe(pool, 2 * COUNT)));
    }
    let (one, two) = (Repeats::new(one), Repeats::new(two));
    let value = two.fastest().saturating_sub(one.fastest()) / COUNT as u64;
    let run = format!("a run of {} pieces", 2 * COUNT);
    Doubt::check(overhead, run, &two, value, None)
}

/// Nanoseconds, saturating.
fn ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Measures every overhead on this machine, in nanoseconds (about 15 ms):
/// per-piece costs, wakes and steals each from the fastest confirmed
/// repeat, on fresh pools of 1 worker (2 for the steal), with the doubts
/// their repeats raise. Errors: a pool that cannot start.
pub fn measure() -> Result<Measured, KernelError> {
    let mut doubts = Vec::new();
    let mut keep = |(value, doubt): (u64, Option<Doubt>)| {
        doubts.extend(doubt);
        value
    };
    let one = Pool::new(1)?;
    let dispatch = keep(per_piece(&one, "dispatch", dispatch));
    let spawn = keep(per_piece(&one, "spawn", forkjoin));
    let fifo_spawn = keep(per_piece(&one, "fifo_spawn", fifo_tasks));
    let wakes = Repeats::new((0..REPEATS).map(|_| ns(wake(&one))).collect());
    let wake = keep(Doubt::check(
        "wake",
        "a wake",
        &wakes,
        wakes.fastest(),
        None,
    ));
    drop(one);
    let two = Pool::new(2)?;
    steal(&two); // warm-up: both workers started
    let steals = Repeats::new((0..STEALS).filter_map(|_| steal(&two)).map(ns).collect());
    // Its thief is awake: a steal costs less than waking a parked worker.
    let ceiling = Some(("wake", wakes.fastest()));
    let steal = keep(Doubt::check(
        "steal",
        "a steal",
        &steals,
        steals.fastest(),
        ceiling,
    ));
    Ok(Measured {
        overheads: Overheads {
            dispatch,
            spawn,
            fifo_spawn,
            steal,
            wake,
        },
        doubts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probes_run_the_real_schedulers() {
        let pool = Pool::new(2).unwrap();
        // Each probe finishes (every piece dealt, every task joined).
        dispatch(&pool, 100);
        forkjoin(&pool, 100);
        fifo_tasks(&pool, 100);
        assert!(steal(&pool).is_some());
        assert!(wake(&pool) > Duration::ZERO);
        assert!(steal(&Pool::new(1).unwrap()).is_none());
    }

    #[test]
    fn more_pieces_take_longer() {
        // Ratios measured in one run, never a wall time: 20 000 pieces take
        // longer than none (the run's fixed cost alone).
        let pool = Pool::new(1).unwrap();
        let median = |probe: &dyn Fn() -> Duration| {
            Repeats::new((0..5).map(|_| ns(probe())).collect()).median()
        };
        let some = median(&|| dispatch(&pool, 20_000));
        let none = median(&|| dispatch(&pool, 0));
        assert!(
            some > none,
            "{some} ns for 20000 pieces, {none} ns for none"
        );
    }

    #[test]
    fn measure_gives_every_overhead() {
        let m = measure().unwrap();
        let o = m.overheads;
        // A FIFO task allocates, a wake crosses threads: neither is free,
        // unless the machine was too busy to tell (then doubted, not
        // charged). (A dispatch or a join can round to 0 ns, so they are
        // not checked.)
        let doubted = |name: &str| m.doubts.iter().any(|d| d.overhead == name);
        assert!(o.fifo_spawn > 0 || doubted("fifo_spawn"), "{m:?}");
        assert!(o.wake > 0 || doubted("wake"), "{m:?}");
        // Whatever is charged is under a time slice.
        for v in [o.dispatch, o.spawn, o.fifo_spawn, o.steal, o.wake] {
            assert!(v <= repeats::SLICE_NS, "{m:?}");
        }
    }
}
