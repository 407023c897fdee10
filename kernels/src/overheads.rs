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
//! of each count (the median of the wakes and steals; about 15 ms in all);
//! the `overheads` benchmark times the same probes under criterion, so both
//! give the same figures on a quiet machine.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::error::KernelError;
use crate::pool::Pool;
use crate::runner;
use crate::simulate::Overheads;

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
/// Repeats of each probe in [`measure`]; the fastest is kept (the median
/// for the wake).
const REPEATS: usize = 7;
/// Steals timed by [`measure`]; the median is kept.
const STEALS: usize = 51;

/// `(time(2k) − time(k)) / k` ns with `k` = [`COUNT`], each time the
/// fastest of [`REPEATS`]: the cost of one more piece, without the run's
/// fixed cost. The fastest, not the median: a probe preempted by other work
/// is only ever slower, and a difference of two medians of a few noisy
/// runs could even come out negative (then 0).
fn per_piece(pool: &Pool, probe: fn(&Pool, usize) -> Duration) -> u64 {
    probe(pool, COUNT); // warm-up
    let (mut one, mut two) = (Duration::MAX, Duration::MAX);
    for _ in 0..REPEATS {
        one = one.min(probe(pool, COUNT));
        two = two.min(probe(pool, 2 * COUNT));
    }
    ns(two.saturating_sub(one)) / COUNT as u64
}

/// The median of `values` (0 when there are none).
fn median(values: impl Iterator<Item = u64>) -> u64 {
    let mut v: Vec<u64> = values.collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// Nanoseconds, saturating.
fn ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Measures every overhead on this machine, in nanoseconds (about 15 ms):
/// per-piece costs from the fastest repeats, wakes and steals as medians,
/// on fresh pools of 1 worker (2 for the steal). Errors: a pool that cannot
/// start.
pub fn measure() -> Result<Overheads, KernelError> {
    let one = Pool::new(1)?;
    let dispatch = per_piece(&one, dispatch);
    let spawn = per_piece(&one, forkjoin);
    let fifo_spawn = per_piece(&one, fifo_tasks);
    let wake = median((0..REPEATS).map(|_| ns(wake(&one))));
    drop(one);
    let two = Pool::new(2)?;
    steal(&two); // warm-up: both workers started
    let steal = median((0..STEALS).filter_map(|_| steal(&two)).map(ns));
    Ok(Overheads {
        dispatch,
        spawn,
        fifo_spawn,
        steal,
        wake,
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
        let some = median((0..5).map(|_| ns(dispatch(&pool, 20_000))));
        let none = median((0..5).map(|_| ns(dispatch(&pool, 0))));
        assert!(
            some > none,
            "{some} ns for 20000 pieces, {none} ns for none"
        );
    }

    #[test]
    fn measure_gives_every_overhead() {
        let o = measure().unwrap();
        // A FIFO task allocates, a wake crosses threads: neither is free.
        // (A dispatch or a join can round to 0 ns, so they are not checked.)
        assert!(o.fifo_spawn > 0, "{o:?}");
        assert!(o.wake > 0, "{o:?}");
    }
}
