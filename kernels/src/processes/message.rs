//! The messages of the shared-memory and queue experiments, one function a
//! direction, each recording the time inside MPI as an `MPI_Send` or
//! `MPI_Recv` span (the one place to change when messages are recorded
//! another way).

use mpi::datatype::{Buffer, BufferMut};
use mpi::point_to_point::{Destination, Source, Status};
use mpi::topology::{Communicator, Rank};
use mpi::Tag;

/// Sends `message` to `to` with `tag`, recorded as `MPI_Send`.
pub fn send<D: Destination, M: Buffer + ?Sized>(to: &D, message: &M, tag: Tag) {
    let _span = logprof::scope!("MPI_Send");
    to.send_with_tag(message, tag);
}

/// Receives into `into` from `from` (a rank or any rank), with `tag` or
/// any tag, recorded as `MPI_Recv`; waiting for the message counts too.
pub fn receive<S: Source, B: BufferMut + ?Sized>(
    from: &S,
    into: &mut B,
    tag: Option<Tag>,
) -> Status {
    let _span = logprof::scope!("MPI_Recv");
    match tag {
        Some(tag) => from.receive_into_with_tag(into, tag),
        None => from.receive_into(into),
    }
}

/// Receives the first message with `tag` from any rank of `comm` into the
/// buffer `place` gives for its sender, recorded as `MPI_Recv`; the sender.
pub fn receive_from_any<'b, C: Communicator>(
    comm: &C,
    tag: Tag,
    place: impl FnOnce(Rank) -> &'b mut [u8],
) -> Rank {
    let _span = logprof::scope!("MPI_Recv");
    let sender = comm.any_process().probe_with_tag(tag).source_rank();
    comm.process_at_rank(sender)
        .receive_into_with_tag(place(sender), tag);
    sender
}
