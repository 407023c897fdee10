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

use std::error::Error;

use crate::error::Cause;

pub mod matrix;
pub mod shapes;
#[cfg(feature = "mpi")]
pub mod transfer;

/// Data that did not survive a transfer: what was received cannot be
/// decoded, or is not what was sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendingError {
    message: String,
    /// The decoder's or encoder's own error, when one caused this.
    source: Option<Cause>,
}

impl SendingError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> SendingError {
        SendingError {
            message: message.into(),
            source: None,
        }
    }

    /// The same error with `cause` as its [`source`](Error::source); the
    /// message, which already quotes the cause, stays as it is.
    pub(crate) fn caused_by(self, cause: impl Error + Send + Sync + 'static) -> SendingError {
        SendingError {
            source: Some(Cause::new(cause)),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::shapes::{decode, Shape};
    use super::SendingError;

    #[test]
    fn a_decoding_error_keeps_postcards_error_as_its_source() {
        // A vector of 5 strings, then nothing.
        let err = decode(Shape::Vector, &[5]).unwrap_err();
        let postcard_error = err
            .source()
            .and_then(|s| s.downcast_ref::<postcard::Error>())
            .expect("a postcard::Error");
        assert_eq!(
            err.to_string(),
            format!("cannot deserialise the vector from 1 bytes: {postcard_error}")
        );
        assert_eq!(err.clone(), err);
    }

    #[test]
    fn a_plain_error_has_no_source() {
        let err = SendingError::new("the lengths do not add up");
        assert!(err.source().is_none());
        assert_eq!(err.to_string(), "the lengths do not add up");
    }
}
