//! One column of the page's timeline data: unsigned integers as LEB128
//! varints (7 bits a byte, the high bit set on every byte but the last),
//! written as base64 text for the page. Small numbers (a name id, a depth,
//! the gap between two spans) take one or two bytes, and no number is ever
//! cut, however long a trace runs.

use base64::Engine;

/// A column being written.
#[derive(Debug, Default)]
pub(crate) struct Column {
    bytes: Vec<u8>,
}

impl Column {
    /// An empty column with room for `values` small numbers.
    pub(crate) fn with_capacity(values: usize) -> Column {
        Column {
            bytes: Vec::with_capacity(values),
        }
    }

    /// Appends `value` as a varint.
    pub(crate) fn push(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.bytes.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.bytes.push(value as u8);
    }

    /// Appends a signed `value`, zig-zagged first (0, -1, 1, -2 … as
    /// 0, 1, 2, 3 …) so that small negatives stay short.
    pub(crate) fn push_signed(&mut self, value: i64) {
        self.push(((value << 1) ^ (value >> 63)) as u64);
    }

    /// Appends one byte as it is (a span's flags).
    pub(crate) fn push_byte(&mut self, byte: u8) {
        self.bytes.push(byte);
    }

    /// The column as base64 text (standard alphabet, padded), which the
    /// page's script turns back into bytes with `atob`.
    pub(crate) fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }
}

/// Reads a column back (tests of the encoding).
#[cfg(test)]
pub(crate) struct Reader {
    bytes: Vec<u8>,
    at: usize,
}

#[cfg(test)]
impl Reader {
    /// A reader of the column written as `base64`.
    pub(crate) fn new(base64: &str) -> Reader {
        Reader {
            bytes: base64::engine::general_purpose::STANDARD
                .decode(base64)
                .expect("base64"),
            at: 0,
        }
    }

    /// The next varint.
    pub(crate) fn next(&mut self) -> u64 {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let byte = self.bytes[self.at];
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return value;
            }
            shift += 7;
        }
    }

    /// The next zig-zagged signed varint.
    pub(crate) fn next_signed(&mut self) -> i64 {
        let z = self.next();
        ((z >> 1) as i64) ^ -((z & 1) as i64)
    }

    /// The next raw byte.
    pub(crate) fn next_byte(&mut self) -> u8 {
        self.at += 1;
        self.bytes[self.at - 1]
    }

    /// True when every byte was read.
    pub(crate) fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_every_size_come_back() {
        let values = [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ];
        let signed = [0, -1, 1, -64, 64, i64::MIN, i64::MAX];
        let mut c = Column::default();
        values.iter().for_each(|&v| c.push(v));
        signed.iter().for_each(|&v| c.push_signed(v));
        c.push_byte(0xff);
        let mut r = Reader::new(&c.to_base64());
        for v in values {
            assert_eq!(r.next(), v);
        }
        for v in signed {
            assert_eq!(r.next_signed(), v);
        }
        assert_eq!(r.next_byte(), 0xff);
        assert!(r.done());
    }

    #[test]
    fn small_numbers_take_one_byte() {
        let mut c = Column::default();
        (0..128).for_each(|v| c.push(v));
        assert_eq!(c.bytes.len(), 128);
        c.push(128);
        assert_eq!(c.bytes.len(), 130);
        c.push_signed(-64);
        assert_eq!(c.bytes.len(), 131);
    }
}
