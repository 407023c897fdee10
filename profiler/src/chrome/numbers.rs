//! Times in a Chrome file: `ts` and `dur` are microseconds written as JSON
//! numbers; a [`Span`](crate::Span) holds whole nanoseconds.
//!
//! The number is read from its text, not through `f64`, so the three
//! decimals logprof writes come back exact at any magnitude, which an `f64`
//! cannot promise for large times. Only numbers with an exponent, which
//! logprof never writes, go through `f64`. Writing times is not here: the writer prints their digits
//! straight into its buffer.

/// Microseconds as JSON number text to whole nanoseconds: exact up to three
/// decimals, rounded to the nearest nanosecond beyond.
///
/// The error completes a sentence that starts with the field's name
/// (`"ts" is negative (-1 µs)`).
pub(super) fn micros_to_ns(text: &str) -> Result<u64, String> {
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
pub(super) fn micros_text(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_ns(cases: &[(&str, u64)]) {
        for &(text, ns) in cases {
            assert_eq!(micros_to_ns(text), Ok(ns), "{text} µs");
        }
    }

    #[test]
    fn three_decimals_are_exact() {
        assert_ns(&[
            ("1234.567", 1_234_567),
            ("18446744073709.551", 18_446_744_073_709_551),
            ("7", 7_000),
            ("0.5", 500),
        ]);
    }

    #[test]
    fn a_fourth_decimal_rounds_and_later_ones_are_ignored() {
        // "1.9995": rounding carries into the whole microseconds.
        assert_ns(&[
            ("1.2344", 1_234),
            ("1.2345", 1_235),
            ("1.23449", 1_234),
            ("1.9995", 2_000),
        ]);
    }

    #[test]
    fn exponents_go_through_f64() {
        assert_ns(&[("1e3", 1_000_000), ("1.5E0", 1_500), ("2e-3", 2)]);
    }

    #[test]
    fn negative_zero_is_zero_and_other_negatives_are_errors() {
        assert_ns(&[("-0", 0), ("-0.000", 0)]);
        assert_eq!(micros_to_ns("-1"), Err("is negative (-1 µs)".to_owned()));
    }

    #[test]
    fn non_numbers_and_huge_numbers_are_errors() {
        let not_a_number = micros_to_ns("\"5\"").unwrap_err();
        assert_eq!(
            not_a_number,
            "must be a number of microseconds, found \"5\""
        );
        let too_large = micros_to_ns("18446744073709552").unwrap_err();
        assert_eq!(
            too_large,
            "18446744073709552 µs is too large (more than 2^64 ns)"
        );
    }

    #[test]
    fn messages_show_microseconds_with_three_decimals() {
        assert_eq!(micros_text(1_234_567), "1234.567");
        assert_eq!(micros_text(5), "0.005");
    }
}
