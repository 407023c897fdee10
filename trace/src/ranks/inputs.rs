//! The inputs of a merge: each file's rank, read from its `rank` and
//! `clock` chunks (or a whole trace's metadata), and the checks that the
//! set is one run's ranks, each once.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::RankFacts;
use crate::compact::varint::Bytes;
use crate::compact::{self, ChunkKind, LptReader};
use crate::{Trace, TraceFormat};

/// Why ranks' files could not be merged: the file and what is wrong, in
/// words that say what to do.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct MergeError {
    message: String,
}

impl MergeError {
    pub(crate) fn new(message: impl Into<String>) -> MergeError {
        MergeError {
            message: message.into(),
        }
    }

    pub(crate) fn of_file(path: &Path, problem: impl std::fmt::Display) -> MergeError {
        MergeError::new(format!("{}: {problem}", path.display()))
    }
}

/// The file rank `rank` streams to when the stream's path is `base`:
/// `.rank-N` before the extension (`run.lpt` → `run.rank-3.lpt`; `run` →
/// `run.rank-3`).
pub fn rank_path(base: &Path, rank: u32) -> PathBuf {
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match base.extension() {
        Some(ext) => format!("{stem}.rank-{rank}.{}", ext.to_string_lossy()),
        None => format!("{stem}.rank-{rank}"),
    };
    base.with_file_name(name)
}

/// Where an input's chunks come from.
pub(super) enum Source {
    /// An `.lpt` file, read chunk by chunk.
    Lpt,
    /// A file of another format, read whole and held as `.lpt` bytes.
    Whole(Vec<u8>),
}

/// One input file, its rank known.
pub(super) struct Input {
    pub(super) path: PathBuf,
    pub(super) facts: RankFacts,
    pub(super) source: Source,
}

impl Input {
    /// Its chunks, from the start.
    pub(super) fn reader(&self) -> Result<LptReader<Box<dyn Read + '_>>, MergeError> {
        let input: Box<dyn Read> = match &self.source {
            Source::Lpt => {
                let file = std::fs::File::open(&self.path)
                    .map_err(|e| MergeError::of_file(&self.path, format!("cannot open: {e}")))?;
                Box::new(BufReader::with_capacity(1 << 16, file))
            }
            Source::Whole(bytes) => Box::new(&bytes[..]),
        };
        LptReader::new(input).map_err(|e| MergeError::of_file(&self.path, e))
    }
}

/// Reads what `path` says of its rank: the `rank` and `clock` chunks of an
/// `.lpt` file (its events are passed over, not decoded), or the metadata
/// of a whole trace of another format, which is read and held.
fn scan(path: &Path) -> Result<(Option<RankFacts>, Source), MergeError> {
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| MergeError::of_file(path, format!("cannot read: {e}")))?;
    if TraceFormat::of_bytes(&head[..n]) != Some(TraceFormat::Compact) {
        let trace = Trace::read_file(path).map_err(|e| MergeError::new(e.to_string()))?;
        let mut bytes = Vec::new();
        trace
            .write_lpt_to(&mut bytes)
            .map_err(|e| MergeError::of_file(path, e))?;
        return Ok((RankFacts::of_trace(&trace), Source::Whole(bytes)));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| MergeError::of_file(path, format!("cannot open: {e}")))?;
    let mut reader = LptReader::new(BufReader::with_capacity(1 << 16, file))
        .map_err(|e| MergeError::of_file(path, e))?;
    let mut facts: Option<RankFacts> = None;
    let mut from_info: Option<RankFacts> = None;
    while let Some((kind, at, payload)) = reader
        .next_chunk()
        .map_err(|e| MergeError::of_file(path, e))?
    {
        let mut b = Bytes::new(payload);
        let read = match kind {
            Some(ChunkKind::Rank) => compact::decode_rank(&mut b, facts.get_or_insert_default()),
            Some(ChunkKind::Clock) => compact::decode_clock(&mut b, facts.get_or_insert_default()),
            // A whole trace of a rank's file written again keeps its facts
            // in its metadata.
            Some(ChunkKind::Info) => {
                let mut info = Trace::new();
                compact::decode_info(&mut b, &mut info).map(|()| {
                    from_info = RankFacts::of_trace(&info);
                })
            }
            _ => Ok(()),
        };
        read.map_err(|e| MergeError::of_file(path, e.at(at)))?;
    }
    Ok((facts.or(from_info), Source::Lpt))
}

/// Reads every input's rank and checks they are one run's ranks, each
/// once; returns them in rank order, and notes on what was assumed.
/// `allow_missing`: merge what is there when ranks are missing, with a
/// note, instead of refusing.
pub(super) fn resolve(
    paths: &[PathBuf],
    allow_missing: bool,
) -> Result<(Vec<Input>, Vec<String>), MergeError> {
    if paths.is_empty() {
        return Err(MergeError::new("no files to merge: name each rank's file"));
    }
    let mut notes = Vec::new();
    let mut inputs = Vec::new();
    let mut unnamed = Vec::new();
    for path in paths {
        let (facts, source) = scan(path)?;
        match facts {
            Some(facts) => inputs.push(Input {
                path: path.clone(),
                facts,
                source,
            }),
            None => unnamed.push((path.clone(), source)),
        }
    }
    if inputs.is_empty() {
        // No file says its rank: the order given is the ranks'.
        let ranks = unnamed.len() as u32;
        notes.push(format!(
            "no file says which rank wrote it: ranks 0 to {} are given in the order of the \
             files, and their clocks are not moved",
            ranks - 1
        ));
        let inputs = unnamed
            .into_iter()
            .enumerate()
            .map(|(rank, (path, source))| Input {
                path,
                facts: RankFacts {
                    rank: rank as u32,
                    ranks,
                    ..RankFacts::default()
                },
                source,
            })
            .collect();
        return Ok((inputs, notes));
    }
    if let Some((path, _)) = unnamed.first() {
        return Err(MergeError::of_file(
            path,
            format!(
                "does not say which rank wrote it, while {} does (rank {}): merge the files \
                 of one MPI run, each streamed by logprof on its rank",
                inputs[0].path.display(),
                inputs[0].facts.rank
            ),
        ));
    }
    let first = &inputs[0];
    if let Some(other) = inputs.iter().find(|i| i.facts.ranks != first.facts.ranks) {
        return Err(MergeError::new(format!(
            "the files are not of one run: {} is rank {} of {} ranks, {} rank {} of {}",
            first.path.display(),
            first.facts.rank,
            first.facts.ranks,
            other.path.display(),
            other.facts.rank,
            other.facts.ranks
        )));
    }
    let ranks = first.facts.ranks;
    inputs.sort_by_key(|i| i.facts.rank);
    if let Some(pair) = inputs
        .windows(2)
        .find(|w| w[0].facts.rank == w[1].facts.rank)
    {
        return Err(MergeError::new(format!(
            "{} and {} are both rank {}: give each rank's file once",
            pair[0].path.display(),
            pair[1].path.display(),
            pair[0].facts.rank
        )));
    }
    let have: Vec<u32> = inputs.iter().map(|i| i.facts.rank).collect();
    let missing: Vec<String> = (0..ranks)
        .filter(|r| have.binary_search(r).is_err())
        .map(|r| r.to_string())
        .collect();
    if !missing.is_empty() {
        let which = format!(
            "rank{} {} of {ranks} missing (a rank's file is named like {})",
            if missing.len() > 1 { "s" } else { "" },
            short_list(&missing),
            rank_path(Path::new("run.lpt"), 0).display()
        );
        if !allow_missing {
            return Err(MergeError::new(format!(
                "{which}: give every rank's file, or --allow-missing to merge the others"
            )));
        }
        notes.push(which);
    }
    let unsynced: Vec<String> = inputs
        .iter()
        .filter(|i| {
            i.facts.rank != 0 && i.facts.clock_start.is_none() && i.facts.clock_end.is_none()
        })
        .map(|i| i.facts.rank.to_string())
        .collect();
    if !unsynced.is_empty() {
        notes.push(format!(
            "rank{} {} carr{} no clock samples (not recorded with logprof::ranks::Ranks, or cut \
             off): {} times are not moved onto rank 0's clock",
            if unsynced.len() > 1 { "s" } else { "" },
            short_list(&unsynced),
            if unsynced.len() > 1 { "y" } else { "ies" },
            if unsynced.len() > 1 { "their" } else { "its" },
        ));
    }
    let no_end: Vec<String> = inputs
        .iter()
        .filter(|i| i.facts.clock_start.is_some() && i.facts.clock_end.is_none())
        .map(|i| i.facts.rank.to_string())
        .collect();
    if !no_end.is_empty() {
        notes.push(format!(
            "rank{} {} ha{} no end clock sample (cut off?): the start offset is held throughout",
            if no_end.len() > 1 { "s" } else { "" },
            short_list(&no_end),
            if no_end.len() > 1 { "ve" } else { "s" },
        ));
    }
    Ok((inputs, notes))
}

/// At most eight items, then how many more.
fn short_list(items: &[String]) -> String {
    if items.len() <= 8 {
        return items.join(", ");
    }
    format!("{} and {} more", items[..8].join(", "), items.len() - 8)
}
