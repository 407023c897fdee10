//! Times in a Chrome file: `ts` and `dur` are microseconds written as JSON
//! numbers; a [`Span`](crate::Span) holds whole nanoseconds.
//!
//! The number is read from its decimal text, never through `f64`: the three
//! decimals logprof writes come back exact at any magnitude (an `f64` holds
//! whole nanoseconds exactly only up to 2^53 ns, about 104 days, less than
//! a time since the epoch), and a half nanosecond is a half, where the
//! `f64` nearest to `0.5005` times 1000 is just below 500.5. Numbers with
//! an exponent (`1.2345e3`), which logprof never writes but other tools
//! may, follow the same rule: the exponent only moves the decimal point.
//! Writing times is not here: the writer prints their digits straight into
//! its buffer.

/// Microseconds as JSON number text to whole nanoseconds: exact up to three
/// decimals (after the exponent, if any, has moved the point), rounded to
/// the nearest nanosecond beyond, halves up (`0.0025` µs is 3 ns).
///
/// A value of 2^64 ns or more is an error, whatever its exponent; one below
/// half a nanosecond is 0, even with a minus sign (`-0.0004`), as is zero
/// with any exponent. The error completes a sentence that starts with the
/// field's name (`"ts" is negative (-1 µs)`).
pub(super) fn micros_to_ns(text: &str) -> Result<u64, String> {
    let too_large = || format!("{text} µs is too large (more than 2^64 ns)");
    let not_a_number = || format!("{text} is not a number");
    let bytes = text.trim_end().as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let int_start = usize::from(negative);
    if !bytes.get(int_start).is_some_and(u8::is_ascii_digit) {
        let shown: String = text.chars().take(40).collect();
        return Err(format!("must be a number of microseconds, found {shown}"));
    }
    let digits_at = |i: usize| bytes[i..].iter().take_while(|d| d.is_ascii_digit()).count();

    // The parts: `int.frac` (each a run of digits) and the exponent.
    let int_end = int_start + digits_at(int_start);
    let (frac_start, frac_end) = if bytes.get(int_end) == Some(&b'.') {
        (int_end + 1, int_end + 1 + digits_at(int_end + 1))
    } else {
        (int_end, int_end)
    };
    let mut i = frac_end;
    let mut exponent: i64 = 0;
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = bytes.get(i) == Some(&b'-');
        i += usize::from(matches!(bytes.get(i), Some(b'-' | b'+')));
        let n = digits_at(i);
        if n == 0 {
            return Err(not_a_number());
        }
        // Saturating is exact enough: past ±10^18 every value but zero is
        // too large or below half a nanosecond.
        exponent = bytes[i..i + n].iter().fold(0i64, |e, &d| {
            e.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
        if exp_negative {
            exponent = -exponent;
        }
        i += n;
    }
    if i != bytes.len() {
        return Err(not_a_number());
    }

    // The digits `int` then `frac` make an integer D, and the value is
    // D · 10^(exponent - frac digits) µs = D · 10^shift ns.
    let frac_len = (frac_end - frac_start) as i64;
    let shift = exponent.saturating_sub(frac_len).saturating_add(3);
    let digits = bytes[int_start..int_end]
        .iter()
        .chain(&bytes[frac_start..frac_end])
        .map(|d| u64::from(d - b'0'));
    // The first `whole` digits are the whole nanoseconds; the next one says
    // whether the rest is half a nanosecond or more. A `whole` below zero
    // puts even the first digit below a tenth of a nanosecond.
    let count = (int_end - int_start) as i64 + frac_len;
    let whole = count.saturating_add(shift.min(0));
    let mut ns: u64 = 0;
    let mut round_up = false;
    for (k, d) in (0i64..).zip(digits) {
        if k == whole {
            round_up = d >= 5;
        }
        if k >= whole {
            break;
        }
        ns = ns
            .checked_mul(10)
            .and_then(|ns| ns.checked_add(d))
            .ok_or_else(too_large)?;
    }
    if shift > 0 && ns != 0 {
        ns = u32::try_from(shift)
            .ok()
            .and_then(|s| 10u64.checked_pow(s))
            .and_then(|scale| ns.checked_mul(scale))
            .ok_or_else(too_large)?;
    }
    let ns = ns.checked_add(u64::from(round_up)).ok_or_else(too_large)?;
    if negative && ns != 0 {
        return Err(format!("is negative ({text} µs)"));
    }
    Ok(ns)
}

/// Nanoseconds as microseconds text, for messages.
#[cfg(test)]
pub(super) fn micros_text(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every case and reports all the wrong ones at once.
    fn assert_ns(cases: &[(&str, u64)]) {
        let wrong: Vec<String> = cases
            .iter()
            .filter_map(|&(text, ns)| {
                let got = micros_to_ns(text);
                (got != Ok(ns)).then(|| format!("{text} µs: got {got:?}, want {ns} ns"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
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
    fn exponents_move_the_point() {
        assert_ns(&[("1e3", 1_000_000), ("1.5E0", 1_500), ("2e-3", 2)]);
    }

    /// The rule at both sides of a half nanosecond: below rounds down, a
    /// half or more rounds up (never to even: 2.5 ns is 3 ns). A reader
    /// that truncated would give 1, 1, 2 and 0 for the first four.
    #[test]
    fn halves_round_up_and_just_below_rounds_down() {
        assert_ns(&[
            ("0.0015", 2),
            ("0.00149999", 1),
            ("0.0025", 3),
            ("0.0005", 1),
            ("0.0004999", 0),
            ("0.0035", 4),
        ]);
    }

    /// Numbers with exponents: the same rule, worked out on the decimal
    /// text, so a half is a half (`0.5005` has no exact `f64`; the nearest
    /// one times 1000 lands just below 500.5).
    #[test]
    fn exponents_follow_the_same_rule() {
        assert_ns(&[
            // 1.2345e3 µs = 1234.5 µs = 1 234 500 ns, exactly.
            ("1.2345e3", 1_234_500),
            ("1e-3", 1),
            ("2.5E+2", 250_000),
            ("1E3", 1_000_000),
            // 1.5 ns, 1.4999 ns, 2.5 ns, 0.5 ns, 0.49999 ns.
            ("1.5e-3", 2),
            ("1.4999e-3", 1),
            ("2.5e-3", 3),
            ("5e-4", 1),
            ("4.9999e-4", 0),
            // 12345e-4 µs = 1.2345 µs = 1234.5 ns; 12344e-4 µs = 1234.4 ns.
            ("12345e-4", 1_235),
            ("12344e-4", 1_234),
            // 0.5005 µs = 500.5 ns: the nearest f64 of 0.5005 times 1000
            // is 500.49999999999994, which rounds to 500.
            ("5.005e-1", 501),
            ("5005e-4", 501),
            ("5.0049e-1", 500),
            ("1.0000005e3", 1_000_001),
            ("1.0000004999e3", 1_000_000),
            // A positive exponent that moves the point past the digits.
            ("0.000015e6", 15_000),
            ("15e-1", 1_500),
        ]);
    }

    #[test]
    fn exponents_are_exact_at_any_magnitude() {
        // More digits than an f64 holds (2^53 ≈ 9.0e15).
        assert_ns(&[
            ("12345678901234.567e0", 12_345_678_901_234_567),
            ("1.8446744073709551615e16", u64::MAX),
            ("18446744073709551614.9e-3", u64::MAX),
            ("1.84467440737095516154e16", u64::MAX),
        ]);
    }

    #[test]
    fn tiny_and_zero_values_with_huge_exponents_are_zero() {
        assert_ns(&[
            ("1e-4", 0),
            ("1e-400", 0),
            ("9e-99999999999999999999", 0),
            ("0e400", 0),
            ("0.000e99999999999999999999", 0),
            ("-0e5", 0),
        ]);
    }

    #[test]
    fn huge_exponents_are_errors_not_wraps() {
        for text in [
            "1e400",
            "1e17",
            "1.8446744073709551616e16",
            "18446744073709551615.9995e0",
            "1e99999999999999999999",
            "1e+99999999999999999999",
            "1e18446744073709551616",
        ] {
            assert_eq!(
                micros_to_ns(text),
                Err(format!("{text} µs is too large (more than 2^64 ns)")),
            );
        }
        // Rounding up the largest value would carry past 2^64.
        assert!(micros_to_ns("18446744073709551.6155").is_err());
        assert_eq!(micros_to_ns("18446744073709551.6154"), Ok(u64::MAX));
    }

    #[test]
    fn negative_exponents_on_negative_numbers() {
        assert_eq!(
            micros_to_ns("-1e-3"),
            Err("is negative (-1e-3 µs)".to_owned())
        );
        // Less than half a nanosecond below zero is zero, as "-0.0004" is.
        assert_ns(&[("-4e-4", 0), ("-0.0004", 0)]);
    }

    #[test]
    fn malformed_exponents_are_errors() {
        for text in ["1e", "1e+", "1e-", "1ee3", "1e3.5", "1.2.3", "1x"] {
            assert_eq!(micros_to_ns(text), Err(format!("{text} is not a number")));
        }
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
