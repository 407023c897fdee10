//! Streaming a recording to a file as it goes ([`stream_to`]): a background
//! writer drains every thread's ring as it fills into one `.lpt` file
//! (`logprof_trace::compact`), so a run keeps everything it recorded
//! however long it is, not what the rings hold at the end.
//!
//! The recording threads never wait for the disk: they write their rings
//! as always, and the writer reads behind them. When it cannot keep up, a
//! ring wraps over events not yet drained: those are dropped, counted per
//! lane in the file (a `lost` chunk as it happens, and
//! [`Losses::dropped_events`](crate::Losses::dropped_events) at the end)
//! and in [`StreamStats::lost`], never silently.
//!
//! The file is written chunk by chunk through a buffer pushed to the file
//! at the end of every round (a few times a millisecond while busy): a
//! process that dies leaves whole chunks and at most part of one, and the
//! reader reads it up to its last whole chunk and says it was cut off.
//! [`Stream::finish`], dropping the [`Stream`] (also while a panic
//! unwinds) and, for the stream `LOGPROF_STREAM` starts, the process
//! exiting, end the file cleanly: the last events drained, the trace-wide
//! facts and the footer written.
//!
//! - `mod.rs`: the API ([`stream_to`], [`Stream`], [`StreamStats`],
//!   [`StreamError`]) and `LOGPROF_STREAM`;
//! - `writer.rs`: the background writer: rounds of draining every ring,
//!   block by block, and writing each lane's chunks;
//! - `encode.rs`: decoded events encoded straight into a lane's chunks,
//!   and the file's names.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

mod encode;
pub(crate) mod rank;
mod writer;

/// The writer thread's name; the recorder never gives it a lane.
pub(crate) const WRITER_NAME: &str = "logprof-stream";

/// Events each thread's ring holds while streaming unless a larger size
/// was asked for: 16 MiB a thread, 17 ms of a thread recording 30 M calls
/// a second, time enough for a writer that was descheduled to catch up.
pub const STREAM_RING_EVENTS: usize = 1 << 20;

/// True while a stream runs: there is one at a time, since every thread's
/// ring goes to it.
static STREAMING: AtomicBool = AtomicBool::new(false);

/// What a stream did, from [`Stream::finish`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamStats {
    /// Events drained into the file (an enter and an exit are two events;
    /// see [`crate::init_buffer`]).
    pub events: u64,
    /// Events lost: overwritten in a ring before the writer could drain
    /// them. `events + lost` is every event recorded while streaming.
    pub lost: u64,
    /// The size of the file, in bytes.
    pub bytes: u64,
    /// Events lost, by lane: `(tid, events)` for each lane that lost any.
    pub lost_by_lane: Vec<(u64, u64)>,
    /// The lanes in the file.
    pub lanes: u64,
    /// The time the writer spent draining, decoding and writing (not
    /// sleeping): `events` over it is what one writer thread can take.
    pub writer_busy: std::time::Duration,
    /// The CPU time the writer thread used (Linux; zero elsewhere):
    /// `events` over it is what one writer can take with a core of its own,
    /// whatever else ran on the machine.
    pub writer_cpu: std::time::Duration,
    /// The file.
    pub path: PathBuf,
}

impl StreamStats {
    /// Bytes of the file per event drained.
    pub fn bytes_per_event(&self) -> f64 {
        self.bytes as f64 / self.events.max(1) as f64
    }
}

/// A stream that could not start, or whose file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The file could not be created or written.
    #[error("{}: {what}: {source}", path.display())]
    File {
        /// The stream's file.
        path: PathBuf,
        /// What failed.
        what: &'static str,
        /// The error underneath.
        #[source]
        source: std::io::Error,
    },
    /// Another stream runs: every thread's ring goes to one stream at a time.
    #[error(
        "{}: a stream is already running (one at a time: finish it first, or unset LOGPROF_STREAM)",
        path.display()
    )]
    AlreadyStreaming {
        /// The file asked for.
        path: PathBuf,
    },
    /// The writer thread panicked (a bug in logprof); the file holds what it
    /// wrote before.
    #[error("{}: the stream writer stopped with a panic: {message}", path.display())]
    WriterPanicked {
        /// The stream's file.
        path: PathBuf,
        /// The panic's message.
        message: String,
    },
}

/// A running stream: every thread's events go to its file until
/// [`Stream::finish`] or until it is dropped.
#[must_use = "dropping the Stream ends it at once"]
pub struct Stream {
    running: Option<Running>,
}

struct Running {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<StreamStats, StreamError>>,
    path: PathBuf,
}

/// Starts streaming every thread's events to `path` (an `.lpt` file,
/// created or truncated; on rank N of an MPI run, `path` with `.rank-N`
/// before its extension, see `logprof::ranks`), and starts a new recording, as
/// [`init_buffer`](crate::init_buffer) does, with rings of at least
/// [`STREAM_RING_EVENTS`] events. [`crate::collect`] still works while
/// streaming, on what the rings hold.
///
/// ```no_run
/// let stream = logprof::stream_to("run.lpt")?;
/// // ... the program records, on any number of threads ...
/// let stats = stream.finish()?;
/// eprintln!("{} events, {} lost, {} bytes", stats.events, stats.lost, stats.bytes);
/// # Ok::<(), logprof::StreamError>(())
/// ```
pub fn stream_to(path: impl AsRef<Path>) -> Result<Stream, StreamError> {
    stream_with_ring(path, STREAM_RING_EVENTS)
}

/// [`stream_to`] with rings of at least `events_per_thread` events (more
/// room for a writer that falls behind, or less memory).
pub fn stream_with_ring(
    path: impl AsRef<Path>,
    events_per_thread: usize,
) -> Result<Stream, StreamError> {
    // On an MPI rank, the rank's own file (see `rank.rs`).
    let path = rank::start(path.as_ref());
    if STREAMING.swap(true, Ordering::AcqRel) {
        return Err(StreamError::AlreadyStreaming { path });
    }
    let started = writer::open(&path).and_then(|file| {
        let ring = events_per_thread.max(crate::recorder::draining::capacity());
        crate::recorder::resize_and_clear(ring);
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread_path = path.clone();
        std::thread::Builder::new()
            .name(WRITER_NAME.to_owned())
            .spawn(move || writer::run(file, thread_path, &flag))
            .map(|thread| Running {
                stop,
                thread,
                path: path.clone(),
            })
            .map_err(|source| StreamError::File {
                path: path.clone(),
                what: "cannot start the stream's writer thread",
                source,
            })
    });
    match started {
        Ok(running) => Ok(Stream {
            running: Some(running),
        }),
        Err(e) => {
            STREAMING.store(false, Ordering::Release);
            Err(e)
        }
    }
}

impl Stream {
    /// Ends the stream: drains what every ring holds now, writes the
    /// trace-wide facts and the footer, and says what was written and
    /// lost. The recording itself goes on (`collect` still sees the rings).
    pub fn finish(mut self) -> Result<StreamStats, StreamError> {
        match self.running.take() {
            Some(running) => running.end(),
            None => Ok(StreamStats::default()),
        }
    }

    /// The stream's file.
    pub fn path(&self) -> &Path {
        self.running.as_ref().map_or(Path::new(""), |r| &r.path)
    }
}

impl Running {
    fn end(self) -> Result<StreamStats, StreamError> {
        self.stop.store(true, Ordering::Release);
        self.thread.thread().unpark();
        let result = self.thread.join().unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(StreamError::WriterPanicked {
                path: self.path.clone(),
                message,
            })
        });
        rank::end();
        STREAMING.store(false, Ordering::Release);
        result
    }
}

impl Drop for Stream {
    /// Ends the file cleanly, as [`Stream::finish`]; an error (a full disk)
    /// is printed to stderr, since a drop cannot return it.
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            if let Err(e) = running.end() {
                eprintln!("logprof: {e}");
            }
        }
    }
}

/// The stream `LOGPROF_STREAM` started, ended when the process exits.
static FROM_ENV: Mutex<Option<Stream>> = Mutex::new(None);

/// Starts the stream `LOGPROF_STREAM=path` asks for, if it is set and no
/// stream runs; called by [`init_buffer`](crate::init_buffer). The stream
/// ends when the process exits (also after a panic in `main`), or at
/// [`finish_env_stream`].
pub(crate) fn start_from_env() {
    let Some(path) = std::env::var_os("LOGPROF_STREAM").filter(|p| !p.is_empty()) else {
        return;
    };
    if STREAMING.load(Ordering::Acquire) {
        return;
    }
    let ring = crate::recorder::draining::capacity();
    match stream_with_ring(&path, ring.max(STREAM_RING_EVENTS)) {
        Ok(stream) => {
            *FROM_ENV.lock().unwrap_or_else(|e| e.into_inner()) = Some(stream);
            end_at_exit();
        }
        Err(e) => eprintln!("logprof: LOGPROF_STREAM: {e}"),
    }
}

/// Ends the stream `LOGPROF_STREAM` started, if any, and says what it did;
/// `None` when there is none. The process's exit does this by itself.
pub fn finish_env_stream() -> Option<Result<StreamStats, StreamError>> {
    let stream = FROM_ENV.lock().unwrap_or_else(|e| e.into_inner()).take();
    stream.map(Stream::finish)
}

#[cfg(target_os = "linux")]
fn end_at_exit() {
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    extern "C" fn at_exit() {
        if let Some(Err(e)) = finish_env_stream() {
            eprintln!("logprof: LOGPROF_STREAM: {e}");
        }
    }
    REGISTERED.call_once(|| {
        // SAFETY: `at_exit` is a plain `extern "C"` function that lives as
        // long as the program; registering it has no other precondition.
        unsafe {
            libc::atexit(at_exit);
        }
    });
}

#[cfg(not(target_os = "linux"))]
fn end_at_exit() {
    // Elsewhere the file is ended by `finish_env_stream`; without it, it
    // reads up to its last whole chunk.
}
