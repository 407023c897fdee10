//! The program's messages, sent and received through logprof so that each
//! is recorded: [`send`] and [`receive_into`] wrap the MPI calls, record
//! them as `MPI_Send` and `MPI_Recv` spans (the trace's category `mpi`) and
//! note each message's key (peer, tag, sequence number, bytes). When
//! [`Ranks::gather`](super::Ranks::gather) takes the rank's trace, each of
//! those spans gets its [`MpiCall`], so the merged trace pairs every
//! receive with its send ([`Trace::messages`](crate::Trace::messages)) and
//! draws it as a flow arrow from one rank's lane to the other's.
//!
//! Messages may go over any intra-communicator: a peer's rank in it is
//! translated to its world rank (the merged trace's pid) for the key.
//!
//! The sequence number of a message is counted at both ends: the n-th
//! message from rank a to rank b with tag t is n at a and at b, because MPI
//! delivers one sender's messages to one receiver with one tag in the order
//! they were sent. That holds when every message of the program with that
//! sender, receiver and tag goes through these functions, and when no two
//! communicators carry messages with the same tag between the same ranks
//! at once (MPI orders messages only within one communicator; the key has
//! no communicator in it, since no id of one is the same on every rank).
//! One tag per use across the program keeps that; a tag reused on a new
//! communicator after the last one's messages were all received is fine.
//! logprof's own messages use a communicator of their own.
//! Each recorded call keeps its key (about 40 bytes) until the process
//! ends, so that any later gather can still attach it.
//!
//! ```no_run
//! use logprof::ranks::{self, Ranks};
//!
//! let ranks = Ranks::init()?;
//! logprof::init_buffer(1 << 16);
//! let world = ranks.world();
//! if ranks.rank() == 1 {
//!     ranks::send(world, 0, 7, &[1.0f64, 2.0, 3.0]);
//! } else if ranks.is_root() {
//!     let mut data = [0.0f64; 3];
//!     ranks::receive_into(world, Some(1), Some(7), |_| &mut data[..]);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use mpi::datatype::Equivalence;
use mpi::point_to_point::{Message, Source, Status};
use mpi::topology::{CommunicatorRelation, SimpleCommunicator};
use mpi::traits::*;

use crate::message::{MessageSide, MpiCall};
use crate::{Span, Trace};

/// The span names of the recorded calls (as written in the `scope!`s).
const SEND: &str = "MPI_Send";
const RECEIVE: &str = "MPI_Recv";

/// Every recorded call of this process, and the messages counted so far.
#[derive(Default)]
struct Log {
    /// The calls, in the order they started: a call's span carries its
    /// index here as its value until [`attach`] replaces it.
    calls: Vec<Option<MpiCall>>,
    /// Messages sent per (receiver, tag).
    sent: BTreeMap<(u32, i32), u64>,
    /// Messages received per (sender, tag).
    received: BTreeMap<(u32, i32), u64>,
}

/// A mutex rather than a thread-local: the calls may come from any one
/// thread, and [`attach`] runs on the thread that gathers.
static LOG: Mutex<Log> = Mutex::new(Log {
    calls: Vec::new(),
    sent: BTreeMap::new(),
    received: BTreeMap::new(),
});

fn log() -> std::sync::MutexGuard<'static, Log> {
    LOG.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes a place for the next call; its index, for the call's span.
fn reserve() -> usize {
    let mut log = log();
    log.calls.push(None);
    log.calls.len() - 1
}

/// Sends `data` to rank `to` of `comm` with `tag` (`MPI_Send`), recorded
/// as an `MPI_Send` span carrying the message's key (with `to`'s world
/// rank). `tag` must follow the module's rule on communicators.
pub fn send<C: Communicator, T: Equivalence>(comm: &C, to: u32, tag: i32, data: &[T]) {
    let index = reserve();
    let _span = crate::scope!("MPI_Send", index);
    comm.process_at_rank(to as i32).send_with_tag(data, tag);
    let peer = world_rank(comm, to);
    let bytes = std::mem::size_of_val(data) as u64;
    // Before the span closes: a stream's writer may drain it at once.
    note_call(index, MessageSide::Send, peer, tag, bytes);
}

/// Receives one message from rank `from` (any rank when `None`) of `comm`
/// with tag `tag` (any tag when `None`), recorded as an `MPI_Recv` span
/// carrying the message's key (with the sender's world rank); the time
/// waiting for the message counts. `into` chooses the buffer once the
/// message's sender and tag are known (from its [`Status`]); the message
/// must fit. Returns the status (its source a rank of `comm`).
pub fn receive_into<'b, C: Communicator, T: Equivalence + 'b>(
    comm: &C,
    from: Option<u32>,
    tag: Option<i32>,
    into: impl FnOnce(&Status) -> &'b mut [T],
) -> Status {
    let index = reserve();
    {
        let _span = crate::scope!("MPI_Recv", index);
        // A matched probe: the message found is the one received, whatever
        // else arrives in between.
        let (message, status) = match from {
            Some(rank) => probe(&comm.process_at_rank(rank as i32), tag),
            None => probe(&comm.any_process(), tag),
        };
        let status = message.matched_receive_into(into(&status));
        let (peer, tag) = (world_rank(comm, status.source_rank() as u32), status.tag());
        let count = status.count(T::equivalent_datatype()).max(0) as u64;
        let bytes = count * std::mem::size_of::<T>() as u64;
        // Before the span closes: a stream's writer may drain it at once.
        note_call(index, MessageSide::Receive, peer, tag, bytes);
        status
    }
}

/// Gives call `index` its message's key: the next sequence number of its
/// side's messages with `peer` and `tag`.
fn note_call(index: usize, side: MessageSide, peer: u32, tag: i32, bytes: u64) {
    let mut log = log();
    let counts = match side {
        MessageSide::Send => &mut log.sent,
        MessageSide::Receive => &mut log.received,
    };
    let seq = next(counts, (peer, tag));
    log.calls[index] = Some(MpiCall {
        side,
        peer,
        tag,
        seq,
        bytes,
    });
}

/// [`receive_into`] a new vector just long enough for the message, for
/// data whose length only the sender knows. Returns it with the status.
pub fn receive_vec<C: Communicator, T: Equivalence + Default + Clone>(
    comm: &C,
    from: Option<u32>,
    tag: Option<i32>,
) -> (Vec<T>, Status) {
    let mut data = Vec::new();
    let status = receive_into(comm, from, tag, |status| {
        let count = status.count(T::equivalent_datatype());
        // MPI_UNDEFINED (negative): the message is not a whole number of
        // T. Said here; MPI would abort with a truncation error naming
        // nothing. (A panic under `Ranks` ends every rank with this line.)
        let Ok(count) = usize::try_from(count) else {
            panic!(
                "a message from rank {} with tag {} is not a whole number of {} ({} bytes \
                 each): send and receive the same element type",
                status.source_rank(),
                status.tag(),
                std::any::type_name::<T>(),
                std::mem::size_of::<T>()
            );
        };
        data.resize(count, T::default());
        &mut data[..]
    });
    (data, status)
}

fn probe(source: &impl Source, tag: Option<i32>) -> (Message, Status) {
    match tag {
        Some(tag) => source.matched_probe_with_tag(tag),
        None => source.matched_probe(),
    }
}

/// Rank `rank` of `comm` as a rank of the world communicator, whose ranks
/// are the merged trace's pids.
fn world_rank<C: Communicator>(comm: &C, rank: u32) -> u32 {
    let world = SimpleCommunicator::world();
    match comm.compare(&world) {
        // The same ranks in the same order (the world, a duplicate of it).
        CommunicatorRelation::Identical | CommunicatorRelation::Congruent => rank,
        _ => comm
            .group()
            .translate_rank(rank as i32, &world.group())
            .map_or(rank, |r| r as u32),
    }
}

/// The next sequence number of `key`.
fn next(counts: &mut BTreeMap<(u32, i32), u64>, key: (u32, i32)) -> u64 {
    let count = counts.entry(key).or_insert(0);
    *count += 1;
    *count - 1
}

/// Gives each recorded `MPI_Send` and `MPI_Recv` span of this process's
/// `trace` its [`MpiCall`], and its byte count as its value (in place of
/// the index it was recorded with).
pub(super) fn attach(trace: &mut Trace) {
    let log = log();
    attach_calls(trace, &log.calls);
}

fn attach_calls(trace: &mut Trace, calls: &[Option<MpiCall>]) {
    let names = [SEND, RECEIVE].map(|n| trace.name_id(n));
    for span in trace.lanes.iter_mut().flat_map(|l| &mut l.spans) {
        let side = match Some(span.name) {
            n if n == names[0] => MessageSide::Send,
            n if n == names[1] => MessageSide::Receive,
            _ => continue,
        };
        attach_call(span, side, calls);
    }
}

/// Gives `span`, of a call on `side`, the call its value indexes.
fn attach_call(span: &mut Span, side: MessageSide, calls: &[Option<MpiCall>]) {
    let call = span
        .value
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| calls.get(i).copied().flatten())
        .filter(|c| c.side == side);
    if let Some(call) = call {
        span.value = Some(i64::try_from(call.bytes).unwrap_or(i64::MAX));
        span.mpi = Some(Box::new(call));
    }
}

/// [`attach`] for one span named `name` as a stream's writer drains it
/// (`stream::rank`): its call is noted before its span closes.
pub(super) fn stream_keys(name: &str, span: &mut Span) {
    let side = match name {
        SEND => MessageSide::Send,
        RECEIVE => MessageSide::Receive,
        _ => return,
    };
    attach_call(span, side, &log().calls);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lane;

    #[test]
    fn spans_get_the_call_their_index_names() {
        let call = |side, peer| MpiCall {
            side,
            peer,
            tag: 3,
            seq: 0,
            bytes: 24,
        };
        let calls = [
            Some(call(MessageSide::Send, 1)),
            Some(call(MessageSide::Receive, 1)),
            None,
        ];
        let mut trace = Trace {
            names: vec!["MPI_Send".into(), "MPI_Recv".into(), "work".into()],
            lanes: vec![Lane::with_spans(
                9,
                1,
                "main",
                [
                    Span::new(0, 0, 10, 0).with_value(0),
                    Span::new(1, 20, 30, 0).with_value(1),
                    // The wrong side, an unfinished call, another name.
                    Span::new(1, 40, 50, 0).with_value(0),
                    Span::new(0, 60, 70, 0).with_value(2),
                    Span::new(2, 80, 90, 0).with_value(1),
                ],
            )],
            ..Trace::default()
        };
        attach_calls(&mut trace, &calls);
        let spans = &trace.lanes[0].spans;
        assert_eq!(spans[0].mpi.as_deref(), calls[0].as_ref());
        assert_eq!(spans[0].value, Some(24));
        assert_eq!(spans[1].mpi.as_deref(), calls[1].as_ref());
        assert!(spans[2..].iter().all(|s| s.mpi.is_none()));
        assert_eq!(spans[4].value, Some(1));
    }
}
