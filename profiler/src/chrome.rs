//! Chrome Trace Event JSON: writing a [`Trace`] for Perfetto,
//! `chrome://tracing` and speedscope, and reading such files back, whether
//! logprof or another tool (`tracing-chrome`, Dagger.jl, ...) wrote them.
//!
//! ```
//! use logprof::{Lane, Span, Trace};
//!
//! let mut trace = Trace::new();
//! let work = trace.intern("work");
//! let spans = [Span::new(work, 1_234_567, 2_000_000, 0)];
//! trace.lanes.push(Lane::with_spans(1, 1, "worker-1", spans));
//!
//! let json = trace.to_chrome_json();
//! assert!(json.contains(r#""ts":1234.567,"dur":765.433"#));
//! assert_eq!(Trace::from_chrome_json_str(&json).unwrap(), trace);
//! ```
//!
//! # What logprof writes
//!
//! The JSON object form, `{"displayTimeUnit":"ns","otherData":{...},
//! "traceEvents":[...]}`, one event per line:
//!
//! - per process, a `"ph":"M"` `process_name` event when the trace has a
//!   [`Trace::process_name`];
//! - per lane, a `"ph":"M"` `thread_name` event (so a lane without spans
//!   survives a round trip), with the lane's `pid` and `tid`;
//! - per span, a complete event `"ph":"X"` whose `ts` (start) and `dur` are
//!   microseconds printed from the integer nanoseconds with exactly three
//!   decimals (`1234567` ns is `1234.567`), so nanoseconds survive exactly.
//!   `args` holds the span's nesting `depth` and, for a slice of a task, its
//!   `task` id: `{"depth":1,"task":7}`. Task slices also carry
//!   `"cat":"task"`;
//! - for two consecutive slices of one task that ran on different threads, a
//!   flow: `"ph":"s"` at the start of the first slice and `"ph":"f"` with
//!   `"bp":"e"` at the start of the second, both with `"id"` = the task id,
//!   so Perfetto draws an arrow for the hop;
//! - `otherData.logprof` keeps what the events cannot: the names table in
//!   order, the process name and the [`Losses`].
//!
//! A trace written and read back compares equal (`==`) to the original, as
//! long as its lanes have distinct `(pid, tid)` and its names are distinct
//! (both hold for every trace logprof records).
//!
//! # What logprof reads
//!
//! - The object form (`traceEvents` is required) and the bare array form,
//!   whose closing `]` may be missing, as the format allows for programs that
//!   died while writing.
//! - Complete events `X` (`ts` + `dur`), and `B`/`E` pairs, properly nested
//!   per `(pid, tid)`, in any order in the file. `M` events `thread_name` and
//!   `process_name` name the lanes and the trace. Every other kind (instant
//!   `i`, counter `C`, flow `s`/`t`/`f`, async `b`/`e`, ...) is ignored.
//! - `ts` and `dur` may be integers or decimals; more than three decimals are
//!   rounded to the nearest nanosecond. Negative or non-numeric times are
//!   errors. `pid` and `tid` may be missing (read as 0), integers, or strings
//!   holding integers.
//! - A span with no `name` is called `<unnamed>`. A lane with no
//!   `thread_name` is called `thread-<tid>`. The process name is the
//!   `process_name` of the lowest pid that has one.
//! - `args.depth` and `args.task` are trusted only in files logprof wrote
//!   (those with `otherData.logprof`): in another tool's file they are the
//!   traced program's own fields. Elsewhere a `B`/`E` span's depth is the
//!   number of spans open on its thread when it began, and an `X` span's
//!   depth the number of spans on its lane that contain it.
//!
//! ## Pairing `B` and `E`
//!
//! The events of each `(pid, tid)` are sorted by `ts`, keeping file order
//! among equal times. An `E` closes the innermost open span with the same
//! name, or, when it has no name or no open span has its name, the innermost
//! open span. Among events at one same instant, an `E` is taken before the
//! `B`s of that instant, because it closes a span that began earlier and a
//! span that begins when another ends is its sibling, not its child, unless
//! the file lists it after a `B` of the same instant and it has that `B`'s
//! name or no name at all: then it closes that zero-length span, as the
//! file order says. An `E` with nothing open, and a `B` never closed, are
//! errors.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::value::RawValue;

use crate::trace::{Lane, Losses, NameId, NameTable, Span, Trace};

/// A trace file that could not be written or read: which file, and what went
/// wrong.
///
/// Displays as `<path>: <problem>`, for example
/// `run.json: the JSON ends too early (EOF while parsing a list at line 3
/// column 0); the file looks truncated: ...`.
#[derive(Debug)]
pub struct TraceFileError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong, in words, with the line and column where the JSON
    /// parser can tell them.
    pub problem: String,
}

impl TraceFileError {
    fn new(path: &Path, problem: impl Into<String>) -> TraceFileError {
        TraceFileError {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for TraceFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for TraceFileError {}

/// Chrome trace JSON text that is not a trace logprof can read, from
/// [`Trace::from_chrome_json_str`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChromeJsonError {
    problem: String,
}

impl ChromeJsonError {
    fn new(problem: impl Into<String>) -> ChromeJsonError {
        ChromeJsonError {
            problem: problem.into(),
        }
    }

    /// What is wrong, in words, with the line and column where the JSON
    /// parser can tell them.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for ChromeJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for ChromeJsonError {}

/// Bumped when the meaning of `otherData.logprof` changes.
const FORMAT_VERSION: u32 = 1;
/// The name given to spans whose event has none.
const UNNAMED: &str = "<unnamed>";

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
        crate::write_atomically(path, |out| self.write_chrome_json_to(out)).map_err(|e| {
            let hint = match e.kind() {
                io::ErrorKind::NotFound => " (does its directory exist?)",
                io::ErrorKind::PermissionDenied => " (is its directory writable?)",
                _ => "",
            };
            TraceFileError::new(path, format!("cannot write the trace file: {e}{hint}"))
        })
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

    /// Reads a Chrome Trace Event JSON file, written by logprof or another
    /// tool (see the [module documentation](crate::chrome) for what is
    /// accepted and how `B`/`E` events are paired).
    ///
    /// The error names the file and the problem: a missing file, JSON that
    /// is truncated or malformed (with line and column), or JSON that is not
    /// a trace (no `traceEvents`, entries that are not events, an `E` with
    /// no `B`, a `B` never closed, negative or non-numeric times).
    pub fn read_chrome_json(path: impl AsRef<Path>) -> Result<Trace, TraceFileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            let hint = match e.kind() {
                io::ErrorKind::NotFound => " (check the path)",
                _ => "",
            };
            TraceFileError::new(path, format!("cannot read the trace file: {e}{hint}"))
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            TraceFileError::new(
                path,
                format!(
                    "not a trace: the file is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        Trace::from_chrome_json_str(&text).map_err(|e| TraceFileError::new(path, e.problem))
    }

    /// Reads Chrome Trace Event JSON text; [`Trace::read_chrome_json`]
    /// without the file.
    pub fn from_chrome_json_str(text: &str) -> Result<Trace, ChromeJsonError> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        match body.trim_start().as_bytes().first() {
            None => Err(ChromeJsonError::new(
                "the file is empty: a Chrome trace is a JSON object with \"traceEvents\" \
                 or a JSON array of events",
            )),
            Some(b'[') => {
                let mut reader = Reader::default();
                match parse_array(body, &mut reader) {
                    Ok(()) => reader.finish(None),
                    Err(e) if e.is_eof() => {
                        // The format lets the closing `]` be left out.
                        let mut reader = Reader::default();
                        let trimmed = body.trim_end();
                        let trimmed = trimmed.strip_suffix(',').unwrap_or(trimmed).trim_end();
                        if trimmed.ends_with('}')
                            && parse_array(&format!("{trimmed}]"), &mut reader).is_ok()
                        {
                            reader.finish(None)
                        } else {
                            Err(json_error(e))
                        }
                    }
                    Err(e) => Err(json_error(e)),
                }
            }
            Some(b'{') => {
                let mut reader = Reader::default();
                let mut de = serde_json::Deserializer::from_str(body);
                let top = TopSeed {
                    reader: &mut reader,
                }
                .deserialize(&mut de)
                .and_then(|top| de.end().map(|()| top))
                .map_err(json_error)?;
                if !top.has_events {
                    return Err(ChromeJsonError::new(
                        "not a trace: the JSON object has no \"traceEvents\" array (a Chrome \
                         trace is {\"traceEvents\": [...]} or a bare array of events)",
                    ));
                }
                let logprof = match top.logprof {
                    Some(raw) => Some(serde_json::from_str::<LogprofData>(&raw).map_err(|e| {
                        ChromeJsonError::new(format!(
                            "not a valid trace: otherData.logprof is malformed: {e}"
                        ))
                    })?),
                    None => None,
                };
                reader.finish(logprof)
            }
            Some(_) => match serde_json::from_str::<IgnoredAny>(body) {
                Err(e) => Err(json_error(e)),
                Ok(_) => Err(ChromeJsonError::new(
                    "not a trace: the file holds a single JSON value, not an object with \
                     \"traceEvents\" or an array of events",
                )),
            },
        }
    }
}

fn json_error(e: serde_json::Error) -> ChromeJsonError {
    ChromeJsonError::new(match e.classify() {
        Category::Eof => format!(
            "the JSON ends too early ({e}); the file looks truncated: was the program that \
             wrote it interrupted?"
        ),
        Category::Syntax => format!("not valid JSON: {e}"),
        Category::Data => format!("not a valid trace: {e}"),
        Category::Io => format!("cannot read: {e}"),
    })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

// ---------------------------------------------------------------------------
// Writing

/// A byte buffer that is handed to the real writer in large pieces.
struct Chunked<W: Write> {
    out: W,
    buf: Vec<u8>,
}

const CHUNK: usize = 1 << 16;

impl<W: Write> Chunked<W> {
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

fn write_trace(trace: &Trace, out: impl Write) -> io::Result<()> {
    let mut w = Chunked {
        out,
        buf: Vec::with_capacity(CHUNK + 1024),
    };
    // Each name escaped once.
    let names: Vec<Vec<u8>> = trace
        .names
        .iter()
        .map(|n| serde_json::to_vec(n).map_err(io::Error::other))
        .collect::<io::Result<_>>()?;

    // Header: what the events cannot carry.
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
    w.bytes(b"}}},\n\"traceEvents\":[");

    let mut first = true;
    let mut separator = |w: &mut Chunked<_>| {
        w.bytes(if first { b"\n" } else { b",\n" });
        first = false;
    };

    if let Some(process_name) = &trace.process_name {
        let mut pids: Vec<u32> = trace.lanes.iter().map(|l| l.pid).collect();
        pids.sort_unstable();
        pids.dedup();
        for pid in pids {
            separator(&mut w);
            w.bytes(b"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
            w.u64(pid.into());
            w.bytes(b",\"args\":{\"name\":");
            w.string(process_name)?;
            w.bytes(b"}}");
        }
    }

    let flows = task_hops(trace);
    let mut missing_names: HashMap<NameId, Vec<u8>> = HashMap::new();
    for (li, lane) in trace.lanes.iter().enumerate() {
        // `"pid":P,"tid":T` once per lane.
        let ids = format!("\"pid\":{},\"tid\":{}", lane.pid, lane.tid).into_bytes();

        separator(&mut w);
        w.bytes(b"{\"ph\":\"M\",\"name\":\"thread_name\",");
        w.bytes(&ids);
        w.bytes(b",\"args\":{\"name\":");
        w.string(&lane.thread_name)?;
        w.bytes(b"}}");

        for (si, span) in lane.spans.iter().enumerate() {
            let name = match names.get(span.name as usize) {
                Some(name) => name,
                None => missing_names.entry(span.name).or_insert_with(|| {
                    json_string(&format!("<name {} missing>", span.name)).into_bytes()
                }),
            };
            separator(&mut w);
            w.bytes(b"{\"ph\":\"X\",");
            if span.task.is_some() {
                w.bytes(b"\"cat\":\"task\",");
            }
            w.bytes(b"\"name\":");
            w.bytes(name);
            w.bytes(b",");
            w.bytes(&ids);
            w.bytes(b",\"ts\":");
            w.micros(span.start_ns);
            w.bytes(b",\"dur\":");
            w.micros(span.end_ns.saturating_sub(span.start_ns));
            w.bytes(b",\"args\":{\"depth\":");
            w.u64(span.depth.into());
            if let Some(task) = span.task {
                w.bytes(b",\"task\":");
                w.u64(task);
            }
            w.bytes(b"}}");
            if let Some(task) = span.task {
                // Both ends of a hop sit at the start of their slice; the
                // arrow into a slice comes before the arrow out of it.
                for (phase, set) in [
                    (&b"\"f\",\"bp\":\"e\""[..], &flows.arrives),
                    (&b"\"s\""[..], &flows.leaves),
                ] {
                    if set.contains(&(li, si)) {
                        separator(&mut w);
                        w.bytes(b"{\"ph\":");
                        w.bytes(phase);
                        w.bytes(b",\"cat\":\"task\",\"name\":\"task\",\"id\":");
                        w.u64(task);
                        w.bytes(b",");
                        w.bytes(&ids);
                        w.bytes(b",\"ts\":");
                        w.micros(span.start_ns);
                        w.bytes(b"}");
                    }
                }
            }
            w.flush_if_full()?;
        }
    }
    w.bytes(b"\n]}\n");
    w.finish()
}

/// The slices a task leaves from and arrives at when it moves to another
/// thread: `(lane index, span index)` pairs.
struct Hops {
    leaves: std::collections::HashSet<(usize, usize)>,
    arrives: std::collections::HashSet<(usize, usize)>,
}

fn task_hops(trace: &Trace) -> Hops {
    let mut hops = Hops {
        leaves: Default::default(),
        arrives: Default::default(),
    };
    for slices in trace.tasks().values() {
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

// ---------------------------------------------------------------------------
// Reading

/// The part of `otherData` this reader uses.
#[derive(Deserialize)]
struct OtherData<'a> {
    #[serde(borrow, default)]
    logprof: Option<&'a RawValue>,
}

/// `otherData.logprof`, as written above.
#[derive(Deserialize)]
struct LogprofData {
    #[serde(default)]
    process_name: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    losses: LossesData,
}

#[derive(Default, Deserialize)]
struct LossesData {
    #[serde(default)]
    overwritten_events: u64,
    #[serde(default)]
    unmatched_exits: u64,
    #[serde(default)]
    unclosed_enters: u64,
}

/// A JSON value where a number or a string is expected; anything else is
/// kept as `Other` rather than failing, so that fields this reader does not
/// need never stop it.
enum Scalar<'a> {
    Uint(u64),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Other,
}

impl Scalar<'_> {
    /// A non-negative integer (an integral float counts).
    fn as_u64(&self) -> Option<u64> {
        match *self {
            Scalar::Uint(v) => Some(v),
            Scalar::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => Some(f as u64),
            Scalar::Str(ref s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Scalar::Uint(v) => v.to_string(),
            Scalar::Int(v) => v.to_string(),
            Scalar::Float(v) => v.to_string(),
            Scalar::Str(s) => json_string(s),
            Scalar::Other => "a value that is not a number".to_owned(),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor(PhantomData))
    }
}

struct ScalarVisitor<'a>(PhantomData<&'a str>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Other)
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Uint(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar<'a>, E> {
        Ok(u64::try_from(v).map_or(Scalar::Int(v), Scalar::Uint))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Other)
    }
    fn visit_none<E>(self) -> Result<Scalar<'a>, E> {
        Ok(Scalar::Other)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'a>, D::Error> {
        d.deserialize_any(ScalarVisitor(PhantomData))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'a>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

/// The members of `args` this reader uses; any other shape of `args` is
/// accepted and ignored.
#[derive(Default)]
struct Args<'a> {
    name: Option<Scalar<'a>>,
    depth: Option<Scalar<'a>>,
    task: Option<Scalar<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Args<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ArgsVisitor(PhantomData))
    }
}

struct ArgsVisitor<'a>(PhantomData<&'a str>);

impl<'de: 'a, 'a> Visitor<'de> for ArgsVisitor<'a> {
    type Value = Args<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of arguments")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Args<'a>, A::Error> {
        let mut args = Args::default();
        while let Some(key) = map.next_key::<ArgsKey>()? {
            let slot = match key {
                ArgsKey::Name => &mut args.name,
                ArgsKey::Depth => &mut args.depth,
                ArgsKey::Task => &mut args.task,
                ArgsKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(map.next_value()?);
        }
        Ok(args)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Args<'a>, E> {
        Ok(Args::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Args<'a>, E> {
        Ok(Args::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Args<'a>, E> {
        Ok(Args::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Args<'a>, E> {
        Ok(Args::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<Args<'a>, E> {
        Ok(Args::default())
    }
    fn visit_unit<E>(self) -> Result<Args<'a>, E> {
        Ok(Args::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Args<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Args::default())
    }
}

/// A member name of `args`, read without allocating.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum ArgsKey {
    Name,
    Depth,
    Task,
    #[serde(other)]
    Other,
}

/// One entry of `traceEvents`, borrowing from the text.
#[derive(Deserialize)]
#[serde(
    expecting = "a trace event (a JSON object such as {\"ph\":\"X\",\"name\":\"f\",\
                     \"pid\":1,\"tid\":1,\"ts\":0.5,\"dur\":2})"
)]
struct RawEvent<'a> {
    #[serde(borrow, default)]
    ph: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    name: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    ts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    dur: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pid: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    tid: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    args: Option<Args<'a>>,
}

/// The kinds of event kept from a file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Complete,
    Begin,
    End,
}

/// An event kept from a file, owning nothing of the text.
#[derive(Clone, Copy)]
struct Event {
    kind: Kind,
    ts: u64,
    /// End time of a complete event.
    end: u64,
    /// `NO_NAME` for an `E` without a name.
    name: NameId,
    depth: Option<u32>,
    task: Option<u64>,
}

const NO_NAME: NameId = NameId::MAX;
/// Depth not known yet, to be found from containment.
const UNKNOWN_DEPTH: u32 = u32::MAX;

struct LaneEvents {
    pid: u32,
    tid: u64,
    thread_name: Option<String>,
    events: Vec<Event>,
}

/// What has been read so far.
#[derive(Default)]
struct Reader {
    names: NameTable,
    lane_index: HashMap<(u32, u64), usize>,
    last_lane: Option<((u32, u64), usize)>,
    lanes: Vec<LaneEvents>,
    process_names: BTreeMap<u32, String>,
    /// Entries seen, and how many had a `ph`.
    entries: u64,
    with_phase: u64,
}

struct Top {
    has_events: bool,
    logprof: Option<String>,
}

/// The top-level object: `traceEvents` streamed into the reader, the raw
/// text of `otherData.logprof` kept, the rest skipped.
struct TopSeed<'r> {
    reader: &'r mut Reader,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Top;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with \"traceEvents\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top {
            has_events: false,
            logprof: None,
        };
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "traceEvents" => {
                    map.next_value_seed(EventsSeed {
                        reader: &mut *self.reader,
                    })?;
                    top.has_events = true;
                }
                "otherData" => {
                    // Any shape is allowed here; only our own member matters.
                    let raw: &'de RawValue = map.next_value()?;
                    if let Ok(other) = serde_json::from_str::<OtherData<'_>>(raw.get()) {
                        top.logprof = other.logprof.map(|l| l.get().to_owned());
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

/// The array of events, each handed to the reader as it is parsed.
struct EventsSeed<'r> {
    reader: &'r mut Reader,
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of trace events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(event) = seq.next_element::<RawEvent<'de>>()? {
            self.reader.add(event).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

fn parse_array(text: &str, reader: &mut Reader) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    EventsSeed { reader }.deserialize(&mut de)?;
    de.end()
}

/// Microseconds as JSON number text to whole nanoseconds: exact up to three
/// decimals, rounded to the nearest nanosecond beyond.
fn micros_to_ns(text: &str) -> Result<u64, String> {
    let too_large = || format!("{text} µs is too large (more than 2^64 ns)");
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut i = usize::from(negative);
    if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
        let shown: String = text.chars().take(40).collect();
        return Err(format!("must be a number of microseconds, found {shown}"));
    }
    let digit = |i: usize| {
        bytes
            .get(i)
            .filter(|d| d.is_ascii_digit())
            .map(|d| u64::from(d - b'0'))
    };
    let mut micros: u64 = 0;
    while let Some(d) = digit(i) {
        micros = micros
            .checked_mul(10)
            .and_then(|m| m.checked_add(d))
            .ok_or_else(too_large)?;
        i += 1;
    }
    // The first three decimals exactly, the fourth to round.
    let mut frac = 0;
    let mut decimals = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        while let Some(d) = digit(i) {
            match decimals {
                0..=2 => frac = frac * 10 + d,
                3 => frac += u64::from(d >= 5),
                _ => {}
            }
            decimals += 1;
            i += 1;
        }
    }
    for _ in decimals..3 {
        frac *= 10;
    }
    let ns = if i == bytes.len() {
        micros
            .checked_mul(1000)
            .and_then(|ns| ns.checked_add(frac))
            .ok_or_else(too_large)?
    } else {
        // An exponent: rare enough to go through f64.
        let v: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("{text} is not a number"))?;
        let ns = (v.abs() * 1000.0).round();
        if !ns.is_finite() || ns >= u64::MAX as f64 {
            return Err(too_large());
        }
        ns as u64
    };
    if negative && ns != 0 {
        return Err(format!("is negative ({text} µs)"));
    }
    Ok(ns)
}

/// Nanoseconds as microseconds text, for messages.
fn micros_text(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

impl Reader {
    fn lane(&mut self, pid: u32, tid: u64) -> &mut LaneEvents {
        // Files tend to hold runs of events of one thread.
        if let Some(&(key, index)) = self.last_lane.as_ref() {
            if key == (pid, tid) {
                return &mut self.lanes[index];
            }
        }
        let index = *self.lane_index.entry((pid, tid)).or_insert_with(|| {
            self.lanes.push(LaneEvents {
                pid,
                tid,
                thread_name: None,
                events: Vec::new(),
            });
            self.lanes.len() - 1
        });
        self.last_lane = Some(((pid, tid), index));
        &mut self.lanes[index]
    }

    /// Takes in one event; the error says what is wrong with it.
    fn add(&mut self, event: RawEvent<'_>) -> Result<(), String> {
        self.entries += 1;
        let Some(Scalar::Str(ph)) = &event.ph else {
            return Ok(()); // not an event anyone can use
        };
        self.with_phase += 1;
        let kind = match ph.as_ref() {
            "X" => Kind::Complete,
            "B" => Kind::Begin,
            "E" => Kind::End,
            "M" => return self.add_metadata(&event),
            _ => return Ok(()),
        };
        let name: Option<Cow<'_, str>> = match &event.name {
            Some(Scalar::Str(s)) if !s.is_empty() => Some(Cow::Borrowed(s.as_ref())),
            Some(s @ (Scalar::Uint(_) | Scalar::Int(_) | Scalar::Float(_))) => {
                Some(Cow::Owned(s.describe()))
            }
            _ => None,
        };
        let what = || {
            format!(
                "event {} (\"ph\":\"{ph}\"{})",
                self.entries,
                name.as_ref()
                    .map(|n| format!(", \"name\":{}", json_string(n)))
                    .unwrap_or_default()
            )
        };
        let (pid, tid) = self
            .pid_tid(&event)
            .map_err(|e| format!("{}: {e}", what()))?;
        let ts = match event.ts {
            Some(raw) => micros_to_ns(raw.get()).map_err(|e| format!("{}: \"ts\" {e}", what()))?,
            None => return Err(format!("{}: has no \"ts\"", what())),
        };
        let end = if kind == Kind::Complete {
            let dur = match event.dur {
                Some(raw) => {
                    micros_to_ns(raw.get()).map_err(|e| format!("{}: \"dur\" {e}", what()))?
                }
                None => return Err(format!("{}: a complete event needs a \"dur\"", what())),
            };
            ts.checked_add(dur)
                .ok_or_else(|| format!("{}: ts + dur is too large", what()))?
        } else {
            ts
        };
        let name = match (kind, &name) {
            (_, Some(n)) => self.names.intern(n),
            (Kind::End, None) => NO_NAME,
            (_, None) => self.names.intern(UNNAMED),
        };
        let args = event.args.unwrap_or_default();
        let depth = args
            .depth
            .and_then(|d| d.as_u64())
            .and_then(|d| u32::try_from(d).ok());
        let task = args.task.and_then(|t| t.as_u64());
        self.lane(pid, tid).events.push(Event {
            kind,
            ts,
            end,
            name,
            depth,
            task,
        });
        Ok(())
    }

    fn pid_tid(&self, event: &RawEvent<'_>) -> Result<(u32, u64), String> {
        let pid = match &event.pid {
            None => 0,
            Some(p) => p
                .as_u64()
                .and_then(|p| u32::try_from(p).ok())
                .ok_or_else(|| {
                    format!(
                        "\"pid\" must be an integer from 0 to 2^32-1, found {}",
                        p.describe()
                    )
                })?,
        };
        let tid = match &event.tid {
            None => 0,
            Some(t) => t.as_u64().ok_or_else(|| {
                format!(
                    "\"tid\" must be a non-negative integer, found {}",
                    t.describe()
                )
            })?,
        };
        Ok((pid, tid))
    }

    fn add_metadata(&mut self, event: &RawEvent<'_>) -> Result<(), String> {
        let which = match &event.name {
            Some(Scalar::Str(s)) => s.as_ref(),
            _ => return Ok(()),
        };
        if which != "thread_name" && which != "process_name" {
            return Ok(());
        }
        let Some(Scalar::Str(value)) = event.args.as_ref().and_then(|a| a.name.as_ref()) else {
            return Ok(());
        };
        let (pid, tid) = self
            .pid_tid(event)
            .map_err(|e| format!("event {} (\"ph\":\"M\", {which}): {e}", self.entries))?;
        if which == "thread_name" {
            self.lane(pid, tid).thread_name = Some(value.clone().into_owned());
        } else {
            self.process_names.insert(pid, value.clone().into_owned());
        }
        Ok(())
    }

    /// Pairs, nests and names everything read into a trace.
    fn finish(self, logprof: Option<LogprofData>) -> Result<Trace, ChromeJsonError> {
        if self.entries > 0 && self.with_phase == 0 {
            return Err(ChromeJsonError::new(format!(
                "not a trace: none of the {} entries of the event array is a trace event \
                 (an object with a \"ph\" member)",
                self.entries
            )));
        }
        let ours = logprof.is_some();
        let read_names = self.names.into_names();
        let mut lanes = Vec::with_capacity(self.lanes.len());
        for lane in self.lanes {
            let spans = lane_spans(lane.events, ours, &read_names).map_err(|e| {
                ChromeJsonError::new(format!(
                    "not a valid trace: on pid {} tid {}: {e}",
                    lane.pid, lane.tid
                ))
            })?;
            lanes.push(Lane {
                pid: lane.pid,
                tid: lane.tid,
                thread_name: lane
                    .thread_name
                    .unwrap_or_else(|| format!("thread-{}", lane.tid)),
                spans,
            });
        }

        // Names: logprof's table as it was, else in order of first use;
        // names only `E` events mention are dropped.
        let mut used = vec![false; read_names.len()];
        for span in lanes.iter().flat_map(|l| &l.spans) {
            used[span.name as usize] = true;
        }
        let mut table = NameTable::new();
        let (process_name, losses) = match logprof {
            Some(data) => {
                for name in &data.names {
                    table.intern(name);
                }
                let l = data.losses;
                let losses = Losses {
                    overwritten_events: l.overwritten_events,
                    unmatched_exits: l.unmatched_exits,
                    unclosed_enters: l.unclosed_enters,
                };
                (data.process_name, losses)
            }
            None => (self.process_names.into_values().next(), Losses::default()),
        };
        let remap: Vec<NameId> = read_names
            .iter()
            .zip(&used)
            .map(|(name, &used)| if used { table.intern(name) } else { NO_NAME })
            .collect();
        for span in lanes.iter_mut().flat_map(|l| &mut l.spans) {
            span.name = remap[span.name as usize];
        }

        let mut trace = Trace {
            process_name,
            names: table.into_names(),
            lanes,
            losses,
        };
        trace.normalize();
        Ok(trace)
    }
}

/// A span opened by a `B` event, waiting for its `E`.
struct Open {
    name: NameId,
    start: u64,
    depth: u32,
}

/// The spans of one lane: `X` events as they are, `B`/`E` pairs matched
/// (see the module documentation for the rule), depths filled in.
fn lane_spans(mut events: Vec<Event>, ours: bool, names: &[String]) -> Result<Vec<Span>, String> {
    if !events.is_sorted_by_key(|e| e.ts) {
        events.sort_by_key(|e| e.ts); // stable: file order among equal times
    }
    let complete = |e: &Event| {
        // Depth and task are the traced program's own fields in another
        // tool's file: only ours are trusted.
        let depth = if ours { e.depth } else { None };
        let span = Span::new(e.name, e.ts, e.end, depth.unwrap_or(UNKNOWN_DEPTH));
        match e.task {
            Some(task) if ours => span.in_task(task),
            _ => span,
        }
    };
    let mut spans = Vec::with_capacity(events.len());
    if events.iter().all(|e| e.kind == Kind::Complete) {
        spans.extend(events.iter().map(complete));
    } else {
        let name_of = |id: NameId| names.get(id as usize).map_or(UNNAMED, String::as_str);
        let mut open: Vec<Open> = Vec::new();
        let mut group_b_names: Vec<NameId> = Vec::new();
        let mut later: Vec<Event> = Vec::new();
        let handle = |e: &Event, open: &mut Vec<Open>, spans: &mut Vec<Span>| {
            match e.kind {
                Kind::Complete => spans.push(complete(e)),
                Kind::Begin => open.push(Open {
                    name: e.name,
                    start: e.ts,
                    depth: open.len() as u32,
                }),
                Kind::End => {
                    let by_name = if e.name == NO_NAME {
                        None
                    } else {
                        open.iter().rposition(|o| o.name == e.name)
                    };
                    let Some(index) = by_name.or_else(|| open.len().checked_sub(1)) else {
                        return Err(format!(
                            "an E (end) event{} at ts {} µs closes nothing: no B (begin) event \
                             is open on that thread then; every E needs an earlier B on the \
                             same pid and tid",
                            if e.name == NO_NAME {
                                String::new()
                            } else {
                                format!(" named {}", json_string(name_of(e.name)))
                            },
                            micros_text(e.ts)
                        ));
                    };
                    let o = open.remove(index);
                    spans.push(Span::new(o.name, o.start, e.ts, o.depth));
                }
            }
            Ok(())
        };
        let mut i = 0;
        while i < events.len() {
            let ts = events[i].ts;
            let mut j = i + 1;
            while j < events.len() && events[j].ts == ts {
                j += 1;
            }
            // At one instant: the `E`s that close spans begun earlier first,
            // then the rest in file order.
            group_b_names.clear();
            later.clear();
            for e in &events[i..j] {
                let early = e.kind == Kind::End
                    && (group_b_names.is_empty()
                        || (e.name != NO_NAME && !group_b_names.contains(&e.name)));
                if early {
                    handle(e, &mut open, &mut spans)?;
                } else {
                    if e.kind == Kind::Begin {
                        group_b_names.push(e.name);
                    }
                    later.push(*e);
                }
            }
            for e in &later {
                handle(e, &mut open, &mut spans)?;
            }
            i = j;
        }
        if let Some(o) = open.first() {
            return Err(format!(
                "the B (begin) event named {} at ts {} µs is never closed by an E (end) event{}; \
                 was the file written while the span was still running?",
                json_string(name_of(o.name)),
                micros_text(o.start),
                if open.len() > 1 {
                    format!(" ({} spans are left open)", open.len())
                } else {
                    String::new()
                }
            ));
        }
    }
    if spans.iter().any(|s| s.depth == UNKNOWN_DEPTH) {
        fill_depths(&mut spans);
    }
    Ok(spans)
}

/// Gives each span of unknown depth the number of spans on its lane that
/// contain it. A span that starts when another ends is its sibling.
fn fill_depths(spans: &mut [Span]) {
    crate::trace::nest_by_containment(spans, |s| s.depth == UNKNOWN_DEPTH);
}
