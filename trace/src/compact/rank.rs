//! The chunks a rank's file carries for merging ([`crate::ranks`]): `rank`
//! (which rank of how many, its host and CPUs) and `clock` (one sample of
//! its clock's offset to rank 0's, at the start or at the end).

use super::varint::{self, Bytes};
use super::CompactError;
use crate::ranks::{ClockSample, RankFacts};

/// Which of a rank's two clock samples a `clock` chunk holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMoment {
    /// Measured when the ranks started.
    Start,
    /// Measured when the recording ended.
    End,
}

pub(crate) fn encode_rank(out: &mut Vec<u8>, facts: &RankFacts) {
    varint::put(out, facts.rank.into());
    varint::put(out, facts.ranks.into());
    varint::put_str(out, &facts.host);
    match &facts.cpus {
        None => varint::put(out, 0),
        Some(cpus) => {
            varint::put(out, cpus.len() as u64 + 1);
            for &c in cpus {
                varint::put(out, c.into());
            }
        }
    }
    varint::put_opt_u32(out, facts.quota);
}

/// Reads a `rank` chunk into `facts`, keeping its clock samples.
pub(crate) fn decode_rank(b: &mut Bytes<'_>, facts: &mut RankFacts) -> Result<(), CompactError> {
    facts.rank = b.u32("the rank")?;
    facts.ranks = b.u32("the number of ranks")?;
    if facts.rank >= facts.ranks {
        return Err(CompactError::damaged(format!(
            "rank {} of {} ranks",
            facts.rank, facts.ranks
        )));
    }
    facts.host = b.string("the rank's host")?;
    facts.cpus = match b.count("the rank's CPUs")? {
        0 => None,
        n => Some(
            (0..n - 1)
                .map(|_| b.u32("a CPU of the rank"))
                .collect::<Result<_, _>>()?,
        ),
    };
    facts.quota = b.opt_u32("the rank's CPU quota")?;
    Ok(())
}

pub(crate) fn encode_clock(out: &mut Vec<u8>, moment: ClockMoment, sample: &ClockSample) {
    out.push(match moment {
        ClockMoment::Start => 0,
        ClockMoment::End => 1,
    });
    varint::put(out, sample.at_ns);
    varint::put_signed(out, sample.offset_ns);
    varint::put(out, sample.uncertainty_ns);
}

/// Reads a `clock` chunk into `facts`.
pub(crate) fn decode_clock(b: &mut Bytes<'_>, facts: &mut RankFacts) -> Result<(), CompactError> {
    let moment = b.u8("the clock sample's moment")?;
    let sample = ClockSample {
        at_ns: b.varint("the clock sample's time")?,
        offset_ns: b.signed("the clock offset")?,
        uncertainty_ns: b.varint("the clock offset's uncertainty")?,
    };
    match moment {
        0 => facts.clock_start = Some(sample),
        1 => facts.clock_end = Some(sample),
        m => {
            return Err(CompactError::damaged(format!(
                "a clock sample of moment {m} (0 start, 1 end)"
            )))
        }
    }
    Ok(())
}
