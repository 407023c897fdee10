//! The lecture's "sending data" lessons, as data and as transfers between
//! MPI ranks.
//!
//! - [`shapes`]: the same random strings in the lecture's four shapes (a
//!   vector of strings, a map, a vector of pairs, and the flat form:
//!   lengths plus one joined string), encoded with a serde format
//!   (postcard) and decoded back, so the shape, not only the size, of what
//!   is sent can be timed.
//! - [`matrix`]: the "send the recipe, not the matrix" pair's square
//!   matrix, generated from a seed, squared, and checksummed bit for bit.
//! - `transfer` (the `mpi` feature): each of them sent from rank 1 to rank
//!   0 and timed on rank 0.

use std::fmt;

pub mod matrix;
pub mod shapes;
#[cfg(feature = "mpi")]
pub mod transfer;

/// Data that did not survive a transfer: what was received cannot be
/// decoded, or is not what was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendingError {
    message: String,
}

impl SendingError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> SendingError {
        SendingError {
            message: message.into(),
        }
    }
}

impl fmt::Display for SendingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SendingError {}
