//! What a stream on one rank of an MPI run writes besides its events, so
//! that `logprof merge` (or `Ranks::merge_streams`, feature `mpi`) can
//! merge the ranks' files: which rank it is, of how many, and its
//! clock's offset to rank 0's (the `rank` and `clock` chunks,
//! `docs/compact-format.md`).
//!
//! Each rank streams to a file of its own: the path asked for with
//! `.rank-N` before its extension ([`logprof_trace::ranks::rank_path`]),
//! whenever the process knows it is rank N: from `logprof::ranks::Ranks`
//! (feature `mpi`), or else from the launcher's environment
//! (`OMPI_COMM_WORLD_RANK`, `PMIX_RANK`, `PMI_RANK`), so that ranks of a
//! program without the feature still write a file each instead of one
//! file over each other.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use logprof_trace::ranks::{rank_path, ClockSync, RankFacts};

use crate::Span;

/// How a recorded MPI call's span gets its message key (`ranks::messages`).
pub(crate) type MessageKeys = fn(&str, &mut Span);

/// What `logprof::ranks` told the stream.
struct Note {
    facts: Option<RankFacts>,
    shift_ns: i64,
    messages: Option<MessageKeys>,
}

static NOTE: Mutex<Note> = Mutex::new(Note {
    facts: None,
    shift_ns: 0,
    messages: None,
});

fn note() -> std::sync::MutexGuard<'static, Note> {
    NOTE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// This process is the rank `facts` says (its clock samples kept).
#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
pub(crate) fn note_rank(facts: RankFacts) {
    let mut note = note();
    let (start, end) = note
        .facts
        .as_ref()
        .map_or((None, None), |f| (f.clock_start, f.clock_end));
    note.facts = Some(RankFacts {
        clock_start: start,
        clock_end: end,
        ..facts
    });
}

/// The rank's clock against rank 0's, measured at the start and now: the
/// stream writes it as it ends.
#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
pub(crate) fn note_clock(sync: ClockSync) {
    if let Some(f) = note().facts.as_mut() {
        f.clock_start = Some(sync.start);
        f.clock_end = Some(sync.end);
    }
}

/// Every time the stream writes moves by `ns` (`LOGPROF_RANK_CLOCK_SHIFT`).
#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
pub(crate) fn note_shift(ns: i64) {
    note().shift_ns = ns;
}

/// The function that gives MPI calls' spans their message keys.
#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
pub(crate) fn note_messages(keys: MessageKeys) {
    note().messages = Some(keys);
}

/// The rank's facts (its clock samples once measured), the shift and the
/// message keys, as the writer reads them each round.
pub(crate) fn current() -> (Option<RankFacts>, i64, Option<MessageKeys>) {
    let note = note();
    (note.facts.clone(), note.shift_ns, note.messages)
}

/// The rank and size the MPI launcher's environment (`env`) gives, when
/// it does.
fn launched(env: impl Fn(&str) -> Option<String>) -> Option<RankFacts> {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| env(n)?.trim().parse::<u32>().ok())
    };
    let rank = var(&["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"])?;
    let ranks = var(&["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"]).filter(|&n| n > rank)?;
    Some(RankFacts {
        rank,
        ranks,
        ..RankFacts::default()
    })
}

/// The file a stream asked for at `path` goes to, and the rank facts it
/// starts with: `path` itself outside MPI.
pub(crate) fn start(path: &Path) -> PathBuf {
    let mut note = note();
    if note.facts.is_none() {
        note.facts = launched(|n| std::env::var(n).ok());
    }
    match &note.facts {
        Some(f) => rank_path(path, f.rank),
        None => path.to_path_buf(),
    }
}

/// Forgets the clock samples a stream wrote: a later stream measures its own.
pub(crate) fn end() {
    if let Some(f) = note().facts.as_mut() {
        f.clock_start = None;
        f.clock_end = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launchers_rank_and_size_are_read_from_its_variables() {
        fn env<'a>(
            vars: &'a [(&'static str, &'static str)],
        ) -> impl Fn(&str) -> Option<String> + 'a {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        }
        let open_mpi = [("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "4")];
        let facts = launched(env(&open_mpi)).expect("a rank");
        assert_eq!((facts.rank, facts.ranks), (3, 4));
        let pmi = [("PMI_RANK", " 1 "), ("PMI_SIZE", "2")];
        assert_eq!(launched(env(&pmi)).map(|f| f.rank), Some(1));
        let past = [("PMIX_RANK", "3"), ("PMI_SIZE", "3")];
        assert!(launched(env(&past)).is_none(), "rank 3 of 3 is no rank");
        assert!(launched(env(&[("PMI_RANK", "1")])).is_none(), "no size");
        assert!(launched(env(&[])).is_none());
    }
}
