//! The schedules: how the columns of an image are dealt out to threads.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crate::error::KernelError;

/// How the columns are dealt out to the threads of a [`Pool`](crate::Pool).
///
/// One unit of work is one column, as in the lecture. The Julia construct
/// each schedule models is named on its variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// Every column in order on one worker, always worker-0 (`juliaset`).
    Serial,
    /// One equal contiguous block a thread, block `t` on worker `t`
    /// (`Threads.@threads :static`).
    Static,
    /// `threads` equal contiguous blocks handed out on demand from a shared
    /// counter (`Threads.@threads :dynamic`, Julia ≥ 1.8): as unbalanced as
    /// `static`, since there are no more blocks than threads.
    Dynamic,
    /// Self-scheduling: each thread takes the next `chunk` columns from a
    /// shared counter (OpenMP `schedule(dynamic, chunk)`).
    Chunked {
        /// Columns a thread takes at a time (≥ 1).
        chunk: usize,
    },
    /// Chunks that shrink as the work runs out: each takes
    /// `ceil(remaining / threads)` columns, at least 1 (OpenMP
    /// `schedule(guided)`).
    Guided,
    /// Recursive halving with `rayon::join` until a piece has at most
    /// `n / ntasks` columns (at least 1), the left half offered to other
    /// threads and the right half kept (`juliaset_recspawn!`).
    ForkJoin {
        /// Pieces to aim for (≥ 1).
        ntasks: usize,
    },
    /// A rayon parallel iterator over the columns, split adaptively but never
    /// finer than `basesize` columns (FLoops `ThreadedEx(basesize)`, which
    /// always splits down to `basesize`; rayon stops splitting once every
    /// thread is busy).
    Rayon {
        /// Smallest piece, in columns (≥ 1).
        basesize: usize,
    },
    /// One task a `basesize` chunk of columns, spawned in loop order into a
    /// FIFO scope, so the chunks start roughly left to right (FoldsThreads
    /// `DepthFirstEx(basesize)`).
    DepthFirst {
        /// Columns a task (≥ 1).
        basesize: usize,
    },
}

/// The one parameter a schedule may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScheduleParam {
    /// Columns a thread takes at a time ([`Schedule::Chunked`]).
    Chunk,
    /// Pieces to aim for ([`Schedule::ForkJoin`]).
    Ntasks,
    /// Smallest piece or task, in columns ([`Schedule::Rayon`],
    /// [`Schedule::DepthFirst`]).
    Basesize,
}

impl ScheduleParam {
    /// The parameter's name as options and tables spell it.
    pub fn name(self) -> &'static str {
        match self {
            ScheduleParam::Chunk => "chunk",
            ScheduleParam::Ntasks => "ntasks",
            ScheduleParam::Basesize => "basesize",
        }
    }
}

impl fmt::Display for ScheduleParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Default `chunk` of [`Schedule::Chunked`]: 4 columns balance almost as
/// well as 1 with a quarter of the counter traffic.
pub const DEFAULT_CHUNK: usize = 4;
/// Default `ntasks` of [`Schedule::ForkJoin`]: the lecture's 16.
pub const DEFAULT_NTASKS: usize = 16;
/// Default `basesize` of [`Schedule::Rayon`] and [`Schedule::DepthFirst`]:
/// the lecture's 2.
pub const DEFAULT_BASESIZE: usize = 2;

impl Schedule {
    /// The names, in the order of [`Schedule::all`].
    pub const NAMES: [&'static str; 8] = [
        "serial",
        "static",
        "dynamic",
        "chunked",
        "guided",
        "forkjoin",
        "rayon",
        "depthfirst",
    ];

    /// Every schedule with its default parameter: `chunked(chunk=4)`,
    /// `forkjoin(ntasks=16)`, `rayon(basesize=2)`, `depthfirst(basesize=2)`.
    pub fn all() -> [Schedule; 8] {
        [
            Schedule::Serial,
            Schedule::Static,
            Schedule::Dynamic,
            Schedule::Chunked {
                chunk: DEFAULT_CHUNK,
            },
            Schedule::Guided,
            Schedule::ForkJoin {
                ntasks: DEFAULT_NTASKS,
            },
            Schedule::Rayon {
                basesize: DEFAULT_BASESIZE,
            },
            Schedule::DepthFirst {
                basesize: DEFAULT_BASESIZE,
            },
        ]
    }

    /// The name: one of [`Schedule::NAMES`].
    pub fn name(&self) -> &'static str {
        match self {
            Schedule::Serial => "serial",
            Schedule::Static => "static",
            Schedule::Dynamic => "dynamic",
            Schedule::Chunked { .. } => "chunked",
            Schedule::Guided => "guided",
            Schedule::ForkJoin { .. } => "forkjoin",
            Schedule::Rayon { .. } => "rayon",
            Schedule::DepthFirst { .. } => "depthfirst",
        }
    }

    /// The parameter's name (`"chunk"`, `"ntasks"`, `"basesize"`), or `None`
    /// for schedules without one.
    pub fn param_name(&self) -> Option<&'static str> {
        self.param_kind().map(ScheduleParam::name)
    }

    /// Which parameter this schedule takes, or `None` for schedules without
    /// one.
    pub fn param_kind(&self) -> Option<ScheduleParam> {
        match self {
            Schedule::Chunked { .. } => Some(ScheduleParam::Chunk),
            Schedule::ForkJoin { .. } => Some(ScheduleParam::Ntasks),
            Schedule::Rayon { .. } | Schedule::DepthFirst { .. } => Some(ScheduleParam::Basesize),
            _ => None,
        }
    }

    /// The parameter's value, or `None` for schedules without one.
    pub fn param(&self) -> Option<usize> {
        match *self {
            Schedule::Chunked { chunk } => Some(chunk),
            Schedule::ForkJoin { ntasks } => Some(ntasks),
            Schedule::Rayon { basesize } | Schedule::DepthFirst { basesize } => Some(basesize),
            _ => None,
        }
    }

    /// The parameter as text, `"chunk=4"`, or `""` for schedules without one.
    pub fn params(&self) -> String {
        match (self.param_kind(), self.param()) {
            (Some(param), Some(value)) => format!("{param}={value}"),
            _ => String::new(),
        }
    }

    /// The same schedule with its parameter set to `value`; schedules
    /// without a parameter come back unchanged.
    pub fn with_param(self, value: usize) -> Schedule {
        match self {
            Schedule::Chunked { .. } => Schedule::Chunked { chunk: value },
            Schedule::ForkJoin { .. } => Schedule::ForkJoin { ntasks: value },
            Schedule::Rayon { .. } => Schedule::Rayon { basesize: value },
            Schedule::DepthFirst { .. } => Schedule::DepthFirst { basesize: value },
            other => other,
        }
    }

    /// The schedule called `name` (case-insensitive), with its parameter set
    /// to `param` or left at its default. Errors: an unknown name (the
    /// message lists the valid ones), a parameter for a schedule that takes
    /// none, or a zero parameter.
    pub fn from_name(name: &str, param: Option<usize>) -> Result<Schedule, KernelError> {
        let key = name.trim().to_ascii_lowercase();
        let schedule = Schedule::all()
            .into_iter()
            .find(|s| s.name() == key)
            .ok_or_else(|| KernelError::UnknownSchedule {
                name: name.to_owned(),
            })?;
        let schedule = match (schedule.param_kind(), param) {
            (_, None) => schedule,
            (Some(_), Some(value)) => schedule.with_param(value),
            (None, Some(value)) => {
                return Err(KernelError::UnexpectedParameter {
                    schedule: schedule.name(),
                    given: value.to_string(),
                })
            }
        };
        schedule.validate()?;
        Ok(schedule)
    }

    /// Checks the parameter: chunk, ntasks and basesize must be at least 1.
    pub fn validate(&self) -> Result<(), KernelError> {
        match (self.param_kind(), self.param()) {
            (Some(param), Some(0)) => Err(KernelError::InvalidParameter {
                schedule: self.name(),
                param: param.name(),
                value: 0,
            }),
            _ => Ok(()),
        }
    }

    /// Makes a trace recorded under this schedule describe the threads the
    /// schedule uses. `serial` is a one-thread schedule: only the lane that
    /// ran it (worker-0's) is kept (the pool's other workers, idle by design, are not
    /// its imbalance). Every other schedule keeps every worker's lane, busy
    /// or idle.
    pub fn trim_lanes(&self, trace: &mut logprof::Trace) {
        if *self == Schedule::Serial && trace.lanes.iter().any(|l| !l.spans.is_empty()) {
            trace.lanes.retain(|l| !l.spans.is_empty());
        }
    }

    /// The pieces of work (contiguous column ranges) this schedule cuts
    /// `0..n` into with `threads` threads, in the order they are handed
    /// out, when that is fixed in advance; `None` for `rayon`, whose
    /// splitting adapts to stealing. The pieces partition `0..n`. Useful to
    /// explain a timeline (pair with [`Image::iterations_per_column`](crate::Image::iterations_per_column)).
    ///
    /// For `static` piece `t` runs on worker `t`; for `dynamic`, `chunked`,
    /// `guided` and `depthfirst` any thread may take any piece, in order;
    /// for `forkjoin` these are the leaves of the recursion, left to right.
    pub fn pieces(&self, n: usize, threads: usize) -> Option<Vec<Range<usize>>> {
        let threads = threads.max(1);
        match *self {
            Schedule::Serial => Some(std::iter::once(0..n).collect()),
            Schedule::Static | Schedule::Dynamic => Some(static_blocks(n, threads)),
            Schedule::Chunked { chunk } => Some(chunked_blocks(n, chunk)),
            Schedule::Guided => Some(guided_blocks(n, threads)),
            Schedule::ForkJoin { ntasks } => Some(forkjoin_leaves(n, ntasks)),
            Schedule::DepthFirst { basesize } => Some(chunked_blocks(n, basesize)),
            Schedule::Rayon { .. } => None,
        }
    }
}

impl Default for Schedule {
    /// `serial`.
    fn default() -> Schedule {
        Schedule::Serial
    }
}

impl fmt::Display for Schedule {
    /// `"serial"`, `"chunked(chunk=4)"`, `"forkjoin(ntasks=16)"`, ...; reads
    /// back with [`FromStr`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.param_kind(), self.param()) {
            (Some(param), Some(value)) => write!(f, "{}({param}={value})", self.name()),
            _ => f.write_str(self.name()),
        }
    }
}

impl FromStr for Schedule {
    type Err = KernelError;

    /// Reads `name`, `name(value)` or `name(param=value)`, e.g. `static`,
    /// `chunked(8)`, `rayon(basesize=32)`. A missing parameter takes the
    /// default.
    fn from_str(text: &str) -> Result<Schedule, KernelError> {
        let text = text.trim();
        let Some(open) = text.find('(') else {
            return Schedule::from_name(text, None);
        };
        let name = text[..open].trim();
        let malformed = || KernelError::MalformedParameter {
            schedule: name.to_owned(),
            given: text[open..].to_owned(),
        };
        let inner = text[open + 1..].strip_suffix(')').ok_or_else(malformed)?;
        let schedule = Schedule::from_name(name, None)?;
        let value = match inner.split_once('=') {
            Some((key, value)) => {
                let key = key.trim();
                if schedule
                    .param_kind()
                    .is_some_and(|param| param.name() != key)
                {
                    return Err(malformed());
                }
                value
            }
            None => inner,
        };
        if value.trim().is_empty() {
            return Ok(schedule);
        }
        if schedule.param_kind().is_none() {
            return Err(KernelError::UnexpectedParameter {
                schedule: schedule.name(),
                given: inner.to_owned(),
            });
        }
        let value: usize = value.trim().parse().map_err(|_| malformed())?;
        Schedule::from_name(name, Some(value))
    }
}

/// `blocks` equal contiguous blocks of `0..n` (lengths differ by at most
/// one; some are empty when `blocks > n`). Block `t` is
/// `t*n/blocks .. (t+1)*n/blocks`.
pub(crate) fn static_blocks(n: usize, blocks: usize) -> Vec<Range<usize>> {
    // u128: `t * n` cannot overflow whatever the thread count.
    let bound = |t: usize| (t as u128 * n as u128 / blocks as u128) as usize;
    (0..blocks).map(|t| bound(t)..bound(t + 1)).collect()
}

/// `0..n` in pieces of `chunk` (the last may be shorter).
fn chunked_blocks(n: usize, chunk: usize) -> Vec<Range<usize>> {
    let chunk = chunk.max(1);
    (0..n.div_ceil(chunk))
        .map(|k| k * chunk..((k + 1) * chunk).min(n))
        .collect()
}

/// The guided schedule's pieces: each `ceil(remaining / threads)` columns.
/// Which thread takes a piece varies, but the sizes do not: each depends
/// only on how many columns remain.
fn guided_blocks(n: usize, threads: usize) -> Vec<Range<usize>> {
    let threads = threads.max(1);
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < n {
        let size = (n - start).div_ceil(threads).max(1);
        pieces.push(start..start + size);
        start += size;
    }
    pieces
}

/// Whether fork-join splits a piece of `len` columns of `n` aiming at
/// `ntasks` pieces: while it holds more than `n / ntasks` columns (real
/// division, so `len * ntasks > n`), and never below one column.
#[inline]
fn forkjoin_splits(len: usize, n: usize, ntasks: usize) -> bool {
    len > 1 && (len as u128) * (ntasks as u128) > n as u128
}

/// Where fork-join splits `lo..hi`: the lecture's `mid = (lo+hi)>>>1` on
/// inclusive 1-based bounds, so the left half gets the extra column.
#[inline]
fn forkjoin_mid(lo: usize, hi: usize) -> usize {
    lo + (hi - lo).div_ceil(2)
}

/// Where fork-join halves `lo..hi` (of `n` columns, aiming at `ntasks`
/// pieces), or `None` for a leaf: the one rule both the run's recursion and
/// [`Schedule::pieces`] follow.
#[inline]
pub(crate) fn forkjoin_split(lo: usize, hi: usize, n: usize, ntasks: usize) -> Option<usize> {
    forkjoin_splits(hi - lo, n, ntasks).then(|| forkjoin_mid(lo, hi))
}

/// The leaves of the fork-join recursion over `0..n`, left to right.
fn forkjoin_leaves(n: usize, ntasks: usize) -> Vec<Range<usize>> {
    fn go(lo: usize, hi: usize, n: usize, ntasks: usize, out: &mut Vec<Range<usize>>) {
        if let Some(mid) = forkjoin_split(lo, hi, n, ntasks) {
            go(lo, mid, n, ntasks, out);
            go(mid, hi, n, ntasks, out);
        } else {
            out.push(lo..hi);
        }
    }
    let mut out = Vec::new();
    if n > 0 {
        go(0, n, n, ntasks.max(1), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_partition(pieces: &[Range<usize>], n: usize) -> bool {
        let mut next = 0;
        for p in pieces {
            if p.start != next || p.end < p.start {
                return false;
            }
            next = p.end;
        }
        next == n
    }

    #[test]
    fn pieces_partition_the_columns() {
        for n in [1, 2, 3, 5, 17, 100, 1000] {
            for threads in [1, 2, 3, 4, 7, 16, 64] {
                for s in Schedule::all().into_iter().chain([
                    Schedule::Chunked { chunk: 1 },
                    Schedule::Chunked { chunk: 1000 },
                    Schedule::ForkJoin { ntasks: 1 },
                    Schedule::ForkJoin { ntasks: 5000 },
                    Schedule::DepthFirst { basesize: 7 },
                ]) {
                    if let Some(p) = s.pieces(n, threads) {
                        assert!(is_partition(&p, n), "{s} n={n} threads={threads}: {p:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn static_blocks_are_equal() {
        assert_eq!(static_blocks(10, 4), vec![0..2, 2..5, 5..7, 7..10]);
        assert_eq!(static_blocks(1000, 4)[1], 250..500);
        assert_eq!(static_blocks(2, 4), vec![0..0, 0..1, 1..1, 1..2]);
    }

    #[test]
    fn guided_pieces_shrink() {
        let p = guided_blocks(100, 4);
        assert_eq!(p[0], 0..25);
        assert_eq!(p[1], 25..44);
        let lens: Vec<usize> = p.iter().map(|r| r.len()).collect();
        assert!(lens.windows(2).all(|w| w[0] >= w[1]), "{lens:?}");
        assert_eq!(*lens.last().unwrap(), 1);
    }

    #[test]
    fn forkjoin_leaves_are_at_most_n_over_ntasks() {
        let leaves = forkjoin_leaves(1000, 16);
        // 1000 -> 500 -> 250 -> 125 -> 63 + 62, and 63 > 62.5 splits again:
        // the lecture's rule gives 8 × (32, 31, 62) = 24 leaves, not 16.
        assert_eq!(leaves.len(), 24);
        assert!(leaves.iter().all(|r| r.len() * 16 <= 1000));
        // The lecture's split: the left half of 1..=1000 is 1..=500.
        assert_eq!(forkjoin_mid(0, 1000), 500);
        assert_eq!(forkjoin_mid(0, 5), 3);
        // More tasks than columns: one column a leaf, no endless splitting.
        assert_eq!(forkjoin_leaves(3, 100), vec![0..1, 1..2, 2..3]);
        assert_eq!(forkjoin_leaves(5, 1), vec![0..5]);
    }

    #[test]
    fn names_round_trip() {
        for s in Schedule::all() {
            assert_eq!(s.to_string().parse::<Schedule>().unwrap(), s);
            assert_eq!(Schedule::from_name(s.name(), s.param()).unwrap(), s);
        }
        assert_eq!(Schedule::NAMES.map(|n| n.to_owned()).to_vec(), {
            Schedule::all()
                .iter()
                .map(|s| s.name().to_owned())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            "chunked(8)".parse::<Schedule>().unwrap(),
            Schedule::Chunked { chunk: 8 }
        );
        assert_eq!(
            " Rayon( basesize = 32 ) ".parse::<Schedule>().unwrap(),
            Schedule::Rayon { basesize: 32 }
        );
        assert_eq!(
            "forkjoin()".parse::<Schedule>().unwrap(),
            Schedule::ForkJoin { ntasks: 16 }
        );
        assert_eq!(Schedule::ForkJoin { ntasks: 16 }.params(), "ntasks=16");
        assert_eq!(Schedule::Static.params(), "");
        assert_eq!(
            Schedule::ForkJoin { ntasks: 16 }.to_string(),
            "forkjoin(ntasks=16)"
        );
    }

    #[test]
    fn bad_names_and_parameters_are_errors() {
        let err = "fastest".parse::<Schedule>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"fastest\""), "{msg}");
        for name in Schedule::NAMES {
            assert!(msg.contains(name), "{msg}");
        }
        let err = "chunked(0)".parse::<Schedule>().unwrap_err();
        assert_eq!(
            err,
            KernelError::InvalidParameter {
                schedule: "chunked",
                param: "chunk",
                value: 0
            }
        );
        assert!(err.to_string().contains("chunk=0"), "{err}");
        assert!(matches!(
            "static(3)".parse::<Schedule>(),
            Err(KernelError::UnexpectedParameter { .. })
        ));
        assert!(matches!(
            "rayon(x)".parse::<Schedule>(),
            Err(KernelError::MalformedParameter { .. })
        ));
        assert!(matches!(
            "rayon(ntasks=3)".parse::<Schedule>(),
            Err(KernelError::MalformedParameter { .. })
        ));
        assert!(matches!(
            "rayon(3".parse::<Schedule>(),
            Err(KernelError::MalformedParameter { .. })
        ));
        assert!(matches!(
            Schedule::from_name("forkjoin", Some(0)),
            Err(KernelError::InvalidParameter {
                param: "ntasks",
                ..
            })
        ));
        assert!(Schedule::DepthFirst { basesize: 0 }.validate().is_err());
    }
}
