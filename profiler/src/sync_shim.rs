//! The atomics and locks the ring protocol is built on: the standard
//! library's in a normal build, loom's under `--cfg logprof_loom`, so the loom
//! models in [`crate::ring`] explore every interleaving of the real code.

#[cfg(logprof_loom)]
pub(crate) use loom::sync::{
    atomic::{fence, AtomicBool, AtomicU64, Ordering},
    Arc, Mutex,
};
#[cfg(not(logprof_loom))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicBool, AtomicU64, Ordering},
    Arc, Mutex,
};
