//! Writing a [`Trace`] as Chrome JSON, in the layout the
//! [module documentation](crate::chrome) describes.
//!
//! The JSON is printed by hand into a byte buffer rather than through serde:
//! a trace holds millions of spans, each event has a fixed shape, and times
//! must come out as exact microseconds with three decimals, which `f64`
//! formatting cannot promise. Only strings (names) go through serde_json,
//! for their escaping. Reading files back is not here (see `reader`).

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;

use super::{json_string, TraceFileError};
use crate::trace::{Lane, NameId, Span, Trace};

/// Bumped when the meaning of `otherData.logprof` changes.
const FORMAT_VERSION: u32 = 1;

impl Trace {
    /// Writes the trace to `path` as Chrome Trace Event JSON (see the
    /// [module documentation](crate::chrome) for the layout), for Perfetto
    /// (<https://ui.perfetto.dev>), `chrome://tracing` or speedscope.
    ///
    /// The file is written beside its final path and renamed into place once
    /// complete, so a failure never leaves half a file: an existing file at
    /// `path` stays as it was.
    pub fn write_chrome_json(&self, path: impl AsRef<Path>) -> Result<(), TraceFileError> {
        let path = path.as_ref();
        crate::write_atomically(path, |out| self.write_chrome_json_to(out))
            .map_err(|e| TraceFileError::cannot_write(path, e))
    }

    /// Writes the trace as Chrome Trace Event JSON to `out`. Output is
    /// gathered in 64 KiB pieces, so `out` need not be buffered. The only
    /// errors are `out`'s; a span whose name id is not in [`Trace::names`]
    /// is written as `<name N missing>`.
    pub fn write_chrome_json_to(&self, out: impl Write) -> io::Result<()> {
        write_trace(self, out)
    }

    /// The trace as Chrome Trace Event JSON text.
    pub fn to_chrome_json(&self) -> String {
        let mut bytes = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write_chrome_json_to(&mut bytes);
        // Everything written is UTF-8: names are `String`s and serde_json
        // escapes them.
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into())
    }
}

fn write_trace(trace: &Trace, out: impl Write) -> io::Result<()> {
    let mut w = Chunked::new(out);
    let mut names = SpanNames::escape(&trace.names)?;
    write_header(&mut w, trace, &names.escaped)?;
    write_process_names(&mut w, trace)?;
    let hops = task_hops(trace);
    for (li, lane) in trace.lanes.iter().enumerate() {
        write_lane(&mut w, lane, li, &mut names, &hops, trace)?;
    }
    write_counters(&mut w, trace)?;
    w.bytes(b"\n]}\n");
    w.finish()
}

/// A byte buffer that is handed to the real writer in large pieces, and
/// the commas between the events of `traceEvents`.
struct Chunked<W: Write> {
    out: W,
    buf: Vec<u8>,
    /// True until the first event is started: it needs no comma before it.
    first_event: bool,
}

const CHUNK: usize = 1 << 16;

impl<W: Write> Chunked<W> {
    fn new(out: W) -> Chunked<W> {
        Chunked {
            out,
            buf: Vec::with_capacity(CHUNK + 1024),
            first_event: true,
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    fn u64(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[i..]);
    }

    /// Nanoseconds as microseconds with exactly three decimals.
    fn micros(&mut self, ns: u64) {
        self.u64(ns / 1000);
        let frac = ns % 1000;
        self.buf.extend_from_slice(&[
            b'.',
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ]);
    }

    fn string(&mut self, s: &str) -> io::Result<()> {
        serde_json::to_writer(&mut self.buf, s).map_err(io::Error::other)
    }

    /// `,"pid":P,"tid":T,"ts":<µs>`: where and when an event happens, from
    /// the lane's `ids` and a time in nanoseconds.
    fn lane_and_start(&mut self, ids: &[u8], ns: u64) {
        self.bytes(b",");
        self.bytes(ids);
        self.bytes(b",\"ts\":");
        self.micros(ns);
    }

    /// Starts the next entry of `traceEvents`: one event a line.
    fn next_event(&mut self) {
        self.bytes(if self.first_event { b"\n" } else { b",\n" });
        self.first_event = false;
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }
}

/// The span names as JSON strings, each escaped once for all its spans.
struct SpanNames {
    escaped: Vec<Vec<u8>>,
    /// Stand-ins for ids the trace's names table does not hold.
    missing: HashMap<NameId, Vec<u8>>,
}

impl SpanNames {
    fn escape(names: &[String]) -> io::Result<SpanNames> {
        let escaped = names
            .iter()
            .map(|n| serde_json::to_vec(n).map_err(io::Error::other))
            .collect::<io::Result<_>>()?;
        Ok(SpanNames {
            escaped,
            missing: HashMap::new(),
        })
    }

    /// The JSON string for name `id`; `"<name N missing>"` for an id out of
    /// the table (a hand-built trace can have one).
    fn get(&mut self, id: NameId) -> &[u8] {
        match self.escaped.get(id as usize) {
            Some(name) => name,
            None => self
                .missing
                .entry(id)
                .or_insert_with(|| json_string(&format!("<name {id} missing>")).into_bytes()),
        }
    }
}

/// The top-level object up to the opening `[` of `traceEvents`, with
/// `otherData.logprof`: what the events cannot carry.
fn write_header<W: Write>(w: &mut Chunked<W>, trace: &Trace, names: &[Vec<u8>]) -> io::Result<()> {
    w.bytes(b"{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":");
    w.string(concat!("logprof ", env!("CARGO_PKG_VERSION")))?;
    w.bytes(b",\"logprof\":{\"format\":");
    w.u64(FORMAT_VERSION.into());
    w.bytes(b",\"process_name\":");
    match &trace.process_name {
        Some(name) => w.string(name)?,
        None => w.bytes(b"null"),
    }
    w.bytes(b",\"names\":[");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            w.bytes(b",");
        }
        w.bytes(name);
        w.flush_if_full()?;
    }
    let losses = &trace.losses;
    w.bytes(b"],\"losses\":{\"overwritten_events\":");
    w.u64(losses.overwritten_events);
    w.bytes(b",\"unmatched_exits\":");
    w.u64(losses.unmatched_exits);
    w.bytes(b",\"unclosed_enters\":");
    w.u64(losses.unclosed_enters);
    if losses.dropped_events > 0 {
        w.bytes(b",\"dropped_events\":");
        w.u64(losses.dropped_events);
    }
    w.bytes(b"}");
    if !trace.metadata.is_empty() {
        w.bytes(b",\"metadata\":");
        serde_json::to_writer(&mut w.buf, &trace.metadata).map_err(io::Error::other)?;
    }
    write_off_cpu_status(w, trace)?;
    w.bytes(b"}},\n\"traceEvents\":[");
    Ok(())
}

/// A `process_name` metadata event for each pid of the trace that has a
/// name: its own in [`Trace::process_names`], else [`Trace::process_name`].
fn write_process_names<W: Write>(w: &mut Chunked<W>, trace: &Trace) -> io::Result<()> {
    let mut pids: Vec<u32> = trace.lanes.iter().map(|l| l.pid).collect();
    pids.sort_unstable();
    pids.dedup();
    for pid in pids {
        let Some(process_name) = trace
            .process_names
            .get(&pid)
            .or(trace.process_name.as_ref())
        else {
            continue;
        };
        w.next_event();
        w.bytes(b"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
        w.u64(pid.into());
        w.bytes(b",\"args\":{\"name\":");
        w.string(process_name)?;
        w.bytes(b"}}");
    }
    Ok(())
}

/// Lane `li`: its `thread_name` event, then each span with the flow events
/// of a task hop.
fn write_lane<W: Write>(
    w: &mut Chunked<W>,
    lane: &Lane,
    li: usize,
    names: &mut SpanNames,
    hops: &Hops,
    trace: &Trace,
) -> io::Result<()> {
    // `"pid":P,"tid":T` once per lane.
    let ids = format!("\"pid\":{},\"tid\":{}", lane.pid, lane.tid).into_bytes();
    w.next_event();
    w.bytes(b"{\"ph\":\"M\",\"name\":\"thread_name\",");
    w.bytes(&ids);
    w.bytes(b",\"args\":{\"name\":");
    w.string(&lane.thread_name)?;
    if let Some(cpu) = lane.start_cpu {
        w.bytes(b",\"cpu\":");
        w.u64(cpu.into());
    }
    w.bytes(b"}}");
    for (si, span) in lane.spans.iter().enumerate() {
        let marks = Marks {
            region: trace.is_region(span.name),
            wait: trace.is_wait(span.name),
        };
        write_span(w, span, marks, names.get(span.name), &ids);
        if let Some(task) = span.task {
            write_hops(w, span, task, hops.at((li, si)), &ids);
        }
        if let Some(ends) = hops.messages.get(&(li, si)) {
            write_message_ends(w, span, ends, &ids);
        }
        w.flush_if_full()?;
    }
    for instant in &lane.instants {
        w.next_event();
        w.bytes(b"{\"ph\":\"i\",\"s\":\"t\",\"name\":");
        w.bytes(names.get(instant.name));
        w.lane_and_start(&ids, instant.ts_ns);
        w.bytes(b"}");
        w.flush_if_full()?;
    }
    write_off_cpu(w, lane, &ids)
}

/// `,"off_cpu":"recorded","lost_switches":N,"cores":N` in
/// `otherData.logprof`: whether off-CPU time was recorded, and the cores
/// the run had (each only when known).
fn write_off_cpu_status<W: Write>(w: &mut Chunked<W>, trace: &Trace) -> io::Result<()> {
    if let Some(status) = trace.off_cpu.to_text() {
        w.bytes(b",\"off_cpu\":");
        w.string(&status)?;
        w.bytes(b",\"lost_switches\":");
        w.u64(trace.off_cpu.lost_switches());
    }
    if let Some(cores) = trace.cores {
        w.bytes(b",\"cores\":");
        w.u64(cores.into());
    }
    Ok(())
}

/// The lane's off-CPU intervals, as complete events of category `off-cpu`
/// named `preempted` or `blocked`, on the lane's own thread; `args.cpu` is
/// the core it came back on, when known.
fn write_off_cpu<W: Write>(w: &mut Chunked<W>, lane: &Lane, ids: &[u8]) -> io::Result<()> {
    for off in &lane.off_cpu {
        w.next_event();
        w.bytes(b"{\"ph\":\"X\",\"cat\":\"off-cpu\",\"name\":\"");
        w.bytes(off.kind.name().as_bytes());
        w.bytes(b"\"");
        w.lane_and_start(ids, off.start_ns);
        w.bytes(b",\"dur\":");
        w.micros(off.duration_ns());
        if let Some(cpu) = off.cpu {
            w.bytes(b",\"args\":{\"cpu\":");
            w.u64(cpu.into());
            w.bytes(b"}");
        }
        w.bytes(b"}");
        w.flush_if_full()?;
    }
    Ok(())
}

/// Each sample of each counter track, as a `C` event whose `args.value` is
/// the sample.
fn write_counters<W: Write>(w: &mut Chunked<W>, trace: &Trace) -> io::Result<()> {
    for track in &trace.counters {
        let head = format!(
            "{{\"ph\":\"C\",\"name\":{},\"pid\":{}",
            json_string(&track.name),
            track.pid
        );
        for &(ts, value) in &track.samples {
            w.next_event();
            w.bytes(head.as_bytes());
            w.bytes(b",\"ts\":");
            w.micros(ts);
            w.bytes(b",\"args\":{\"value\":");
            // JSON has no NaN or infinity: such a sample is written as null
            // (and not read back).
            if value.is_finite() {
                w.bytes(value.to_string().as_bytes());
            } else {
                w.bytes(b"null");
            }
            w.bytes(b"}}");
            w.flush_if_full()?;
        }
    }
    Ok(())
}

/// What a span's name is marked as ([`Trace::region_names`],
/// [`Trace::wait_names`]).
#[derive(Clone, Copy)]
struct Marks {
    region: bool,
    wait: bool,
}

/// The `cat` of a span's event, comma-separated as Perfetto lists
/// categories: `mpi` for MPI time, `region` for a span whose name is a
/// region, `task` for a task's slice, `wait` for a span whose name is
/// marked as waiting; `None` for a plain span.
fn category(span: &Span, marks: Marks) -> Option<String> {
    let parts = [
        (span.mpi.is_some(), "mpi"),
        (marks.region, "region"),
        (span.task.is_some(), "task"),
        (marks.wait, "wait"),
    ];
    let cats: Vec<&str> = parts.iter().filter(|p| p.0).map(|p| p.1).collect();
    (!cats.is_empty()).then(|| cats.join(","))
}

/// The complete (`X`) event of a span, with the category its `marks` give.
fn write_span<W: Write>(w: &mut Chunked<W>, span: &Span, marks: Marks, name: &[u8], ids: &[u8]) {
    w.next_event();
    w.bytes(b"{\"ph\":\"X\",");
    if let Some(cat) = category(span, marks) {
        w.bytes(b"\"cat\":\"");
        w.bytes(cat.as_bytes());
        w.bytes(b"\",");
    }
    w.bytes(b"\"name\":");
    w.bytes(name);
    w.lane_and_start(ids, span.start_ns);
    w.bytes(b",\"dur\":");
    w.micros(span.end_ns.saturating_sub(span.start_ns));
    w.bytes(b",\"args\":{\"depth\":");
    w.u64(span.depth.into());
    if let Some(task) = span.task {
        w.bytes(b",\"task\":");
        w.u64(task);
    }
    if let Some(value) = span.value {
        w.bytes(b",\"value\":");
        if value < 0 {
            w.bytes(b"-");
        }
        w.u64(value.unsigned_abs());
    }
    if let Some(result) = span.result {
        w.bytes(b",\"result\":");
        if result < 0 {
            w.bytes(b"-");
        }
        w.u64(result.unsigned_abs());
    }
    if span.unfinished {
        w.bytes(b",\"unfinished\":1");
    }
    if let Some(call) = &span.mpi {
        w.bytes(b",\"mpi\":\"");
        w.bytes(call.side.as_str().as_bytes());
        w.bytes(b"\",\"peer\":");
        w.u64(call.peer.into());
        w.bytes(b",\"tag\":");
        if call.tag < 0 {
            w.bytes(b"-");
        }
        w.u64(call.tag.unsigned_abs().into());
        w.bytes(b",\"seq\":");
        w.u64(call.seq);
        w.bytes(b",\"bytes\":");
        w.u64(call.bytes);
    }
    w.bytes(b"}}");
}

/// The flow events of the messages a span of MPI time sends or receives:
/// `s` on a send, `f` (bound to the enclosing slice) on a receive, both at
/// the span's start, so Perfetto draws an arrow from sender to receiver.
fn write_message_ends<W: Write>(w: &mut Chunked<W>, span: &Span, ends: &[(bool, u64)], ids: &[u8]) {
    for &(arrives, id) in ends {
        w.next_event();
        w.bytes(if arrives {
            b"{\"ph\":\"f\",\"bp\":\"e\""
        } else {
            b"{\"ph\":\"s\""
        });
        w.bytes(b",\"cat\":\"mpi\",\"name\":\"message\",\"id\":");
        w.u64(id);
        w.lane_and_start(ids, span.start_ns);
        w.bytes(b"}");
    }
}

/// The flow events of a task slice that a hop arrives at or leaves from.
fn write_hops<W: Write>(
    w: &mut Chunked<W>,
    span: &Span,
    task: u64,
    (arrives, leaves): (bool, bool),
    ids: &[u8],
) {
    // Both ends of a hop sit at the start of their slice; the arrow into a
    // slice comes before the arrow out of it.
    for (phase, here) in [
        (&b"\"f\",\"bp\":\"e\""[..], arrives),
        (&b"\"s\""[..], leaves),
    ] {
        if here {
            w.next_event();
            w.bytes(b"{\"ph\":");
            w.bytes(phase);
            w.bytes(b",\"cat\":\"task\",\"name\":\"task\",\"id\":");
            w.u64(task);
            w.lane_and_start(ids, span.start_ns);
            w.bytes(b"}");
        }
    }
}

/// The slices a task leaves from and arrives at when it moves to another
/// thread: `(lane index, span index)` pairs.
struct Hops {
    leaves: HashSet<(usize, usize)>,
    arrives: HashSet<(usize, usize)>,
    /// The message ends of each span of MPI time: whether the message
    /// arrives there (else leaves), and the flow's id.
    messages: HashMap<(usize, usize), Vec<(bool, u64)>>,
}

impl Hops {
    /// Whether a hop arrives at, and whether one leaves from, a slice.
    fn at(&self, slice: (usize, usize)) -> (bool, bool) {
        (self.arrives.contains(&slice), self.leaves.contains(&slice))
    }
}

fn task_hops(trace: &Trace) -> Hops {
    let mut hops = Hops {
        leaves: Default::default(),
        arrives: Default::default(),
        messages: Default::default(),
    };
    // Message flows are numbered after the task ids, so no id is both.
    let tasks = trace.tasks();
    let first_id = tasks.keys().next_back().map_or(0, |&t| t.saturating_add(1));
    for (i, flow) in trace.messages().flows.iter().enumerate() {
        let id = first_id.saturating_add(i as u64);
        hops.messages
            .entry(flow.send)
            .or_default()
            .push((false, id));
        hops.messages
            .entry(flow.receive)
            .or_default()
            .push((true, id));
    }
    for slices in tasks.values() {
        for pair in slices.windows(2) {
            let (a, b) = (&trace.lanes[pair[0].0], &trace.lanes[pair[1].0]);
            if (a.pid, a.tid) != (b.pid, b.tid) {
                hops.leaves.insert(pair[0]);
                hops.arrives.insert(pair[1]);
            }
        }
    }
    hops
}
