//! Helpers shared by the modules of this test binary.

// The checks on error messages are the reading tests' (crate
// `logprof-trace`), taken by path so that there is one copy of them.
#[path = "../../../../trace/tests/reading/support/messages.rs"]
pub mod messages;
pub mod race;
// Only the tests of `tracing` spans compare shapes.
#[cfg(feature = "tracing")]
pub mod shape;
pub mod slate;
pub mod spin;
