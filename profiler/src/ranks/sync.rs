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
use serde::Serialize;

/// Exchanges per rank and measurement; the fastest is kept.
const EXCHANGES: usize = 32;

/// Tags of logprof's own messages (on its own duplicate of the world
/// communicator, so they never meet the program's).
pub(crate) const TAG_PING: i32 = 1;
pub(crate) const TAG_PONG: i32 = 2;

/// One rank's offset to rank 0 at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClockSample {
    /// The rank's own clock at the exchange, in ns.
    pub at_ns: u64,
    /// What to add to the rank's clock to read rank 0's:
    /// `t0_send + rtt/2 − t_rank`.
    pub offset_ns: i64,
    /// Half the round trip of the exchange: the offset is right to within
    /// this.
    pub uncertainty_ns: u64,
}

/// A rank's clock against rank 0's, at the start and the end of a recording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClockSync {
    /// Measured when the ranks started.
    pub start: ClockSample,
    /// Measured when the traces were gathered.
    pub end: ClockSample,
}

impl ClockSync {
    /// The offset at `t_ns` on the rank's clock: linear between the start
    /// and end samples, held at their values outside them.
    pub fn offset_at(&self, t_ns: u64) -> i64 {
        let (s, e) = (&self.start, &self.end);
        if e.at_ns <= s.at_ns || t_ns <= s.at_ns {
            return s.offset_ns;
        }
        if t_ns >= e.at_ns {
            return e.offset_ns;
        }
        let f = (t_ns - s.at_ns) as f64 / (e.at_ns - s.at_ns) as f64;
        s.offset_ns + ((e.offset_ns - s.offset_ns) as f64 * f).round() as i64
    }

    /// `t_ns` on the rank's clock, as rank 0's clock read it.
    pub fn to_rank0(&self, t_ns: u64) -> i64 {
        t_ns as i64 + self.offset_at(t_ns)
    }

    /// The larger of the two uncertainties.
    pub fn uncertainty_ns(&self) -> u64 {
        self.start.uncertainty_ns.max(self.end.uncertainty_ns)
    }
}

/// Measures every rank's offset to rank 0; collective over `comm`. Rank 0
/// gets one sample per rank (its own is zero), the others an empty vector.
/// `now` reads the clock in ns.
pub(crate) fn measure(comm: &SimpleCommunicator, now: &dyn Fn() -> u64) -> Vec<ClockSample> {
    let rank = comm.rank();
    if rank != 0 {
        let root = comm.process_at_rank(0);
        for _ in 0..EXCHANGES {
            let (_ping, _) = root.receive_with_tag::<u64>(TAG_PING);
            let t_rank = now();
            root.send_with_tag(&t_rank, TAG_PONG);
        }
        return Vec::new();
    }
    let mut samples = vec![ClockSample {
        at_ns: now(),
        ..ClockSample::default()
    }];
    for r in 1..comm.size() {
        let peer = comm.process_at_rank(r);
        let mut best: Option<(u64, ClockSample)> = None;
        for k in 0..EXCHANGES as u64 {
            let t0_send = now();
            peer.send_with_tag(&k, TAG_PING);
            let (t_rank, _) = peer.receive_with_tag::<u64>(TAG_PONG);
            let rtt = now().saturating_sub(t0_send);
            if best.is_none_or(|(b, _)| rtt < b) {
                let offset = i128::from(t0_send) + i128::from(rtt / 2) - i128::from(t_rank);
                let sample = ClockSample {
                    at_ns: t_rank,
                    offset_ns: offset.clamp(i64::MIN.into(), i64::MAX.into()) as i64,
                    uncertainty_ns: rtt.div_ceil(2),
                };
                best = Some((rtt, sample));
            }
        }
        samples.push(best.map(|(_, s)| s).unwrap_or_default());
    }
    samples
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
