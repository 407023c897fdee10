//! The clock offset of every rank to rank 0, measured by ping-pong.
//!
//! Rank 0 sends a ping at `t0_send` on its clock; the rank reads its clock
//! (`t_rank`) as the ping arrives and sends it back; the pong arrives at
//! `t0_recv`. If the two legs took equally long, rank 0's clock read
//! `t0_send + rtt/2` when the rank's read `t_rank`, so
//! `offset = t0_send + rtt/2 − t_rank` is what to add to the rank's times,
//! right to within `rtt/2` whatever the legs really took. Of several
//! exchanges the one with the smallest round trip is kept: the least
//! disturbed by the scheduler. Measured at the start and at the end of a
//! recording, the offset is interpolated linearly in between (the clocks'
//! rates differ a little between hosts).
//!
//! `MPI_Wtime` is not used: Open MPI starts it anew in every process.

use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::clock::Calibration;

/// Exchanges per rank and measurement; the fastest is kept.
const EXCHANGES: usize = 32;

/// Tags of logprof's own messages (on its own duplicate of the world
/// communicator, so they never meet the program's).
pub(crate) const TAG_PING: i32 = 1;
pub(crate) const TAG_PONG: i32 = 2;

// The samples and their linear model are the trace crate's: a rank's
// file carries them, and `logprof merge` reads them without MPI.
pub use logprof_trace::ranks::{ClockSample, ClockSync};

/// One ping-pong exchange as rank 0 kept it, in raw ticks of each side's
/// clock. Ticks become nanoseconds only when the traces are gathered, with
/// the calibration each rank's spans are converted with: a sample converted
/// at once, with the rougher calibration of a recorder that has run for a
/// few milliseconds, sat on another scale than the spans, and its error
/// (up to the calibration's, tens of microseconds on a busy machine)
/// dwarfed the round trip it claimed as its uncertainty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Exchange {
    /// Rank 0's ticks when it sent the ping.
    t0_send: u64,
    /// Rank 0's ticks when the pong arrived.
    t0_receive: u64,
    /// The rank's ticks when the ping arrived.
    t_rank: u64,
}

impl Exchange {
    /// The round trip in rank 0's ticks.
    fn round_trip(&self) -> u64 {
        self.t0_receive.saturating_sub(self.t0_send)
    }

    /// The exchange as a sample, each side's ticks converted by its map:
    /// `offset = t0_send + rtt/2 − t_rank`.
    pub(crate) fn sample(&self, rank0: &TickMap, rank: &TickMap) -> ClockSample {
        let t0_send = rank0.ns(self.t0_send);
        let rtt = rank0.ns(self.t0_receive).saturating_sub(t0_send);
        let t_rank = rank.ns(self.t_rank);
        let offset = i128::from(t0_send) + i128::from(rtt / 2) - i128::from(t_rank);
        ClockSample {
            at_ns: t_rank,
            offset_ns: offset.clamp(i64::MIN.into(), i64::MAX.into()) as i64,
            uncertainty_ns: rtt.div_ceil(2),
        }
    }
}

/// How one rank turns its raw ticks into the nanoseconds of its trace: the
/// recorder's calibration, and the shift [`super::CLOCK_SHIFT_VAR`] gave it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TickMap {
    pub(crate) calibration: Calibration,
    pub(crate) shift_ns: i64,
}

impl TickMap {
    /// Nanoseconds on the rank's trace clock.
    pub(crate) fn ns(&self, ticks: u64) -> u64 {
        self.calibration
            .ns(ticks)
            .saturating_add_signed(self.shift_ns)
    }

    /// As three words, to send to rank 0.
    pub(crate) fn to_words(self) -> [u64; 3] {
        let (anchor, rate) = self.calibration.parts();
        [anchor, rate.to_bits(), self.shift_ns as u64]
    }

    /// Back from [`TickMap::to_words`]; `None` unless three words with a
    /// positive, finite rate.
    pub(crate) fn from_words(words: &[u64]) -> Option<TickMap> {
        let &[anchor, rate, shift] = words else {
            return None;
        };
        let rate = f64::from_bits(rate);
        (rate.is_finite() && rate > 0.0).then(|| TickMap {
            calibration: Calibration::with_rate(anchor, rate),
            shift_ns: shift as i64,
        })
    }
}

/// Measures every rank's clock against rank 0's; collective over `comm`.
/// Rank 0 gets one exchange per rank (the one with the smallest round trip;
/// its own is empty), the others an empty vector. `ticks` reads the
/// recorder's raw clock.
pub(crate) fn measure(comm: &SimpleCommunicator, ticks: &dyn Fn() -> u64) -> Vec<Exchange> {
    let rank = comm.rank();
    if rank != 0 {
        let root = comm.process_at_rank(0);
        for _ in 0..EXCHANGES {
            let (_ping, _) = root.receive_with_tag::<u64>(TAG_PING);
            let t_rank = ticks();
            root.send_with_tag(&t_rank, TAG_PONG);
        }
        return Vec::new();
    }
    let mut exchanges = vec![Exchange::default()];
    for r in 1..comm.size() {
        let peer = comm.process_at_rank(r);
        let mut best: Option<Exchange> = None;
        for k in 0..EXCHANGES as u64 {
            let t0_send = ticks();
            peer.send_with_tag(&k, TAG_PING);
            let (t_rank, _) = peer.receive_with_tag::<u64>(TAG_PONG);
            let t0_receive = ticks();
            let exchange = Exchange {
                t0_send,
                t0_receive,
                t_rank,
            };
            if best.is_none_or(|b| exchange.round_trip() < b.round_trip()) {
                best = Some(exchange);
            }
        }
        exchanges.push(best.unwrap_or_default());
    }
    exchanges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at_ns: u64, offset_ns: i64) -> ClockSample {
        ClockSample {
            at_ns,
            offset_ns,
            uncertainty_ns: 1,
        }
    }

    #[test]
    fn the_offset_is_linear_between_the_samples_and_held_outside() {
        let sync = ClockSync {
            start: sample(1000, 100),
            end: sample(3000, 300),
        };
        assert_eq!(sync.offset_at(0), 100);
        assert_eq!(sync.offset_at(1000), 100);
        assert_eq!(sync.offset_at(2000), 200);
        assert_eq!(sync.offset_at(3000), 300);
        assert_eq!(sync.offset_at(9000), 300);
        assert_eq!(sync.to_rank0(2000), 2200);
    }

    /// Two processes whose calibrations differ (anchors and rates) still
    /// agree once each side's ticks go through its own map.
    #[test]
    fn an_exchange_converts_each_sides_ticks_with_its_own_map() {
        // Rank 0: anchor 1000 ticks, 0.5 ns a tick; the rank: anchor 5000,
        // 0.25 ns a tick, shifted by 7 ns.
        let rank0 = TickMap {
            calibration: Calibration::with_rate(1000, 0.5),
            shift_ns: 0,
        };
        let rank = TickMap {
            calibration: Calibration::with_rate(5000, 0.25),
            shift_ns: 7,
        };
        let exchange = Exchange {
            t0_send: 3000,    // 1000 ns on rank 0
            t0_receive: 3400, // 1200 ns: a 200 ns round trip
            t_rank: 9000,     // 1000 + 7 ns on the rank
        };
        let sample = exchange.sample(&rank0, &rank);
        assert_eq!(sample.at_ns, 1007);
        assert_eq!(sample.uncertainty_ns, 100);
        // Rank 0 read 1000 + 100 when the rank read 1007.
        assert_eq!(sample.offset_ns, 93);
    }

    #[test]
    fn the_round_trip_and_the_uncertainty_are_the_larger_measures() {
        let exchange = Exchange {
            t0_send: 3000,
            t0_receive: 3400,
            t_rank: 9,
        };
        assert_eq!(exchange.round_trip(), 400);
        let sample = |uncertainty_ns| ClockSample {
            uncertainty_ns,
            ..ClockSample::default()
        };
        let sync = ClockSync {
            start: sample(30),
            end: sample(70),
        };
        assert_eq!(sync.uncertainty_ns(), 70);
        let sync = ClockSync {
            start: sample(90),
            end: sample(70),
        };
        assert_eq!(sync.uncertainty_ns(), 90);
    }

    #[test]
    fn a_tick_map_goes_through_words_and_bad_words_are_refused() {
        let map = TickMap {
            calibration: Calibration::with_rate(123, 0.37),
            shift_ns: -5,
        };
        let back = TickMap::from_words(&map.to_words()).expect("three good words");
        assert_eq!(back.ns(10_123), map.ns(10_123));
        assert_eq!(back.shift_ns, -5);
        assert!(TickMap::from_words(&[1, 2]).is_none());
        assert!(TickMap::from_words(&[1, 0f64.to_bits(), 0]).is_none());
        assert!(TickMap::from_words(&[1, f64::NAN.to_bits(), 0]).is_none());
    }

    #[test]
    fn samples_at_one_moment_give_the_start_offset() {
        let sync = ClockSync {
            start: sample(1000, -50),
            end: sample(1000, 70),
        };
        assert_eq!(sync.offset_at(500), -50);
        assert_eq!(sync.offset_at(2000), -50);
        assert_eq!(sync.to_rank0(2000), 1950);
    }
}
