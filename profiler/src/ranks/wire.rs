//! A [`Trace`] as bytes, to send one rank's trace to rank 0: little-endian
//! integers and length-prefixed UTF-8 strings, in the order of the fields.
//! Both ends are the same program, so there is no version and no
//! compatibility to keep; a malformed message is an error, never a panic.

use crate::trace::{CounterTrack, InstantEvent, Lane, Losses, Span, Trace};

/// Appends the encoding of `trace` to `out`.
pub(crate) fn encode(trace: &Trace, out: &mut Vec<u8>) {
    let mut w = Writer(out);
    w.opt_str(trace.process_name.as_deref());
    w.u64(trace.names.len() as u64);
    for name in &trace.names {
        w.str(name);
    }
    w.u64(trace.lanes.len() as u64);
    for lane in &trace.lanes {
        w.u64(lane.pid.into());
        w.u64(lane.tid);
        w.str(&lane.thread_name);
        w.u64(lane.spans.len() as u64);
        for s in &lane.spans {
            w.u64(s.name.into());
            w.u64(s.start_ns);
            w.u64(s.end_ns);
            w.u64(s.depth.into());
            w.opt_u64(s.task);
            w.opt_u64(s.value.map(|v| v as u64));
            w.u64(s.unfinished.into());
        }
        w.u64(lane.instants.len() as u64);
        for i in &lane.instants {
            w.u64(i.name.into());
            w.u64(i.ts_ns);
        }
    }
    w.u64(trace.counters.len() as u64);
    for c in &trace.counters {
        w.u64(c.pid.into());
        w.str(&c.name);
        w.u64(c.samples.len() as u64);
        for &(t, v) in &c.samples {
            w.u64(t);
            w.u64(v.to_bits());
        }
    }
    let l = &trace.losses;
    for n in [l.overwritten_events, l.unmatched_exits, l.unclosed_enters] {
        w.u64(n);
    }
}

/// The trace encoded in `bytes`, or `None` if they are not one.
pub(crate) fn decode(bytes: &[u8]) -> Option<Trace> {
    let mut r = Reader(bytes);
    let mut trace = Trace {
        process_name: r.opt_str()?,
        ..Trace::default()
    };
    for _ in 0..r.len()? {
        trace.names.push(r.str()?);
    }
    for _ in 0..r.len()? {
        let mut lane = Lane::new(r.u32()?, r.u64()?, r.str()?);
        for _ in 0..r.len()? {
            let mut span = Span::new(r.u32()?, r.u64()?, r.u64()?, r.u32()?);
            span.task = r.opt_u64()?;
            span.value = r.opt_u64()?.map(|v| v as i64);
            span.unfinished = r.u64()? != 0;
            lane.spans.push(span);
        }
        for _ in 0..r.len()? {
            let name = r.u32()?;
            lane.instants.push(InstantEvent {
                name,
                ts_ns: r.u64()?,
            });
        }
        trace.lanes.push(lane);
    }
    for _ in 0..r.len()? {
        let mut counter = CounterTrack {
            pid: r.u32()?,
            name: r.str()?,
            samples: Vec::new(),
        };
        for _ in 0..r.len()? {
            counter.samples.push((r.u64()?, f64::from_bits(r.u64()?)));
        }
        trace.counters.push(counter);
    }
    trace.losses = Losses {
        overwritten_events: r.u64()?,
        unmatched_exits: r.u64()?,
        unclosed_enters: r.u64()?,
    };
    r.0.is_empty().then_some(trace)
}

struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        self.u64(s.is_some().into());
        if let Some(s) = s {
            self.str(s);
        }
    }

    fn opt_u64(&mut self, v: Option<u64>) {
        self.u64(v.is_some().into());
        if let Some(v) = v {
            self.u64(v);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }

    fn u32(&mut self) -> Option<u32> {
        self.u64()?.try_into().ok()
    }

    /// A count of items that follow; at most one item a remaining byte, so
    /// a corrupt count cannot ask for a huge allocation or a long loop.
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }

    fn str(&mut self) -> Option<String> {
        let n = self.len()?;
        let (text, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(text.to_vec()).ok()
    }

    fn opt_str(&mut self) -> Option<Option<String>> {
        match self.u64()? {
            0 => Some(None),
            1 => self.str().map(Some),
            _ => None,
        }
    }

    fn opt_u64(&mut self) -> Option<Option<u64>> {
        match self.u64()? {
            0 => Some(None),
            1 => self.u64().map(Some),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_comes_back_as_it_was_sent() {
        let mut trace = Trace {
            process_name: Some("rank é".into()),
            names: vec!["a".into(), "b\"c".into()],
            losses: Losses {
                overwritten_events: 1,
                unmatched_exits: 2,
                unclosed_enters: 3,
            },
            ..Trace::default()
        };
        let mut lane = Lane::with_spans(
            7,
            2,
            "worker",
            [
                Span::new(0, 5, 9, 0).with_value(-4),
                Span::new(1, 6, 8, 1).in_task(3).cut_off(),
            ],
        );
        lane.instants.push(InstantEvent { name: 1, ts_ns: 7 });
        trace.lanes.push(lane);
        trace.counters.push(CounterTrack {
            pid: 7,
            name: "queued".into(),
            samples: vec![(1, 0.5), (2, -1.0)],
        });
        let mut bytes = Vec::new();
        encode(&trace, &mut bytes);
        assert_eq!(decode(&bytes), Some(trace));
        // Cut short or with a byte too many, it is no trace.
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        bytes.push(0);
        assert_eq!(decode(&bytes), None);
    }
}
