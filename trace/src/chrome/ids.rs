//! Process and thread ids that are not plain integers: text
//! (`"tid":"stream 7"`, `"pid":"Spans"`), negative numbers (`"tid":-1`) or
//! numbers too large for their field. Perfetto shows such a thread as a lane
//! of its own; so does logprof, under a numeric id made from the text, and
//! named by it.
//!
//! The id is a hash of the text with the top bit set (pids above 2^31, tids
//! above 2^63: ranges no operating system hands out), so the same text gets
//! the same id in every file; two texts whose hashes meet are told apart by
//! the order they first appear.

use std::collections::{HashMap, HashSet};

use super::raw::Scalar;

/// The ids given to texts so far, for pids and for tids.
#[derive(Default)]
pub(super) struct TextIds {
    pids: HashMap<String, u32>,
    tids: HashMap<String, u64>,
    used_pids: HashSet<u32>,
    used_tids: HashSet<u64>,
    /// The text of each tid given out, to name its lane.
    pub(super) tid_texts: HashMap<u64, String>,
    /// The text of each pid given out, to name its process.
    pub(super) pid_texts: HashMap<u32, String>,
}

/// What an id field holds, once read.
pub(super) enum Id<T> {
    /// A plain integer id (missing fields are 0).
    Plain(T),
    /// An id given to a text.
    Text(T),
}

impl<T> Id<T> {
    pub(super) fn value(self) -> T {
        match self {
            Id::Plain(v) | Id::Text(v) => v,
        }
    }
    pub(super) fn is_text(&self) -> bool {
        matches!(self, Id::Text(_))
    }
}

impl TextIds {
    /// The pid of an event: its integer, or the id of its text.
    pub(super) fn pid(&mut self, field: Option<&Scalar<'_>>) -> Id<u32> {
        match plain(field).map(u32::try_from) {
            Some(Ok(pid)) => Id::Plain(pid),
            _ => {
                let text = text_of(field);
                if let Some(&id) = self.pids.get(&text) {
                    return Id::Text(id);
                }
                let mut id = (fnv1a(&text) as u32) | (1 << 31);
                while !self.used_pids.insert(id) {
                    id = id.wrapping_add(1) | (1 << 31);
                }
                self.pids.insert(text.clone(), id);
                self.pid_texts.insert(id, text);
                Id::Text(id)
            }
        }
    }

    /// The tid of an event: its integer, or the id of its text.
    pub(super) fn tid(&mut self, field: Option<&Scalar<'_>>) -> Id<u64> {
        match plain(field) {
            Some(tid) => Id::Plain(tid),
            None => {
                let text = text_of(field);
                if let Some(&id) = self.tids.get(&text) {
                    return Id::Text(id);
                }
                let mut id = fnv1a(&text) | (1 << 63);
                while !self.used_tids.insert(id) {
                    id = id.wrapping_add(1) | (1 << 63);
                }
                self.tids.insert(text.clone(), id);
                self.tid_texts.insert(id, text);
                Id::Text(id)
            }
        }
    }
}

/// The integer of an id field; 0 when it is missing.
fn plain(field: Option<&Scalar<'_>>) -> Option<u64> {
    match field {
        None => Some(0),
        Some(s) => s.as_u64(),
    }
}

/// The text an id field shows: a string as it is, a number as its digits.
fn text_of(field: Option<&Scalar<'_>>) -> String {
    match field {
        Some(Scalar::Str(s)) => s.clone().into_owned(),
        Some(Scalar::Other) | None => "?".to_owned(),
        Some(other) => other.describe(),
    }
}

/// The 64-bit FNV-1a hash: small, and the same on every platform and run.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn texts_get_stable_distinct_ids_and_integers_stay() {
        let mut ids = TextIds::default();
        let stream = Scalar::Str(Cow::Borrowed("stream 7"));
        let a = ids.tid(Some(&stream)).value();
        assert!(a >= 1 << 63);
        assert_eq!(ids.tid(Some(&stream)).value(), a);
        assert_eq!(TextIds::default().tid(Some(&stream)).value(), a);
        assert_eq!(ids.tid_texts[&a], "stream 7");
        assert!(!ids.tid(Some(&Scalar::Uint(5))).is_text());
        assert!(ids.tid(Some(&Scalar::Int(-1))).is_text());
        assert!(ids.pid(Some(&Scalar::Uint(1 << 40))).is_text());
        assert_eq!(ids.pid(None).value(), 0);
    }
}
