//! The message end a span of MPI time carries ([`MpiCall`]): which end of
//! which message, and the message's key. The trace's spans hold it
//! ([`Span::mpi`](crate::Span::mpi)); pairing the ends of a trace's messages
//! is in [`crate::message`], which uses these types, never the reverse.

/// Which end of a message a span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageSide {
    /// The span sent the message (`MPI_Send`).
    Send,
    /// The span received it (`MPI_Recv`).
    Receive,
}

impl MessageSide {
    /// `"send"` or `"recv"`, as the Chrome JSON files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageSide::Send => "send",
            MessageSide::Receive => "recv",
        }
    }

    /// The side named by [`MessageSide::as_str`].
    pub fn from_text(text: &str) -> Option<MessageSide> {
        match text {
            "send" => Some(MessageSide::Send),
            "recv" => Some(MessageSide::Receive),
            _ => None,
        }
    }
}

/// One end of one message, carried by the span of the MPI call that moved
/// it (see the [`message`](crate::message) module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MpiCall {
    /// Whether the call sent or received the message.
    pub side: MessageSide,
    /// The other rank: the receiver of a send, the sender of a receive.
    pub peer: u32,
    /// The message's MPI tag.
    pub tag: i32,
    /// The message's number among those from its sender to its receiver
    /// with its tag, from 0; the same at both ends.
    pub seq: u64,
    /// The size of the message's data in bytes.
    pub bytes: u64,
}
