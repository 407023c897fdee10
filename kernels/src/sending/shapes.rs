//! The same random strings in the lecture's four shapes, and their
//! encodings.
//!
//! The sender holds each shape ready, as the lecture's `v`, `d` and `p`
//! are; the flat form is built when sent (the lecture's
//! `custom_serialization`). [`Shapes::encode`] gives the bytes that go on the wire
//! (postcard, a compact serde format), [`decode`] turns them back into the
//! same shape, and [`Received::into_strings`] back into the plain vector,
//! to check that the receiver got exactly what was sent.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::SendingError;
use crate::histogram::XorShift;

/// How many strings the lecture sends.
pub const STRINGS: usize = 1000;

/// Longest string (the lecture's `randstring(rand(1:20))`).
const MAX_LEN: usize = 20;

/// The characters of a random string (Julia's `randstring` uses these).
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `count` random strings of 1 to 20 letters and digits; the same seed
/// gives the same strings on every rank.
pub fn random_strings(seed: u64, count: usize) -> Vec<String> {
    let mut rng = XorShift::new(seed);
    (0..count)
        .map(|_| {
            let len = rng.range(1, MAX_LEN);
            (0..len)
                .map(|_| ALPHABET[rng.range(0, ALPHABET.len() - 1)] as char)
                .collect()
        })
        .collect()
}

/// A shape the strings are sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `Vec<String>` (the lecture's `v`).
    Vector,
    /// `HashMap<u32, String>`, keys 1 to n (the lecture's `Dict(p)`).
    Map,
    /// `Vec<(u32, String)>` (the lecture's `p`, a vector of pairs).
    Pairs,
    /// The lengths and one joined string (the lecture's
    /// `(length.(v), join(v, ""))`).
    Flat,
}

impl Shape {
    /// Every shape, in the lecture's order.
    pub const ALL: [Shape; 4] = [Shape::Vector, Shape::Map, Shape::Pairs, Shape::Flat];

    /// A short name: `vector`, `map`, `pairs` or `flat`.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Vector => "vector",
            Shape::Map => "map",
            Shape::Pairs => "pairs",
            Shape::Flat => "flat",
        }
    }
}

/// The flat form: every string's length in bytes, and all of them joined.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flat {
    /// The strings' lengths in bytes, in order.
    pub lengths: Vec<u32>,
    /// The strings, joined without separator.
    pub joined: String,
}

impl Flat {
    /// The flat form of `strings`.
    pub fn of(strings: &[String]) -> Flat {
        Flat {
            lengths: strings.iter().map(|s| s.len() as u32).collect(),
            joined: strings.concat(),
        }
    }

    /// The strings back, cut at the lengths; an error when the lengths do
    /// not add up to the joined string or cut a character in two.
    pub fn split(&self) -> Result<Vec<String>, SendingError> {
        let mut start = 0usize;
        let mut strings = Vec::with_capacity(self.lengths.len());
        for &len in &self.lengths {
            let end = start + len as usize;
            let piece = self.joined.get(start..end).ok_or_else(|| {
                SendingError::new(format!(
                    "flat form: bytes {start}..{end} are not a string of the {}-byte joined string",
                    self.joined.len()
                ))
            })?;
            strings.push(piece.to_owned());
            start = end;
        }
        if start != self.joined.len() {
            return Err(SendingError::new(format!(
                "flat form: the lengths add up to {start} bytes, the joined string has {}",
                self.joined.len()
            )));
        }
        Ok(strings)
    }
}

/// The strings in every shape, built once before anything is timed.
#[derive(Clone, Debug)]
pub struct Shapes {
    /// The strings.
    pub vector: Vec<String>,
    /// The strings keyed by their position, from 1.
    pub map: HashMap<u32, String>,
    /// The strings paired with their position, from 1.
    pub pairs: Vec<(u32, String)>,
}

impl Shapes {
    /// `strings` in every shape.
    pub fn new(strings: Vec<String>) -> Shapes {
        let pairs: Vec<(u32, String)> = (1u32..).zip(strings.iter().cloned()).collect();
        Shapes {
            map: pairs.iter().cloned().collect(),
            pairs,
            vector: strings,
        }
    }

    /// The bytes sent for `shape`: the shape serialised with postcard (the
    /// flat form built first, as part of sending it).
    pub fn encode(&self, shape: Shape) -> Result<Vec<u8>, SendingError> {
        let bytes = match shape {
            Shape::Vector => postcard::to_allocvec(&self.vector),
            Shape::Map => postcard::to_allocvec(&self.map),
            Shape::Pairs => postcard::to_allocvec(&self.pairs),
            Shape::Flat => postcard::to_allocvec(&Flat::of(&self.vector)),
        };
        bytes.map_err(|e| {
            SendingError::new(format!("cannot serialise the {}: {e}", shape.name())).caused_by(e)
        })
    }
}

/// What a receiver decoded, in the shape that was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// A vector of strings.
    Vector(Vec<String>),
    /// A map from position to string.
    Map(HashMap<u32, String>),
    /// A vector of (position, string) pairs.
    Pairs(Vec<(u32, String)>),
    /// The flat form.
    Flat(Flat),
}

/// Decodes `bytes` sent as `shape`.
pub fn decode(shape: Shape, bytes: &[u8]) -> Result<Received, SendingError> {
    let error = |e: postcard::Error| {
        SendingError::new(format!(
            "cannot deserialise the {} from {} bytes: {e}",
            shape.name(),
            bytes.len()
        ))
        .caused_by(e)
    };
    Ok(match shape {
        Shape::Vector => Received::Vector(postcard::from_bytes(bytes).map_err(error)?),
        Shape::Map => Received::Map(postcard::from_bytes(bytes).map_err(error)?),
        Shape::Pairs => Received::Pairs(postcard::from_bytes(bytes).map_err(error)?),
        Shape::Flat => Received::Flat(postcard::from_bytes(bytes).map_err(error)?),
    })
}

impl Received {
    /// The strings in their order, to compare with what was sent: a map
    /// must hold keys 1 to n, pairs must be numbered 1 to n in order.
    pub fn into_strings(self) -> Result<Vec<String>, SendingError> {
        match self {
            Received::Vector(v) => Ok(v),
            Received::Flat(flat) => flat.split(),
            Received::Pairs(pairs) => (1u32..)
                .zip(pairs)
                .map(|(want, (key, s))| match key == want {
                    true => Ok(s),
                    false => Err(SendingError::new(format!(
                        "pairs: pair {want} is numbered {key}"
                    ))),
                })
                .collect(),
            Received::Map(mut map) => {
                let n = map.len() as u32;
                (1..=n)
                    .map(|key| {
                        map.remove(&key).ok_or_else(|| {
                            SendingError::new(format!("map: key {key} of 1..={n} is missing"))
                        })
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_reproducible_and_of_the_lectures_lengths() {
        let a = random_strings(7, STRINGS);
        assert_eq!(a, random_strings(7, STRINGS));
        assert_ne!(a, random_strings(8, STRINGS));
        assert!(a.iter().all(|s| (1..=MAX_LEN).contains(&s.len())));
        assert!(a.iter().all(|s| s.bytes().all(|b| ALPHABET.contains(&b))));
        // Every length is drawn, not just a few.
        let lengths: std::collections::HashSet<usize> = a.iter().map(String::len).collect();
        assert_eq!(lengths.len(), MAX_LEN);
    }

    #[test]
    fn every_shape_decodes_to_the_strings_sent() {
        let strings = random_strings(1, 300);
        let shapes = Shapes::new(strings.clone());
        let mut sizes = Vec::new();
        for shape in Shape::ALL {
            let bytes = shapes.encode(shape).unwrap();
            sizes.push(bytes.len());
            let back = decode(shape, &bytes).unwrap().into_strings().unwrap();
            assert_eq!(back, strings, "{shape:?}");
        }
        // Numbering costs bytes; flattening does not (postcard writes a
        // one-byte length before each short string either way): the
        // shapes differ in work, not much in size.
        let [vector, map, pairs, flat] = sizes[..] else {
            unreachable!()
        };
        assert!(map > vector && pairs > vector, "{sizes:?}");
        assert!(flat.abs_diff(vector) <= 8, "{sizes:?}");
    }

    #[test]
    fn damaged_data_is_an_error_not_a_panic() {
        let shapes = Shapes::new(random_strings(2, 50));
        let bytes = shapes.encode(Shape::Vector).unwrap();
        assert!(decode(Shape::Vector, &bytes[..bytes.len() / 2]).is_err());
        let bad = Flat {
            lengths: vec![3, 9],
            joined: "abcdef".into(),
        };
        assert!(bad.split().is_err());
        let short = Flat {
            lengths: vec![2],
            joined: "abc".into(),
        };
        assert!(short.split().is_err());
        let mut map = shapes.map.clone();
        map.remove(&7);
        assert!(Received::Map(map).into_strings().is_err());
        let mut pairs = shapes.pairs.clone();
        pairs.swap(0, 1);
        assert!(Received::Pairs(pairs).into_strings().is_err());
    }
}
