//! The shapes serde parses a Chrome JSON file into, borrowing from its text:
//! one [`RawEvent`] per entry of `traceEvents`, its [`Scalar`] fields and
//! [`Args`], and `otherData.logprof` ([`LogprofData`]).
//!
//! Each shape accepts whatever another tool may put in a field this reader
//! does not need (a value of any JSON type becomes [`Scalar::Other`] or empty
//! [`Args`]), so such fields never stop the reading. Nothing here decides
//! what an event means: see `builder` and `pairing`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::json_string;
use crate::trace::Losses;

/// The part of `otherData` this reader uses.
#[derive(Deserialize)]
pub(super) struct OtherData<'a> {
    #[serde(borrow, default)]
    pub(super) logprof: Option<&'a RawValue>,
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
    pub(super) losses: Losses,
    /// Whether off-CPU time was recorded (`OffCpuStatus::to_text`).
    #[serde(default)]
    pub(super) off_cpu: Option<String>,
    #[serde(default)]
    pub(super) lost_switches: u64,
    /// The cores the recording had.
    #[serde(default)]
    pub(super) cores: Option<u32>,
    /// [`crate::Trace::metadata`]: a rank's facts, a merged run's ranks.
    #[serde(default)]
    pub(super) metadata: BTreeMap<String, serde_json::Value>,
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
