//! tracing layer (in progress)
/// Placeholder.
pub struct TracingLayer;
