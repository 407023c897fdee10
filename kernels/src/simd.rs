//! The vector column kernels (x86-64): several pixels of one column in the
//! lanes of a vector.
//!
//! ## Same image, bit for bit
//!
//! Each lane performs exactly the operations of the scalar
//! [`pixel`](crate::pixel), in the same order, as separate IEEE multiplies,
//! adds and subtracts (never a fused multiply-add): `rr = zr·zr`,
//! `ii = zi·zi`, the test `rr + ii > 4`, then `zr = (rr - ii) + c_re` and
//! `zi = 2·(zr·zi) + c_im`. (Doubling is exact, so `2·ri` is bit for bit the
//! scalar `ri + ri`; it runs on the multiplier, which has room to spare.)
//! The row coordinates `-2 + (i·4)/(n-1)` are computed with the same
//! multiply, divide and add, in vector form. A lane that has escaped stops
//! counting (its "alive" bit is cleared for good) while the others go on.
//!
//! The counts are kept out of the vector units: each lane's count is one
//! byte of a 64-bit integer, and every update adds the alive mask spread
//! to one bit a byte ([`SPREAD`]). A count never exceeds 255, so no byte
//! carries into the next, and the integer's bytes are the pixel values.
//!
//! ## Keeping the lanes busy
//!
//! The work per pixel varies a lot (most pixels escape within a few updates,
//! a few take all 255). A vector is done when its slowest lane is, so the
//! kernel keeps three vectors of consecutive rows in flight, each with
//! its own update counter: when one is done, its counts are written out and
//! it is refilled with the next rows, while the others continue. Several
//! slots hide the latency of the multiply-subtract-add chain of an update;
//! refilling a slot on its own keeps a slow vector from holding up the rest.
//!
//! ## One kernel, two instruction sets
//!
//! The kernel ([`column_lanes`]) is written once, over the handful of vector
//! operations it needs ([`Lanes`]). Each instruction set is a zero-sized
//! token type implementing them ([`Avx2`], [`Avx512`]); a token is only made
//! by its `detect`, after the CPU was found to have the instruction set, so
//! holding one proves the intrinsics may run. Each token's `column` enters a
//! `#[target_feature]` function that inlines the generic kernel, so each
//! instruction set gets its own fully inlined copy, as if written by hand.

use std::arch::x86_64::*;

use crate::MAX_ITERATIONS;

/// 2.0, hidden from the optimiser: a multiply by a known 2.0 would be turned
/// back into `ri + ri`, which takes a slot on the busier adder.
#[inline(always)]
fn opaque_two() -> f64 {
    std::hint::black_box(2.0)
}

/// `SPREAD[m]` has byte `l` set to 1 where bit `l` of `m` is set: adding it
/// to a byte-per-lane counter counts the lanes of mask `m`.
static SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut m = 0;
    while m < 256 {
        let mut lane = 0;
        while lane < 8 {
            if m & (1 << lane) != 0 {
                table[m] |= 1 << (8 * lane);
            }
            lane += 1;
        }
        m += 1;
    }
    table
};

/// The vector operations of the column kernel, for one instruction set.
///
/// A value of the implementing type is a proof that this CPU has the
/// instruction set, so the methods are safe. They are `#[inline(always)]`:
/// they are only meant to be inlined into a `#[target_feature]` function
/// of the same instruction set, where each becomes one instruction.
trait Lanes: Copy {
    /// Pixels (rows) a vector holds: at most 8, one bit of a `u8` mask and
    /// one byte of a `u64` counter each.
    const LANES: usize;
    /// `LANES` doubles.
    type F64: Copy;

    /// Every lane `x`.
    fn splat(self, x: f64) -> Self::F64;
    /// Lane `l` holds `l`: `0, 1, ..., LANES - 1`.
    fn lane_index(self) -> Self::F64;
    fn add(self, a: Self::F64, b: Self::F64) -> Self::F64;
    fn sub(self, a: Self::F64, b: Self::F64) -> Self::F64;
    fn mul(self, a: Self::F64, b: Self::F64) -> Self::F64;
    fn div(self, a: Self::F64, b: Self::F64) -> Self::F64;
    /// Bit `l` set where lane `l` of `a` and `b` compare true under the
    /// `_CMP_*` predicate `PREDICATE`.
    fn cmp_mask<const PREDICATE: i32>(self, a: Self::F64, b: Self::F64) -> u8;

    /// Bit `l` set where lane `l` of `a` is less than that of `b` (false
    /// for NaN).
    #[inline(always)]
    fn lt_mask(self, a: Self::F64, b: Self::F64) -> u8 {
        self.cmp_mask::<_CMP_LT_OQ>(a, b)
    }

    /// Bit `l` set where lane `l` of `a` is at most that of `b` (false for
    /// NaN).
    #[inline(always)]
    fn le_mask(self, a: Self::F64, b: Self::F64) -> u8 {
        self.cmp_mask::<_CMP_LE_OQ>(a, b)
    }
}

/// Defines an instruction set's token: the type, its `detect`, its `column`
/// (entering a `#[target_feature]` function that inlines [`column_lanes`])
/// and its [`Lanes`], each operation one intrinsic (or two, for the mask).
///
/// Written once so that each instruction set states only what differs: its
/// feature, vector type, width and intrinsics.
macro_rules! isa_token {
    (
        $(#[$doc:meta])*
        $token:ident: feature $feature:tt, entered by $entry:ident;
        $f64:ty, $lanes:literal lanes;
        splat: $splat:path,
        lane_index: $lane_index:expr,
        add: $add:path,
        sub: $sub:path,
        mul: $mul:path,
        div: $div:path,
        cmp_mask::<$predicate:ident>($a:ident, $b:ident): $cmp_mask:expr $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $token(());

        impl $token {
            #[doc = concat!("The token, if this CPU has `", $feature, "`.")]
            pub(crate) fn detect() -> Option<$token> {
                is_x86_feature_detected!($feature).then_some($token(()))
            }

            /// Computes a column at `x`: pixel `i` starts at `x + yi`, `y`
            /// the coordinate of row `i` of `column.len()`, which must be at
            /// least 2.
            #[inline]
            pub(crate) fn column(self, column: &mut [u8], x: f64, c_re: f64, c_im: f64) {
                // SAFETY: a token is only made by `detect`, after the CPU was
                // found to have the one feature the function enables.
                unsafe { $entry(self, column, x, c_re, c_im) }
            }
        }

        #[target_feature(enable = $feature)]
        fn $entry(lanes: $token, column: &mut [u8], x: f64, c_re: f64, c_im: f64) {
            column_lanes(lanes, column, x, c_re, c_im)
        }

        // Every block below is safe for one reason: `self` is a token, which
        // proves the CPU has the instruction set of the intrinsics.
        impl Lanes for $token {
            const LANES: usize = $lanes;
            type F64 = $f64;

            #[inline(always)]
            fn splat(self, x: f64) -> $f64 {
                // SAFETY: `self` proves the CPU has the feature.
                unsafe { $splat(x) }
            }
            #[inline(always)]
            fn lane_index(self) -> $f64 {
                // SAFETY: `self` proves the CPU has the feature.
                unsafe { $lane_index }
            }
            #[inline(always)]
            fn add(self, a: $f64, b: $f64) -> $f64 {
                // SAFETY: `self` proves the CPU has the feature.
                unsafe { $add(a, b) }
            }
            #[inline(always)]
            fn sub(self, a: $f64, b: $f64) -> $f64 {
                // SAFETY: `self` proves the CPU has the feature.
                unsafe { $sub(a, b) }
            }
            #[inline(always)]
            fn mul(self, a: $f64, b: $f64) -> $f64 {
                // SAFETY: `self` proves the CPU has the feature.
                unsafe { $mul(a, b) }
            }
            #[inline(always)]
            fn div(self, a: $f64, b: $f64) -> $f64 {
                // SAFETY: `self` proves the CPU has the feature.
                unsafe { $div(a, b) }
            }
            #[inline(always)]
            fn cmp_mask<const $predicate: i32>(self, $a: $f64, $b: $f64) -> u8 {
                // SAFETY: `self` proves the CPU has the feature.
                unsafe { $cmp_mask }
            }
        }
    };
}

isa_token! {
    /// Proof that this CPU has AVX-512F: 8 rows a vector, 3 vectors in flight
    /// (more were no faster on the machine it was tuned on).
    Avx512: feature "avx512f", entered by column_avx512;
    __m512d, 8 lanes;
    splat: _mm512_set1_pd,
    lane_index: _mm512_setr_pd(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0),
    add: _mm512_add_pd,
    sub: _mm512_sub_pd,
    mul: _mm512_mul_pd,
    div: _mm512_div_pd,
    cmp_mask::<P>(a, b): _mm512_cmp_pd_mask::<P>(a, b),
}

isa_token! {
    /// Proof that this CPU has AVX2: 4 rows a vector, 3 vectors in flight (16
    /// vector registers hold three slots, the constants and the temporaries).
    Avx2: feature "avx2", entered by column_avx2;
    __m256d, 4 lanes;
    splat: _mm256_set1_pd,
    lane_index: _mm256_setr_pd(0.0, 1.0, 2.0, 3.0),
    add: _mm256_add_pd,
    sub: _mm256_sub_pd,
    mul: _mm256_mul_pd,
    div: _mm256_div_pd,
    cmp_mask::<P>(a, b): _mm256_movemask_pd(_mm256_cmp_pd::<P>(a, b)) as u8,
}

/// Writes the counts of the vector of rows `first..` (one byte a lane, lane
/// 0 lowest) into the column; only the rows that exist (the last vector of
/// a column may stick out).
#[inline(always)]
fn write_counts(column: &mut [u8], first: usize, lanes: usize, counts: u64) {
    let n = column.len();
    let bytes = counts.to_le_bytes();
    if first + lanes <= n {
        // `lanes` is a constant once inlined: a fixed-size copy, one store.
        column[first..first + lanes].copy_from_slice(&bytes[..lanes]);
    } else {
        for (out, &b) in column[first..].iter_mut().zip(bytes.iter()) {
            *out = b;
        }
    }
}

/// One vector of rows in flight.
#[derive(Clone, Copy)]
struct Slot<F> {
    zr: F,
    zi: F,
    /// One bit a lane: not yet escaped.
    alive: u8,
    /// One byte a lane: updates made.
    counts: u64,
    /// Updates made by the slot so far.
    updates: u8,
    /// Row of lane 0; `n` or more when the slot is idle.
    first_row: usize,
}

/// The column kernel, for any instruction set: pixel `i` of `column`
/// starts at `x + yi` with `y = -2 + (i·4)/(n-1)`, `n = column.len()`,
/// which must be at least 2.
///
/// Only to be inlined into the `#[target_feature]` function of `L`'s
/// instruction set (outside one, the intrinsics would be calls).
#[inline(always)]
fn column_lanes<L: Lanes>(v: L, column: &mut [u8], x: f64, c_re: f64, c_im: f64) {
    let n = column.len();
    let four = v.splat(4.0);
    let two = v.splat(opaque_two());
    let minus_two = v.splat(-2.0);
    let den = v.splat((n - 1) as f64);
    let rows_end = v.splat(n as f64);
    let cr = v.splat(c_re);
    let ci = v.splat(c_im);
    let xr = v.splat(x);
    let lane_rows = v.lane_index();
    let mut next_row = 0;
    let mut busy = 0u32;

    // Starts a slot on the next LANES rows, or leaves it idle.
    macro_rules! refill {
        ($s:ident) => {{
            if next_row < n {
                let rows = v.add(v.splat(next_row as f64), lane_rows);
                // y = -2 + (i*4)/(n-1), as `coordinate` computes it.
                $s.zi = v.add(minus_two, v.div(v.mul(rows, four), den));
                $s.zr = xr;
                // Lanes past the last row start dead.
                $s.alive = v.lt_mask(rows, rows_end);
                $s.counts = 0;
                $s.updates = 0;
                $s.first_row = next_row;
                next_row += L::LANES;
                busy += 1;
            } else {
                $s.first_row = n;
                $s.alive = 0;
            }
        }};
    }

    // One update of a slot; a finished slot is written out and refilled.
    macro_rules! step {
        ($s:ident) => {{
            if $s.first_row < n {
                let rr = v.mul($s.zr, $s.zr);
                let ii = v.mul($s.zi, $s.zi);
                // Alive while |z|² <= 4, i.e. not (|z|² > 4): the scalar
                // test, for the finite values live lanes hold.
                $s.alive &= v.le_mask(v.add(rr, ii), four);
                $s.counts += SPREAD[$s.alive as usize];
                let ri = v.mul($s.zr, $s.zi);
                $s.zr = v.add(v.sub(rr, ii), cr);
                $s.zi = v.add(v.mul(ri, two), ci);
                $s.updates += 1;
                if $s.alive == 0 || $s.updates == MAX_ITERATIONS {
                    // Done: every lane escaped, or the live ones made 255
                    // updates.
                    write_counts(column, $s.first_row, L::LANES, $s.counts);
                    busy -= 1;
                    refill!($s);
                }
            }
        }};
    }

    let idle = Slot {
        zr: xr,
        zi: xr,
        alive: 0,
        counts: 0,
        updates: 0,
        first_row: n,
    };
    let (mut s0, mut s1, mut s2) = (idle, idle, idle);
    refill!(s0);
    refill!(s1);
    refill!(s2);
    while busy > 0 {
        step!(s0);
        step!(s1);
        step!(s2);
    }
}
