//! Reading Chrome JSON text: the entry points [`Trace::read_chrome_json`]
//! and [`Trace::from_chrome_json_str`], and the serde seeds and visitors
//! that stream `traceEvents` into a [`TraceBuilder`] one event at a time.
//!
//! Nothing here builds a JSON tree: a trace file can hold millions of
//! events, so each event is parsed into a [`RawEvent`] that borrows from the
//! text, handed on, and dropped. The shapes below accept whatever another
//! tool may put in a field this reader does not need, so such fields never
//! stop it. What the events mean (pids, times, pairing) is not decided
//! here: see `events` and `pairing`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::events::TraceBuilder;
use super::json_string;
use super::{ChromeJsonError, TraceFileError};
use crate::trace::{Losses, Trace};

impl Trace {
    /// Reads a Chrome Trace Event JSON file, written by logprof or another
    /// tool (see the [module documentation](crate::chrome) for what is
    /// accepted and how `B`/`E` events are paired).
    ///
    /// The error names the file and the problem: a missing file, bytes
    /// that are not UTF-8, text that is not JSON (with line and column), or
    /// JSON that is not a trace (no `traceEvents`, entries that are not
    /// events, nothing inside). What a tolerant reader can repair is
    /// repaired and counted in [`Trace::repairs`] instead.
    pub fn read_chrome_json(path: impl AsRef<Path>) -> Result<Trace, TraceFileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| TraceFileError::cannot_read(path, &e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            TraceFileError::new(
                path,
                format!(
                    "not a trace: the file is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        Trace::from_chrome_json_str(&text).map_err(|e| e.in_file(path))
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
            Some(b'[') => read_form(body, false),
            Some(b'{') => read_form(body, true),
            Some(_) => match serde_json::from_str::<IgnoredAny>(body) {
                Err(e) => Err(ChromeJsonError::from_json(e)),
                Ok(_) => Err(ChromeJsonError::new(
                    "not a trace: the file holds a single JSON value, not an object with \
                     \"traceEvents\" or an array of events",
                )),
            },
        }
    }
}

/// Reads the array form (`object` false) or the object form, passing over
/// trailing commas and reading up to a cut at the end of the file, as
/// Perfetto does; both are counted in the trace's repairs.
fn read_form(body: &str, object: bool) -> Result<Trace, ChromeJsonError> {
    let mut text = Cow::Borrowed(body);
    let mut commas = 0;
    loop {
        let mut builder = TraceBuilder::default();
        let parsed = if object {
            parse_object(&text, &mut builder)
        } else {
            parse_array(&text, &mut builder).map(|()| Some(None))
        };
        builder.repairs.trailing_commas = commas;
        return match parsed {
            Ok(Some(logprof)) => {
                let logprof = logprof.map(|raw| read_logprof(&raw)).transpose()?;
                builder.finish(logprof)
            }
            Ok(None) => Err(ChromeJsonError::new(
                "not a trace: the JSON object has no \"traceEvents\" array (a Chrome \
                 trace is {\"traceEvents\": [...]} or a bare array of events)",
            )),
            Err(e) if e.is_syntax() && commas < MAX_COMMAS => {
                if let Some(at) = trailing_comma(&text, e.line(), e.column()) {
                    text.to_mut().replace_range(at..=at, " ");
                    commas += 1;
                    continue;
                }
                Err(ChromeJsonError::from_json(e))
            }
            Err(e) if e.is_eof() && builder.has_events() => {
                builder.repairs.cut_at_end = true;
                builder.finish(None)
            }
            Err(e) => Err(ChromeJsonError::from_json(e)),
        };
    }
}

/// Trailing commas passed over before the file counts as malformed: each
/// one costs a new parse of the file.
const MAX_COMMAS: u64 = 64;

/// The byte offset of a trailing comma (one followed by `]` or `}`) where
/// serde_json reports a syntax error at `line` and `column` (1-based; the
/// error points at the bracket or just after it), if that is the error.
fn trailing_comma(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let bytes = text.as_bytes();
    let at = (line_start + column).min(bytes.len());
    let solid = |b: &u8| !b.is_ascii_whitespace();
    let bracket = bytes[..at].iter().rposition(solid)?;
    if !matches!(bytes[bracket], b']' | b'}') {
        return None;
    }
    let comma = bytes[..bracket].iter().rposition(solid)?;
    (bytes[comma] == b',').then_some(comma)
}

fn parse_array(text: &str, builder: &mut TraceBuilder) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    EventsSeed { builder }.deserialize(&mut de)?;
    de.end()
}

/// The object form, `{"traceEvents": [...], "otherData": {...}}`: `None`
/// without `traceEvents`, else the raw text of `otherData.logprof` if any.
fn parse_object(
    text: &str,
    builder: &mut TraceBuilder,
) -> Result<Option<Option<String>>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let top = TopSeed { builder }.deserialize(&mut de)?;
    de.end()?;
    Ok(top.has_events.then_some(top.logprof))
}

fn read_logprof(raw: &str) -> Result<LogprofData, ChromeJsonError> {
    serde_json::from_str::<LogprofData>(raw).map_err(|e| {
        ChromeJsonError::new(format!(
            "not a valid trace: otherData.logprof is malformed: {e}"
        ))
    })
}

/// What the top-level object held besides the events.
struct Top {
    has_events: bool,
    /// The raw text of `otherData.logprof`, read once the events are in.
    logprof: Option<String>,
}

/// The top-level object: `traceEvents` streamed into the builder, the raw
/// text of `otherData.logprof` kept, the rest skipped.
struct TopSeed<'r> {
    builder: &'r mut TraceBuilder,
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
                        builder: &mut *self.builder,
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

/// The array of events, each handed to the builder as it is parsed.
struct EventsSeed<'r> {
    builder: &'r mut TraceBuilder,
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
            // The builder's message becomes a serde error, so it comes out
            // with the line and column of the event.
            self.builder.add(event);
        }
        Ok(())
    }
}

/// The part of `otherData` this reader uses.
#[derive(Deserialize)]
struct OtherData<'a> {
    #[serde(borrow, default)]
    logprof: Option<&'a RawValue>,
}

/// `otherData.logprof`, as the writer writes it: what the events of a file
/// logprof wrote cannot carry.
#[derive(Deserialize)]
pub(super) struct LogprofData {
    #[serde(default)]
    pub(super) process_name: Option<String>,
    /// The names table, in id order.
    #[serde(default)]
    pub(super) names: Vec<String>,
    #[serde(default)]
    losses: LossesData,
    /// Whether off-CPU time was recorded (`OffCpuStatus::to_text`).
    #[serde(default)]
    pub(super) off_cpu: Option<String>,
    #[serde(default)]
    pub(super) lost_switches: u64,
    /// The cores the recording had.
    #[serde(default)]
    pub(super) cores: Option<u32>,
}

impl LogprofData {
    /// The recording's [`Losses`].
    pub(super) fn losses(&self) -> Losses {
        let l = &self.losses;
        Losses {
            overwritten_events: l.overwritten_events,
            unmatched_exits: l.unmatched_exits,
            unclosed_enters: l.unclosed_enters,
        }
    }
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

/// One entry of `traceEvents`, borrowing from the text.
#[derive(Deserialize)]
#[serde(
    expecting = "a trace event (a JSON object such as {\"ph\":\"X\",\"name\":\"f\",\
                     \"pid\":1,\"tid\":1,\"ts\":0.5,\"dur\":2})"
)]
pub(super) struct RawEvent<'a> {
    #[serde(borrow, default)]
    pub(super) ph: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    pub(super) name: Option<Scalar<'a>>,
    /// The category: `off-cpu` marks logprof's off-CPU intervals.
    #[serde(borrow, default)]
    pub(super) cat: Option<Scalar<'a>>,
    /// Kept as number text for [`micros_to_ns`](super::numbers::micros_to_ns).
    #[serde(borrow, default)]
    pub(super) ts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) dur: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) pid: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    pub(super) tid: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    pub(super) args: Option<Args<'a>>,
}

/// A JSON value where a number or a string is expected; anything else is
/// kept as `Other` rather than failing, so that fields this reader does not
/// need never stop it.
pub(super) enum Scalar<'a> {
    Uint(u64),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Other,
}

impl Scalar<'_> {
    /// A non-negative integer (an integral float counts).
    pub(super) fn as_u64(&self) -> Option<u64> {
        match *self {
            Scalar::Uint(v) => Some(v),
            Scalar::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => Some(f as u64),
            Scalar::Str(ref s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A JSON number (not a string holding one).
    fn as_number(&self) -> Option<f64> {
        match self {
            Scalar::Str(_) => None,
            other => other.as_f64(),
        }
    }

    /// A signed integer (an integral float counts).
    pub(super) fn as_i64(&self) -> Option<i64> {
        match *self {
            Scalar::Int(v) => Some(v),
            Scalar::Uint(v) => i64::try_from(v).ok(),
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
            Scalar::Str(ref s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A number, as a counter's sample.
    pub(super) fn as_f64(&self) -> Option<f64> {
        match *self {
            Scalar::Int(v) => Some(v as f64),
            Scalar::Uint(v) => Some(v as f64),
            Scalar::Float(f) => Some(f),
            Scalar::Str(ref s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
            Scalar::Other => None,
        }
    }

    /// The value as a message shows it.
    pub(super) fn describe(&self) -> String {
        match self {
            Scalar::Uint(v) => v.to_string(),
            Scalar::Int(v) => v.to_string(),
            Scalar::Float(v) => v.to_string(),
            Scalar::Str(s) => json_string(s),
            Scalar::Other => "a value that is not a number".to_owned(),
        }
    }
}

/// The visitor of a value this reader takes in any JSON shape ([`Scalar`],
/// [`Args`]): what it cannot use becomes `Scalar::Other` or empty `Args`
/// rather than an error.
struct AnyShape<T>(PhantomData<T>);

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyShape::<Self>(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Args<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyShape::<Self>(PhantomData))
    }
}

impl<'de: 'a, 'a> Visitor<'de> for AnyShape<Scalar<'a>> {
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
        d.deserialize_any(self)
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
pub(super) struct Args<'a> {
    /// The value of a `thread_name` or `process_name` metadata event.
    pub(super) name: Option<Scalar<'a>>,
    /// logprof's own nesting depth of a span.
    pub(super) depth: Option<Scalar<'a>>,
    /// logprof's own task id of a span.
    pub(super) task: Option<Scalar<'a>>,
    /// A span's value (logprof's own), or a counter's sample.
    pub(super) value: Option<Scalar<'a>>,
    /// A span's result (logprof's own).
    pub(super) result: Option<Scalar<'a>>,
    /// logprof's own mark of a span cut off by the end of the trace.
    pub(super) unfinished: Option<Scalar<'a>>,
    /// logprof's own side of a message (`"send"`, `"recv"`) of a span of
    /// MPI time; its `peer`, `tag`, `seq` and `bytes` are among `numbers`.
    pub(super) mpi: Option<Cow<'a, str>>,
    /// The other numeric members, for counters.
    pub(super) numbers: Vec<(Cow<'a, str>, f64)>,
}

impl<'de: 'a, 'a> Visitor<'de> for AnyShape<Args<'a>> {
    type Value = Args<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of arguments")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Args<'a>, A::Error> {
        let mut args = Args::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let slot = match key.as_ref() {
                "name" => &mut args.name,
                "depth" => &mut args.depth,
                "task" => &mut args.task,
                "value" => &mut args.value,
                "result" => &mut args.result,
                "unfinished" => &mut args.unfinished,
                // Text only: a counter may have a numeric member of that name.
                "mpi" => {
                    match map.next_value::<Scalar<'a>>()? {
                        Scalar::Str(side) => args.mpi = Some(side),
                        other => args.numbers.extend(other.as_number().map(|v| (key, v))),
                    }
                    continue;
                }
                _ => {
                    if let Some(v) = map.next_value::<Scalar<'a>>()?.as_number() {
                        args.numbers.push((key, v));
                    }
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
