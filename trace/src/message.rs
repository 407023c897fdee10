//! Messages between the processes of a trace: the ranks of an MPI program.
//!
//! A span of time inside an MPI call that sent or received one message
//! carries an [`MpiCall`] ([`Span::mpi`]): which end of the message it is,
//! the other rank, the tag, the byte count and a sequence number. Such
//! spans are the trace's category `mpi`: time spent communicating (waiting
//! included), not computing.
//!
//! A message is identified by its sender, its receiver, its tag and its
//! sequence number: the how-many-th message from that sender to that
//! receiver with that tag it is, from 0. Both ends count it alike, because
//! MPI delivers the messages of one sender, receiver and tag in the order
//! they were sent. In a trace whose pids are ranks (a merged trace of
//! `logprof::ranks`, feature `mpi`), [`Trace::messages`] pairs every
//! receive with its send; the Chrome JSON writer draws each pair as a flow
//! arrow.

use std::collections::HashMap;

pub use crate::mpi_call::{MessageSide, MpiCall};
use crate::trace::{Span, Trace};

/// A span's place in a trace: (lane index, span index).
pub type SpanAt = (usize, usize);

/// A message whose two ends are both in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageFlow {
    /// The rank that sent it.
    pub from: u32,
    /// The rank that received it.
    pub to: u32,
    /// Its tag.
    pub tag: i32,
    /// Its sequence number (see [`MpiCall::seq`]).
    pub seq: u64,
    /// The span that sent it.
    pub send: SpanAt,
    /// The span that received it.
    pub receive: SpanAt,
}

/// The messages of a trace, their ends paired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Messages {
    /// Every message with both ends in the trace, in the order of their
    /// sends (by lane, then time).
    pub flows: Vec<MessageFlow>,
    /// Message ends whose other end is not in the trace (a rank not
    /// merged, a span lost to an overwritten buffer, a single rank's trace
    /// whose pid is not its rank).
    pub unmatched: usize,
}

/// (from, to, tag, seq).
type Key = (u32, u32, i32, u64);

/// One end of a message, all that pairing needs: the rank that recorded it,
/// its call, and when it started. A merge that streams keeps only these
/// ([`pair_ends`]), not the spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageEnd {
    /// The rank (pid) whose span it is.
    pub rank: u32,
    /// Its call: side, peer, tag, sequence number.
    pub call: MpiCall,
    /// When its span started, to pair a key seen twice in time order.
    pub start_ns: u64,
}

/// Pairs every receive in `ends` with its send, matching sender, receiver,
/// tag and sequence number: `(send, receive)` indices into `ends`, in the
/// order of the sends' keys, and the number of ends left unpaired.
pub fn pair_ends(ends: &[MessageEnd]) -> (Vec<(usize, usize)>, usize) {
    let mut sends: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut receives: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut order = Vec::new();
    for (i, end) in ends.iter().enumerate() {
        let c = &end.call;
        match c.side {
            MessageSide::Send => {
                let key = (end.rank, c.peer, c.tag, c.seq);
                order.push(key);
                sends.entry(key).or_default().push(i);
            }
            MessageSide::Receive => {
                receives
                    .entry((c.peer, end.rank, c.tag, c.seq))
                    .or_default()
                    .push(i);
            }
        }
    }
    // A key seen twice (two recordings of the same program merged) pairs
    // its ends in time order.
    order.sort_unstable();
    order.dedup();
    let mut pairs = Vec::new();
    for key in order {
        let (Some(s), Some(r)) = (sends.get_mut(&key), receives.get_mut(&key)) else {
            continue;
        };
        s.sort_by_key(|&i| ends[i].start_ns);
        r.sort_by_key(|&i| ends[i].start_ns);
        pairs.extend(s.iter().copied().zip(r.iter().copied()));
    }
    let unmatched = ends.len() - 2 * pairs.len();
    (pairs, unmatched)
}

impl Trace {
    /// Pairs every receive with its send, matching sender, receiver, tag
    /// and sequence number ([`pair_ends`]); a lane's pid is taken as its
    /// rank.
    pub fn messages(&self) -> Messages {
        let mut ends = Vec::new();
        let mut at: Vec<SpanAt> = Vec::new();
        for (li, lane) in self.lanes.iter().enumerate() {
            for (si, call) in lane.spans.iter().enumerate().filter_map(mpi_of) {
                ends.push(MessageEnd {
                    rank: lane.pid,
                    call,
                    start_ns: self.lanes[li].spans[si].start_ns,
                });
                at.push((li, si));
            }
        }
        let (pairs, unmatched) = pair_ends(&ends);
        let mut flows: Vec<MessageFlow> = pairs
            .into_iter()
            .map(|(s, r)| {
                let c = &ends[s].call;
                MessageFlow {
                    from: ends[s].rank,
                    to: c.peer,
                    tag: c.tag,
                    seq: c.seq,
                    send: at[s],
                    receive: at[r],
                }
            })
            .collect();
        let start = |&(li, si): &SpanAt| self.lanes[li].spans[si].start_ns;
        flows.sort_by_key(|f| (f.send.0, start(&f.send)));
        Messages { unmatched, flows }
    }
}

/// The span's MPI call, with its index.
fn mpi_of((si, span): (usize, &Span)) -> Option<(usize, MpiCall)> {
    span.mpi.as_deref().map(|call| (si, *call))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Lane;

    #[test]
    fn a_side_reads_back_as_written_and_nothing_else_is_a_side() {
        assert_eq!(MessageSide::Send.as_str(), "send");
        assert_eq!(MessageSide::Receive.as_str(), "recv");
        for side in [MessageSide::Send, MessageSide::Receive] {
            assert_eq!(MessageSide::from_text(side.as_str()), Some(side));
        }
        assert_eq!(MessageSide::from_text("Send"), None);
        assert_eq!(MessageSide::from_text(""), None);
    }

    fn call(side: MessageSide, peer: u32, tag: i32, seq: u64) -> Option<Box<MpiCall>> {
        Some(Box::new(MpiCall {
            side,
            peer,
            tag,
            seq,
            bytes: 8,
        }))
    }

    fn span(start: u64, end: u64, mpi: Option<Box<MpiCall>>) -> Span {
        Span {
            mpi,
            ..Span::new(0, start, end, 0)
        }
    }

    #[test]
    fn every_receive_pairs_with_the_send_of_its_key() {
        use MessageSide::{Receive, Send};
        let trace = Trace {
            names: vec!["MPI".into()],
            lanes: vec![
                Lane::with_spans(
                    0,
                    1,
                    "main",
                    [
                        span(10, 20, call(Send, 1, 7, 0)),
                        span(30, 40, call(Send, 1, 7, 1)),
                        span(50, 60, call(Receive, 1, 9, 0)),
                        span(70, 80, call(Send, 2, 7, 0)),
                    ],
                ),
                Lane::with_spans(
                    1,
                    1,
                    "main",
                    [
                        // The second message of tag 7 first: the key, not
                        // the order, decides.
                        span(35, 45, call(Receive, 0, 7, 1)),
                        span(15, 25, call(Receive, 0, 7, 0)),
                        span(45, 55, call(Send, 0, 9, 0)),
                        span(90, 95, call(Receive, 0, 8, 0)),
                        span(96, 97, None),
                    ],
                ),
            ],
            ..Trace::default()
        };
        let messages = trace.messages();
        let pairs: Vec<_> = messages
            .flows
            .iter()
            .map(|f| (f.from, f.to, f.tag, f.seq, f.send, f.receive))
            .collect();
        assert_eq!(
            pairs,
            [
                (0, 1, 7, 0, (0, 0), (1, 0)),
                (0, 1, 7, 1, (0, 1), (1, 1)),
                (1, 0, 9, 0, (1, 2), (0, 2)),
            ]
        );
        // Rank 0's send to rank 2 and rank 1's receive of tag 8.
        assert_eq!(messages.unmatched, 2);
    }
}
