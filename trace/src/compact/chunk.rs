//! A chunk's frame (kind, codec, lengths), the chunk kinds, and the footer
//! that indexes every chunk of a file so a reader can seek
//! ([`read_index`]).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::varint::{self, Bytes};
use super::{CompactError, END_MAGIC, HEADER_LEN, MAGIC, VERSION};

/// The length of a chunk's frame: kind (1 byte), codec (1), stored length
/// (`u32` LE), raw length (`u32` LE).
pub(crate) const FRAME_LEN: usize = 10;

/// The length of the trailer: the footer's offset (`u64` LE), [`END_MAGIC`].
pub(crate) const TRAILER_LEN: usize = 16;

/// Codec 0: the payload is stored as it is.
pub(crate) const CODEC_NONE: u8 = 0;

/// What a chunk holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ChunkKind {
    /// Names, appended to the names table in id order.
    Names = 1,
    /// Flags of names (region, …), ORed into what the name had.
    NameFlags = 2,
    /// A lane: pid, tid, thread name, start CPU. Lanes are numbered in
    /// the order their chunks come.
    Lane = 3,
    /// Spans of one lane.
    Spans = 4,
    /// Instants of one lane.
    Instants = 5,
    /// Off-CPU intervals of one lane.
    OffCpu = 6,
    /// A counter track: pid and name. Numbered in the order they come.
    Counter = 7,
    /// Samples of one counter track.
    Samples = 8,
    /// Events of one lane that a streaming writer could not keep up with.
    Lost = 9,
    /// The trace-wide facts: process names, metadata, losses, repairs,
    /// off-CPU status, cores.
    Info = 10,
    /// The index of every chunk before it; the last chunk of a complete file.
    Footer = 11,
    /// Which rank of an MPI run wrote the file, of how many, its host and
    /// CPUs ([`crate::ranks::RankFacts`]).
    Rank = 12,
    /// One sample of the rank's clock offset to rank 0's, at the start or
    /// the end of the recording.
    Clock = 13,
    /// Events of one lane as a streaming writer drained them, to be
    /// paired into spans by the reader (`events.rs`).
    Events = 14,
}

impl ChunkKind {
    pub(crate) fn from_u8(b: u8) -> Option<ChunkKind> {
        use ChunkKind::*;
        Some(match b {
            1 => Names,
            2 => NameFlags,
            3 => Lane,
            4 => Spans,
            5 => Instants,
            6 => OffCpu,
            7 => Counter,
            8 => Samples,
            9 => Lost,
            10 => Info,
            11 => Footer,
            12 => Rank,
            13 => Clock,
            14 => Events,
            _ => return None,
        })
    }
}

/// One chunk as the footer indexes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkEntry {
    /// The byte of the file where its frame begins.
    pub offset: u64,
    /// What it holds.
    pub kind: ChunkKind,
    /// The lane (or counter track) it belongs to, by number.
    pub lane: Option<u32>,
    /// The earliest and latest times it holds, for spans, instants,
    /// off-CPU intervals and samples; `(0, 0)` otherwise.
    pub first_ns: u64,
    /// See `first_ns`.
    pub last_ns: u64,
}

/// The frame of a chunk of `kind` whose payload is `stored` bytes long
/// (`raw` once decoded).
pub(crate) fn frame(kind: ChunkKind, codec: u8, stored: u32, raw: u32) -> [u8; FRAME_LEN] {
    let mut f = [0u8; FRAME_LEN];
    f[0] = kind as u8;
    f[1] = codec;
    f[2..6].copy_from_slice(&stored.to_le_bytes());
    f[6..10].copy_from_slice(&raw.to_le_bytes());
    f
}

/// The footer's payload.
pub(crate) fn encode_footer(entries: &[ChunkEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 8 + 8);
    varint::put(&mut out, entries.len() as u64);
    let mut previous = 0;
    for e in entries {
        varint::put(&mut out, e.offset - previous);
        previous = e.offset;
        out.push(e.kind as u8);
        varint::put(&mut out, e.lane.map_or(0, |l| u64::from(l) + 1));
        varint::put(&mut out, e.first_ns);
        varint::put(&mut out, e.last_ns.wrapping_sub(e.first_ns));
    }
    out
}

pub(crate) fn decode_footer(payload: &[u8]) -> Result<Vec<ChunkEntry>, CompactError> {
    let mut b = Bytes::new(payload);
    let n = b.count("the footer's chunk count")?;
    let mut entries = Vec::with_capacity(n);
    let mut offset = 0u64;
    for _ in 0..n {
        offset = offset.wrapping_add(b.varint("a chunk's offset")?);
        let k = b.u8("a chunk's kind")?;
        let kind = ChunkKind::from_u8(k).ok_or_else(|| {
            CompactError::damaged(format!("the footer lists a chunk of kind {k}"))
        })?;
        let lane = match b.varint("a chunk's lane")? {
            0 => None,
            l => Some(u32::try_from(l - 1).map_err(|_| CompactError::damaged("a lane past 2^32"))?),
        };
        let first_ns = b.varint("a chunk's first time")?;
        let last_ns = first_ns.wrapping_add(b.varint("a chunk's last time")?);
        entries.push(ChunkEntry {
            offset,
            kind,
            lane,
            first_ns,
            last_ns,
        });
    }
    Ok(entries)
}

/// Reads the footer of the complete `.lpt` file at `path` by seeking to
/// its end: every chunk's offset, kind, lane and time range, without
/// reading the chunks. An error for a file that is not `.lpt`, or whose
/// footer is missing (a cut file: [`read`](crate::Trace::read_lpt) still
/// reads what it holds).
pub fn read_index(path: impl AsRef<Path>) -> Result<Vec<ChunkEntry>, CompactError> {
    let mut f = std::fs::File::open(path).map_err(|e| CompactError::io("cannot open", e))?;
    index_from(&mut f)
}

/// [`read_index`] of a whole file held in memory.
pub fn read_index_of(bytes: &[u8]) -> Result<Vec<ChunkEntry>, CompactError> {
    index_from(&mut std::io::Cursor::new(bytes))
}

fn index_from(f: &mut (impl Read + Seek)) -> Result<Vec<ChunkEntry>, CompactError> {
    let mut header = [0u8; HEADER_LEN];
    f.read_exact(&mut header)
        .map_err(|e| CompactError::io("cannot read the header", e))?;
    check_header(&header)?;
    let len = f
        .seek(SeekFrom::End(0))
        .map_err(|e| CompactError::io("cannot seek", e))?;
    let no_footer = || {
        CompactError::new("the file has no footer index (it was cut off or is still being written)")
    };
    if len < (HEADER_LEN + FRAME_LEN + TRAILER_LEN) as u64 {
        return Err(no_footer());
    }
    let mut trailer = [0u8; TRAILER_LEN];
    f.seek(SeekFrom::Start(len - TRAILER_LEN as u64))
        .and_then(|_| f.read_exact(&mut trailer))
        .map_err(|e| CompactError::io("cannot read the trailer", e))?;
    if trailer[8..] != END_MAGIC {
        return Err(no_footer());
    }
    let footer_at = u64::from_le_bytes(trailer[..8].try_into().unwrap_or_default());
    if footer_at > len - (TRAILER_LEN + FRAME_LEN) as u64 {
        return Err(CompactError::damaged("the trailer points past the end").at(len - 16));
    }
    let mut fr = [0u8; FRAME_LEN];
    f.seek(SeekFrom::Start(footer_at))
        .and_then(|_| f.read_exact(&mut fr))
        .map_err(|e| CompactError::io("cannot read the footer", e))?;
    let stored = u32::from_le_bytes([fr[2], fr[3], fr[4], fr[5]]) as u64;
    if fr[0] != ChunkKind::Footer as u8
        || fr[1] != CODEC_NONE
        || footer_at + FRAME_LEN as u64 + stored > len
    {
        return Err(
            CompactError::damaged("the trailer does not point at the footer").at(footer_at),
        );
    }
    let mut payload = vec![0u8; stored as usize];
    f.read_exact(&mut payload)
        .map_err(|e| CompactError::io("cannot read the footer", e))?;
    decode_footer(&payload).map_err(|e| e.at(footer_at))
}

/// Checks a file's header: the magic number and a version this crate
/// reads. Returns the flags.
pub(crate) fn check_header(header: &[u8; HEADER_LEN]) -> Result<u16, CompactError> {
    if header[..8] != MAGIC {
        return Err(CompactError::new(
            "not a logprof .lpt trace (its first bytes are not the .lpt magic number)",
        ));
    }
    let version = u16::from_le_bytes([header[8], header[9]]);
    if version > VERSION {
        return Err(CompactError::new(format!(
            "written by a newer logprof: format version {version}, this logprof reads up to \
             version {VERSION}; update logprof to read it"
        )));
    }
    if version == 0 {
        return Err(CompactError::damaged("format version 0 does not exist").at(8));
    }
    Ok(u16::from_le_bytes([header[10], header[11]]))
}
