//! Every rank of an MPI program recorded, and merged into one [`Trace`].
//!
//! Behind the `mpi` feature. Each rank records with the ordinary recorder
//! ([`record_fn!`](crate::record_fn), [`scope!`](crate::scope)); [`Ranks`]
//! starts MPI, measures each rank's clock against rank 0's, and
//! [`Ranks::gather`] brings every rank's trace to rank 0 as one trace: one
//! process per rank (pid = rank, named "rank r"), its thread lanes inside,
//! times on rank 0's clock, written as one Chrome JSON file that Perfetto
//! shows as one timeline.
//!
//! ```no_run
//! let ranks = logprof::ranks::Ranks::init()?;
//! logprof::init_buffer(1 << 16);
//! // ... the program's work, recorded on every rank ...
//! if let Some(trace) = ranks.collect()? {
//!     trace.write_chrome_json("all-ranks.trace.json")?; // rank 0 only
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Messages
//!
//! The program's messages sent with [`send`] and received with
//! [`receive_into`] (or [`receive_vec`]) are recorded as `MPI_Send` and
//! `MPI_Recv` spans of the category `mpi` (time inside MPI, waiting
//! included), each carrying its
//! message's key ([`crate::MpiCall`]). The merged trace pairs every receive
//! with its send ([`Trace::messages`]); its Chrome JSON draws each message
//! as a flow arrow from the sender's span to the receiver's, and its
//! summary has POP's process-level metrics ([`crate::ProcessMetrics`]).
//!
//! ## Clocks
//!
//! Ranks on one host share the invariant TSC (or `CLOCK_MONOTONIC`), but
//! each process's recorder counts from its own start, and ranks on other
//! hosts share nothing. So every rank's offset to rank 0 is measured by
//! ping-pong when [`Ranks::init`] starts and again in [`Ranks::gather`],
//! interpolated linearly in between (see [`ClockSync`]), and kept in the
//! merged trace's `metadata["mpi"]` with its uncertainty (half the round
//! trip of the exchange kept).
//!
//! `LOGPROF_RANK_CLOCK_SHIFT=RANK:NS` moves rank `RANK`'s clock by `NS`
//! nanoseconds (its recorded times and its clock readings alike), to test
//! that the merge recovers a known offset.
//!
//! ## Streaming
//!
//! Ranks that stream ([`crate::stream_to`], `LOGPROF_STREAM`) each write a
//! file of their own, the path with `.rank-N` before its extension
//! ([`rank_path`]), saying which rank wrote it. [`Ranks::finish_stream`]
//! measures the clocks again, writes each rank's offsets into its file and
//! ends it; [`Ranks::merge_streams`] then merges the files on rank 0 (as
//! `logprof merge` does anywhere, [`merge_files`]), chunk by chunk.
//!
//! ```no_run
//! let ranks = logprof::ranks::Ranks::init()?;
//! let stream = logprof::stream_to("run.lpt")?; // run.rank-N.lpt
//! // ... the program's work, recorded on every rank ...
//! ranks.finish_stream(Some(stream))?;
//! ranks.merge_streams("run.lpt", "merged.lpt")?; // rank 0 only
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Cores
//!
//! mpirun binds each rank to a core or two, so one rank's count of its
//! cores says nothing of the others'. Each rank reports the CPUs it may run
//! on (its affinity mask) and its cgroup CPU quota; the merged trace's
//! [`Trace::cores`] is, per host, the union of its ranks' CPUs (capped by
//! the quota), summed over the hosts, and unknown when a rank could not
//! say. Each rank's CPUs are in `metadata["mpi"]` too.
//!
//! ## Traps handled
//!
//! - A panic on one rank would leave the others waiting for it forever:
//!   [`Ranks::init`] installs a panic hook that prints one line
//!   (`logprof: rank R panicked at FILE:LINE: MESSAGE`) and calls
//!   `MPI_Abort`, which ends every rank.
//! - MPI handles are not `Send`: [`Ranks`] is neither, so all MPI calls
//!   come from the thread that started MPI:
//!
//! ```compile_fail
//! fn send<T: Send>() {}
//! send::<logprof::ranks::Ranks>();
//! ```

mod clock_sync;
mod cpus;
mod merge;
mod messages;

use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

pub use clock_sync::{ClockSample, ClockSync};
pub use messages::{receive_into, receive_vec, send};

use crate::clock::{self, Calibration};
use crate::stream::rank as stream_rank;
use crate::{Stream, StreamStats, Trace};
pub use logprof_trace::ranks::{merge_files, rank_path, MergeReport, RankFacts};
use merge::RankTrace;

/// Tags of the gather (on logprof's own communicator).
const TAG_HOST: i32 = 3;
const TAG_TRACE: i32 = 4;
const TAG_CPUS: i32 = 5;
const TAG_CLOCK: i32 = 6;
const TAG_STREAM_CLOCK: i32 = 7;

/// The environment variable that shifts one rank's clock (`RANK:NS`).
pub const CLOCK_SHIFT_VAR: &str = "LOGPROF_RANK_CLOCK_SHIFT";

/// Why MPI could not be started or the traces not gathered. A rank's
/// trace that did not read keeps the reader's error as its `source()`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RanksError {
    message: String,
    #[source]
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl RanksError {
    fn new(message: String) -> RanksError {
        RanksError {
            message,
            cause: None,
        }
    }

    fn caused_by(
        message: String,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> RanksError {
        RanksError {
            message,
            cause: Some(Box::new(cause)),
        }
    }
}

/// This process's place among the ranks of an MPI program, with MPI
/// started; MPI is finalised when it is dropped. See the [module
/// documentation](self).
pub struct Ranks {
    // Dropped last: finalises MPI after the communicators are gone.
    world: SimpleCommunicator,
    /// logprof's own duplicate of the world, so its messages never match
    /// the program's.
    comm: SimpleCommunicator,
    rank: u32,
    size: u32,
    shift_ns: i64,
    host: String,
    /// On rank 0: every rank's clock exchange at the start.
    start: Vec<clock_sync::Exchange>,
    _universe: Universe,
}

impl Ranks {
    /// Starts MPI (single-threaded: MPI calls from this thread only),
    /// installs the panic hook that aborts every rank, and measures the
    /// clocks. Collective: every rank calls it. An error if MPI was already
    /// started or [`CLOCK_SHIFT_VAR`] is malformed.
    pub fn init() -> Result<Ranks, RanksError> {
        let shift = std::env::var(CLOCK_SHIFT_VAR).ok();
        let shift = shift.as_deref().map(parse_shift).transpose()?;
        clock::start();
        let universe = mpi::initialize()
            .ok_or_else(|| RanksError::new("MPI was already started in this process".into()))?;
        let world = universe.world();
        let rank = world.rank() as u32;
        install_panic_hook(rank);
        let comm = world.duplicate();
        let mut ranks = Ranks {
            size: world.size() as u32,
            world,
            comm,
            rank,
            shift_ns: shift.filter(|&(r, _)| r == rank).map_or(0, |(_, ns)| ns),
            host: mpi::environment::processor_name().unwrap_or_default(),
            start: Vec::new(),
            _universe: universe,
        };
        ranks.start = clock_sync::measure(&ranks.comm, &clock::now);
        // A stream on this rank names its file by the rank and says which
        // rank it is (`stream::rank`).
        stream_rank::note_rank(RankFacts {
            rank,
            ranks: ranks.size,
            host: ranks.host.clone(),
            cpus: cpus::allowed(),
            quota: cpus::quota(),
            ..RankFacts::default()
        });
        stream_rank::note_shift(ranks.shift_ns);
        stream_rank::note_messages(messages::stream_keys);
        Ok(ranks)
    }

    /// This process's rank, from 0.
    pub fn rank(&self) -> u32 {
        self.rank
    }

    /// The number of ranks.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// True on rank 0, where [`Ranks::gather`] returns the merged trace.
    pub fn is_root(&self) -> bool {
        self.rank == 0
    }

    /// The world communicator, for the program's own messages.
    pub fn world(&self) -> &SimpleCommunicator {
        &self.world
    }

    /// This rank's recorder clock now, in ns (the clock of its recorded
    /// spans, shifted as [`CLOCK_SHIFT_VAR`] says).
    pub fn now_ns(&self) -> u64 {
        let ns = Calibration::measure().ns(clock::now());
        ns.saturating_add_signed(self.shift_ns)
    }

    /// [`crate::collect`] on every rank, then [`Ranks::gather`].
    pub fn collect(&self) -> Result<Option<Trace>, RanksError> {
        self.gather(crate::collect())
    }

    /// Brings every rank's `local` trace to rank 0 and merges them, in rank
    /// order, onto rank 0's clock: `Some(trace)` on rank 0, `None` on the
    /// others. Collective: every rank calls it. Measures the clocks again
    /// first (the end of the linear correction). `local` should come
    /// straight from [`crate::collect`] (as in [`Ranks::collect`]): the
    /// clock exchanges are converted with the tick rate measured now, and
    /// the spans of a trace collected long before were converted with an
    /// older one (the same to within the drift of `CLOCK_MONOTONIC`, which
    /// NTP may slew).
    pub fn gather(&self, mut local: Trace) -> Result<Option<Trace>, RanksError> {
        messages::attach(&mut local);
        merge::shift(&mut local, self.shift_ns);
        let end = clock_sync::measure(&self.comm, &clock::now);
        // The calibration `collect` converted the spans with, to within
        // what the rate moves in the moment between (nothing measurable).
        let ticks = clock_sync::TickMap {
            calibration: Calibration::measure(),
            shift_ns: self.shift_ns,
        };
        if !self.is_root() {
            let root = self.comm.process_at_rank(0);
            root.send_with_tag(self.host.as_bytes(), TAG_HOST);
            root.send_with_tag(&cpus::report()[..], TAG_CPUS);
            root.send_with_tag(&ticks.to_words()[..], TAG_CLOCK);
            // The trace file format, which keeps everything a trace holds.
            let json = local.to_chrome_json();
            root.send_with_tag(json.as_bytes(), TAG_TRACE);
            return Ok(None);
        }
        let mut parts = vec![RankTrace {
            rank: 0,
            host: self.host.clone(),
            cpus: cpus::allowed(),
            quota: cpus::quota(),
            clock: ClockSync::default(),
            trace: local,
        }];
        for r in 1..self.size {
            let peer = self.comm.process_at_rank(r as i32);
            let (host, _) = peer.receive_vec_with_tag::<u8>(TAG_HOST);
            let (report, _) = peer.receive_vec_with_tag::<u32>(TAG_CPUS);
            let (quota, cpus) = cpus::from_report(&report);
            let (words, _) = peer.receive_vec_with_tag::<u64>(TAG_CLOCK);
            let rank_ticks = clock_sync::TickMap::from_words(&words).ok_or_else(|| {
                RanksError::new(format!("rank {r} sent a malformed clock: {words:?}"))
            })?;
            let (bytes, _) = peer.receive_vec_with_tag::<u8>(TAG_TRACE);
            let malformed = |e| format!("rank {r} sent a malformed trace: {e}");
            let json = std::str::from_utf8(&bytes)
                .map_err(|e| RanksError::caused_by(malformed(e.to_string()), e))?;
            let trace = Trace::from_chrome_json_str(json)
                .map_err(|e| RanksError::caused_by(malformed(e.to_string()), e))?;
            parts.push(RankTrace {
                rank: r,
                host: String::from_utf8_lossy(&host).into_owned(),
                cpus,
                quota,
                clock: ClockSync {
                    start: self.start[r as usize].sample(&ticks, &rank_ticks),
                    end: end[r as usize].sample(&ticks, &rank_ticks),
                },
                trace,
            });
        }
        Ok(Some(merge::merge(&parts)))
    }
}

impl Ranks {
    /// Ends this rank's stream with its clock samples: measures the clocks
    /// again, gives each rank its offset to rank 0 at the start and now
    /// (written into its file before the footer), ends `stream` (or the
    /// one `LOGPROF_STREAM` started, when `None`), and waits until every
    /// rank's file is whole. Collective: every rank calls it. Then rank 0
    /// may merge the files ([`Ranks::merge_streams`], or `logprof merge`).
    pub fn finish_stream(&self, stream: Option<Stream>) -> Result<StreamStats, RanksError> {
        let end = clock_sync::measure(&self.comm, &clock::now);
        let ticks = clock_sync::TickMap {
            calibration: Calibration::measure(),
            shift_ns: self.shift_ns,
        };
        let sync = if self.is_root() {
            for r in 1..self.size {
                let peer = self.comm.process_at_rank(r as i32);
                let (words, _) = peer.receive_vec_with_tag::<u64>(TAG_CLOCK);
                let rank_ticks = clock_sync::TickMap::from_words(&words);
                let sync = rank_ticks.map_or(ClockSync::default(), |rank_ticks| ClockSync {
                    start: self.start[r as usize].sample(&ticks, &rank_ticks),
                    end: end[r as usize].sample(&ticks, &rank_ticks),
                });
                peer.send_with_tag(&sync_words(&sync)[..], TAG_STREAM_CLOCK);
            }
            ClockSync::default()
        } else {
            let root = self.comm.process_at_rank(0);
            root.send_with_tag(&ticks.to_words()[..], TAG_CLOCK);
            let (words, _) = root.receive_vec_with_tag::<u64>(TAG_STREAM_CLOCK);
            words_sync(&words).ok_or_else(|| {
                RanksError::new(format!("rank 0 sent a malformed clock: {words:?}"))
            })?
        };
        stream_rank::note_clock(sync);
        let finished = match stream {
            Some(stream) => Some(stream.finish()),
            None => crate::finish_env_stream(),
        };
        // Every rank's file whole before rank 0 reads them.
        self.comm.barrier();
        match finished {
            Some(Ok(stats)) => Ok(stats),
            Some(Err(e)) => Err(RanksError::caused_by(format!("rank {}: {e}", self.rank), e)),
            None => Err(RanksError::new(format!(
                "rank {}: no stream to finish (none given, and LOGPROF_STREAM started none)",
                self.rank
            ))),
        }
    }

    /// On rank 0: merges every rank's file of the stream asked for at
    /// `path` (each rank's is `path` with `.rank-N` before its extension,
    /// [`rank_path`]) into `out`, as `logprof merge` does; `None` on the
    /// other ranks, which do nothing. Call it after [`Ranks::finish_stream`].
    pub fn merge_streams(
        &self,
        path: impl AsRef<std::path::Path>,
        out: impl AsRef<std::path::Path>,
    ) -> Result<Option<MergeReport>, RanksError> {
        if !self.is_root() {
            return Ok(None);
        }
        let files: Vec<_> = (0..self.size)
            .map(|r| rank_path(path.as_ref(), r))
            .collect();
        merge_files(&files, out.as_ref(), false)
            .map(Some)
            .map_err(|e| RanksError::caused_by(e.to_string(), e))
    }
}

/// A clock as six words, to send to its rank.
fn sync_words(sync: &ClockSync) -> [u64; 6] {
    let (s, e) = (&sync.start, &sync.end);
    [
        s.at_ns,
        s.offset_ns as u64,
        s.uncertainty_ns,
        e.at_ns,
        e.offset_ns as u64,
        e.uncertainty_ns,
    ]
}

fn words_sync(words: &[u64]) -> Option<ClockSync> {
    let &[a, b, c, d, e, f] = words else {
        return None;
    };
    let sample = |at_ns, offset: u64, uncertainty_ns| ClockSample {
        at_ns,
        offset_ns: offset as i64,
        uncertainty_ns,
    };
    Some(ClockSync {
        start: sample(a, b, c),
        end: sample(d, e, f),
    })
}

/// `RANK:NS` from [`CLOCK_SHIFT_VAR`].
fn parse_shift(text: &str) -> Result<(u32, i64), RanksError> {
    let parsed = text
        .split_once(':')
        .and_then(|(r, ns)| Some((r.trim().parse().ok()?, ns.trim().parse().ok()?)));
    parsed.ok_or_else(|| {
        RanksError::new(format!(
            "{CLOCK_SHIFT_VAR}={text:?}: expected RANK:NANOSECONDS, e.g. 1:5000000"
        ))
    })
}

/// On a panic: one line on stderr, then `MPI_Abort`, which ends every rank
/// instead of leaving them waiting for this one. With `RUST_BACKTRACE` set,
/// the usual report (and backtrace) comes first.
fn install_panic_hook(rank: u32) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            previous(info);
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = message.replace('\n', " ");
        eprintln!("logprof: rank {rank} panicked{place}: {message}");
        SimpleCommunicator::world().abort(101);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_goes_to_its_rank_as_six_words() {
        let sync = ClockSync {
            start: ClockSample {
                at_ns: 5,
                offset_ns: -7,
                uncertainty_ns: 9,
            },
            end: ClockSample {
                at_ns: 50,
                offset_ns: i64::MIN,
                uncertainty_ns: 1,
            },
        };
        assert_eq!(words_sync(&sync_words(&sync)), Some(sync));
        assert_eq!(words_sync(&[1, 2, 3]), None);
    }

    #[test]
    fn a_shift_names_a_rank_and_nanoseconds() {
        assert_eq!(parse_shift("1:5000").ok(), Some((1, 5000)));
        assert_eq!(parse_shift(" 2 : -7 ").ok(), Some((2, -7)));
        for bad in ["", "1", "x:5", "1:5s", "-1:5"] {
            let error = parse_shift(bad).unwrap_err().to_string();
            assert!(error.contains("RANK:NANOSECONDS"), "{error}");
        }
    }

    #[test]
    fn a_malformed_trace_keeps_the_readers_error_as_its_source() {
        use std::error::Error;
        let bad = Trace::from_chrome_json_str("{").unwrap_err();
        let error = RanksError::caused_by("rank 1 sent a malformed trace".into(), bad);
        let source = error.source().expect("a source");
        assert!(source
            .downcast_ref::<logprof_trace::ChromeJsonError>()
            .is_some());
        assert!(RanksError::new("x".into()).source().is_none());
    }
}
