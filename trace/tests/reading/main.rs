//! Reading traces: Chrome JSON files written by logprof and by other tools,
//! repaired where Perfetto would repair them, fuzzed, and summed up. One
//! test binary for all of them (each module was a binary of its own); none
//! of them records, so none needs the `logprof` crate.

mod chrome_edges;
mod chrome_repairs;
mod compact;
mod messages;
mod pass;
mod perfetto;
mod process_names;
mod reader_fuzz;
mod realtraces;
mod region_marks;
mod support;
