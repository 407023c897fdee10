//! Reading Chrome JSON text: the entry points [`Trace::read_chrome_json`]
//! and [`Trace::from_chrome_json_str`], and the serde seeds and visitors
//! that stream `traceEvents` into a [`TraceBuilder`] one event at a time.
//!
//! Nothing here builds a JSON tree: a trace file can hold millions of
//! events, so each event is parsed into a [`RawEvent`] that borrows from the
//! text, handed on, and dropped. The shapes of the events are in `raw`;
//! what the events mean (pids, times, pairing) is decided in `builder` and
//! `pairing`.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::builder::TraceBuilder;
use super::raw::{LogprofData, OtherData, RawEvent};
use super::{ChromeJsonError, TraceFileError};
use crate::trace::Trace;

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
        let bytes = std::fs::read(path).map_err(|e| TraceFileError::cannot_read(path, e))?;
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
