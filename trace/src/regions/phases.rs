//! Unmarked regions: a stretch of time cut into serial and parallel phases
//! by the number of lanes working (the rule is in the [module
//! documentation](super)).

use std::collections::HashMap;

use super::work::{Piece, Work};
use crate::trace::NameId;

/// The share of the stretch being cut that a new number of working lanes
/// must hold, without a break, to start a phase.
pub(super) const MIN_PHASE_SHARE: f64 = 0.01;

/// How many lanes work: none, one, or several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Idle,
    Serial,
    Parallel,
}

impl Class {
    fn of(working: usize) -> Class {
        match working {
            0 => Class::Idle,
            1 => Class::Serial,
            _ => Class::Parallel,
        }
    }
}

/// A stretch of one class.
#[derive(Clone, Copy, Debug)]
struct Segment {
    start: u64,
    end: u64,
    class: Class,
    /// The lane working in a serial segment: a serial stretch handed from
    /// one lane to another is two segments, so that a loop's tail on one
    /// lane is told from the serial work that follows on another.
    lane: Option<usize>,
}

impl Segment {
    fn len(&self) -> u64 {
        self.end - self.start
    }
}

/// A phase found: where, and the name that worked most in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Phase {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) name: NameId,
}

/// The pieces of every lane inside `start..end`, as `(lane, piece)`.
fn pieces_in(work: &Work, start: u64, end: u64) -> Vec<(usize, Piece)> {
    (0..work.pieces.len())
        .flat_map(|l| work.clipped(l, start, end).into_iter().map(move |p| (l, p)))
        .collect()
}

/// The stretches of constant class (and, when serial, of one lane) over
/// `start..end`.
fn segments(pieces: &[(usize, Piece)], start: u64, end: u64) -> Vec<Segment> {
    // +1 at a piece's start, -1 at its end, per lane: a lane whose pieces
    // overlap (a hand-built trace) still counts once.
    let mut events: Vec<(u64, i64, usize)> = pieces
        .iter()
        .flat_map(|&(l, p)| [(p.start, 1, l), (p.end, -1, l)])
        .collect();
    events.sort_unstable();
    let lanes = pieces.iter().map(|&(l, _)| l + 1).max().unwrap_or(0);
    let mut open = vec![0i64; lanes];
    // The working lanes' count and the xor of their indices: with one
    // working, the xor is that lane.
    let (mut working, mut xor) = (0usize, 0usize);
    let mut out: Vec<Segment> = Vec::new();
    let mut at = start;
    let push = |out: &mut Vec<Segment>, from: u64, to: u64, (working, xor): (usize, usize)| {
        if to <= from {
            return;
        }
        let class = Class::of(working);
        let lane = (class == Class::Serial).then_some(xor);
        match out.last_mut() {
            Some(last) if last.class == class && last.lane == lane => last.end = to,
            _ => out.push(Segment {
                start: from,
                end: to,
                class,
                lane,
            }),
        }
    };
    for (t, delta, l) in events {
        if t > at {
            push(&mut out, at, t, (working, xor));
            at = t;
        }
        let before = open[l] > 0;
        open[l] += delta;
        if before != (open[l] > 0) {
            xor ^= l;
            working = if before {
                working.saturating_sub(1)
            } else {
                working + 1
            };
        }
    }
    push(&mut out, at, end, (working, xor));
    out
}

/// For each name, up to two lanes that ran it inside `start..end`: enough
/// to tell whether a lane other than a given one did.
fn runners(work: &Work, start: u64, end: u64) -> HashMap<NameId, [Option<usize>; 2]> {
    let mut out: HashMap<NameId, [Option<usize>; 2]> = HashMap::new();
    for (l, p) in pieces_in(work, start, end) {
        let lanes = out.entry(p.name).or_default();
        if lanes[0].is_none() {
            lanes[0] = Some(l);
        } else if lanes[0] != Some(l) && lanes[1].is_none() {
            lanes[1] = Some(l);
        }
    }
    out
}

/// True when every piece in the serial `segment` has a name that a lane
/// other than its own ran in the parallel segment `parallel`: the lone lane
/// is finishing (or starting early) the parallel phase's work.
fn continues(work: &Work, segment: &Segment, parallel: &Segment) -> bool {
    let alone = pieces_in(work, segment.start, segment.end);
    if alone.is_empty() {
        return false;
    }
    let ran = runners(work, parallel.start, parallel.end);
    alone.iter().all(|&(l, p)| {
        ran.get(&p.name)
            .is_some_and(|lanes| lanes.iter().flatten().any(|&other| other != l))
    })
}

/// Marks as parallel the serial segments of `order` (indices into
/// `segments`, forwards for tails, backwards for heads) that continue the
/// parallel segment before them, looking past idle gaps shorter than `min`
/// (a lane between two of its pieces) and past segments already joined.
/// `counted` tells the segments where several lanes worked.
fn join_pass(
    work: &Work,
    segments: &mut [Segment],
    counted: &[bool],
    order: impl Iterator<Item = usize>,
    min: u64,
) {
    let mut parallel: Option<usize> = None;
    for i in order {
        match segments[i].class {
            Class::Parallel if counted[i] => parallel = Some(i),
            Class::Parallel => {} // joined on the other pass
            Class::Idle if segments[i].len() >= min => parallel = None,
            Class::Idle => {}
            Class::Serial => match parallel {
                Some(p) if continues(work, &segments[i], &segments[p]) => {
                    segments[i].class = Class::Parallel;
                    segments[i].lane = None;
                }
                _ => parallel = None,
            },
        }
    }
}

/// Serial segments that are a parallel neighbour's head or tail become
/// parallel (see the module documentation), and neighbours of one class
/// merge.
fn join_tails(work: &Work, mut segments: Vec<Segment>, min: u64) -> Vec<Segment> {
    let n = segments.len();
    let counted: Vec<bool> = segments
        .iter()
        .map(|s| s.class == Class::Parallel)
        .collect();
    join_pass(work, &mut segments, &counted, 0..n, min);
    join_pass(work, &mut segments, &counted, (0..n).rev(), min);
    let mut merged: Vec<Segment> = Vec::with_capacity(n);
    for s in segments {
        match merged.last_mut() {
            Some(last) if last.class == s.class => last.end = s.end,
            _ => merged.push(s),
        }
    }
    merged
}

/// The lasting phases: a segment of at least `min` ns starts a phase (or
/// extends the previous one when of the same class); shorter ones belong to
/// the phase before them, or to the first phase when none is before. A
/// short idle segment after a parallel phase is a join: parallel work that
/// lasts after it starts a phase of its own.
fn lasting(segments: &[Segment], min: u64) -> Vec<Segment> {
    let mut phases: Vec<Segment> = Vec::new();
    let mut lead: Option<u64> = None;
    let mut join: Option<u64> = None;
    for s in segments {
        let short = s.len() < min;
        match phases.last_mut() {
            Some(last) if short => {
                if s.class == Class::Idle && last.class == Class::Parallel && join.is_none() {
                    join = Some(s.end);
                }
                last.end = s.end;
            }
            None if short => {
                lead.get_or_insert(s.start);
            }
            Some(last)
                if last.class == s.class && (s.class != Class::Parallel || join.is_none()) =>
            {
                last.end = s.end;
            }
            _ => {
                let start = match (join.take(), phases.last_mut()) {
                    (Some(at), Some(last)) if s.class == Class::Parallel => {
                        last.end = at;
                        at
                    }
                    _ => lead.take().unwrap_or(s.start),
                };
                phases.push(Segment { start, ..*s });
            }
        }
        if !short && s.class != Class::Parallel {
            join = None;
        }
    }
    phases
}

/// The name with the most work in `start..end`; ties go to the smaller id.
fn main_name(pieces: &[(usize, Piece)], start: u64, end: u64) -> Option<NameId> {
    let mut time: HashMap<NameId, u64> = HashMap::new();
    for (_, p) in pieces {
        let overlap = p.end.min(end).saturating_sub(p.start.max(start));
        *time.entry(p.name).or_default() += overlap;
    }
    time.into_iter()
        .filter(|&(_, t)| t > 0)
        .max_by_key(|&(name, t)| (t, std::cmp::Reverse(name)))
        .map(|(name, _)| name)
}

/// The serial and parallel phases of `start..end`, cut at changes of the
/// number of working lanes that last at least [`MIN_PHASE_SHARE`] of it;
/// stretches where no lane works are left out.
pub(super) fn phases(work: &Work, start: u64, end: u64) -> Vec<Phase> {
    let min = ((end.saturating_sub(start) as f64 * MIN_PHASE_SHARE).ceil() as u64).max(1);
    let pieces = pieces_in(work, start, end);
    let segments = join_tails(work, segments(&pieces, start, end), min);
    let mut lasting = lasting(&segments, min);
    if lasting.is_empty() {
        // Nothing held long enough: the whole stretch is one phase, unless
        // it is mostly idle.
        let idle: u64 = segments
            .iter()
            .filter(|s| s.class == Class::Idle)
            .map(Segment::len)
            .sum();
        let class = match idle * 2 > end.saturating_sub(start) {
            true => Class::Idle,
            false => Class::Parallel, // either working class: not used
        };
        lasting.push(Segment {
            start,
            end,
            class,
            lane: None,
        });
    }
    let mut out: Vec<(Segment, Phase)> = Vec::new();
    for s in lasting.into_iter().filter(|s| s.class != Class::Idle) {
        let Some(name) = main_name(&pieces, s.start, s.end) else {
            continue;
        };
        let phase = Phase {
            start: s.start,
            end: s.end,
            name,
        };
        // Two parallel phases cut at a join that run the same name are one
        // loop whose lanes all paused at once.
        match out.last_mut() {
            Some((last, p))
                if last.class == Class::Parallel
                    && s.class == Class::Parallel
                    && p.end == phase.start
                    && p.name == name =>
            {
                last.end = s.end;
                p.end = s.end;
            }
            _ => out.push((s, phase)),
        }
    }
    out.into_iter().map(|(_, p)| p).collect()
}
