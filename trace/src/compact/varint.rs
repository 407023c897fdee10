//! The integers of a chunk: LEB128 varints (7 bits a byte, low bits
//! first), zigzag for signed values, and [`Bytes`], a cursor over a chunk's
//! payload whose every read is checked, so a damaged chunk is an error
//! naming what was being read, never a panic or a huge allocation.

use super::CompactError;

/// Appends `v` as a varint: 1 byte below 128, at most 10.
#[inline]
pub(crate) fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a signed value, zigzagged so small magnitudes of either sign
/// take one byte.
#[inline]
pub(crate) fn put_signed(out: &mut Vec<u8>, v: i64) {
    put(out, zigzag(v));
}

/// Appends a string as its length and its UTF-8 bytes.
pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

#[inline]
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// A checked cursor over one chunk's payload.
#[derive(Clone)]
pub(crate) struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, at: 0 }
    }

    /// True when the payload is read to its end.
    pub(crate) fn is_empty(&self) -> bool {
        self.at >= self.data.len()
    }

    /// Bytes not yet read: an upper bound on how many items can follow,
    /// so a count read from a damaged chunk never reserves more than that.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.at
    }

    fn short(what: &str) -> CompactError {
        CompactError::damaged(format!("a chunk ends inside {what}"))
    }

    #[inline]
    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, CompactError> {
        let b = *self.data.get(self.at).ok_or_else(|| Self::short(what))?;
        self.at += 1;
        Ok(b)
    }

    #[inline]
    pub(crate) fn varint(&mut self, what: &str) -> Result<u64, CompactError> {
        // Most values of a chunk (heads, names, short deltas) take one
        // byte: read those without the loop.
        if let Some(&b) = self.data.get(self.at) {
            if b < 0x80 {
                self.at += 1;
                return Ok(u64::from(b));
            }
        }
        self.varint_long(what)
    }

    /// A varint of more than one byte (or none: the chunk ends).
    #[inline(never)]
    fn varint_long(&mut self, what: &str) -> Result<u64, CompactError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8(what)?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                if shift == 63 && b > 1 {
                    break; // more than 64 bits
                }
                return Ok(v);
            }
        }
        Err(CompactError::damaged(format!(
            "{what} is not a valid varint (more than 64 bits)"
        )))
    }

    #[inline]
    pub(crate) fn signed(&mut self, what: &str) -> Result<i64, CompactError> {
        self.varint(what).map(unzigzag)
    }

    #[inline]
    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, CompactError> {
        let v = self.varint(what)?;
        u32::try_from(v).map_err(|_| CompactError::damaged(format!("{what} is {v}, past 2^32")))
    }

    /// A count of items each taking at least one byte.
    pub(crate) fn count(&mut self, what: &str) -> Result<usize, CompactError> {
        let n = self.varint(what)?;
        if n > self.remaining() as u64 {
            return Err(CompactError::damaged(format!(
                "{what} is {n}, more than the chunk can hold"
            )));
        }
        Ok(n as usize)
    }

    pub(crate) fn f64(&mut self, what: &str) -> Result<f64, CompactError> {
        let raw = self.take(8, what)?;
        let mut b = [0u8; 8];
        b.copy_from_slice(raw);
        Ok(f64::from_le_bytes(b))
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CompactError> {
        if n > self.remaining() {
            return Err(Self::short(what));
        }
        let s = &self.data[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    pub(crate) fn string(&mut self, what: &str) -> Result<String, CompactError> {
        let n = self.count(what)?;
        let raw = self.take(n, what)?;
        String::from_utf8(raw.to_vec())
            .map_err(|_| CompactError::damaged(format!("{what} is not UTF-8")))
    }

    pub(crate) fn opt_u32(&mut self, what: &str) -> Result<Option<u32>, CompactError> {
        // 0 for none, else the value + 1.
        match self.varint(what)? {
            0 => Ok(None),
            v => u32::try_from(v - 1)
                .map(Some)
                .map_err(|_| CompactError::damaged(format!("{what} is past 2^32"))),
        }
    }
}

/// Appends an optional u32 as 0 (none) or the value + 1.
pub(crate) fn put_opt_u32(out: &mut Vec<u8>, v: Option<u32>) {
    put(out, v.map_or(0, |v| u64::from(v) + 1));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_every_width() {
        let mut values = vec![0u64, 1, 127, 128, 16_383, 16_384, u64::MAX, u64::MAX - 1];
        values.extend((0..64).map(|s| 1u64 << s));
        for v in values {
            let mut out = Vec::new();
            put(&mut out, v);
            assert!(out.len() <= 10);
            let mut b = Bytes::new(&out);
            assert_eq!(b.varint("v").unwrap(), v);
            assert!(b.is_empty());
        }
        for v in [0i64, -1, 1, -64, 63, -65, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            put_signed(&mut out, v);
            assert_eq!(Bytes::new(&out).signed("v").unwrap(), v);
        }
        let mut one = Vec::new();
        put_signed(&mut one, -64);
        assert_eq!(one.len(), 1, "small magnitudes take one byte");
    }

    #[test]
    fn damaged_varints_and_counts_are_errors() {
        // Cut inside a varint.
        assert!(Bytes::new(&[0x80]).varint("a start").is_err());
        // Eleven continuation bytes: past 64 bits.
        let long = [0xffu8; 11];
        let err = Bytes::new(&long).varint("a start").unwrap_err();
        assert!(err.to_string().contains("64 bits"), "{err}");
        // The tenth byte may only carry the top bit.
        let mut over = vec![0xffu8; 9];
        over.push(0x02);
        assert!(Bytes::new(&over).varint("x").is_err());
        // A count larger than what follows.
        assert!(Bytes::new(&[100, 1, 2]).count("spans").is_err());
    }
}
