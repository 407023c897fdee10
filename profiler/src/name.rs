//! Names known only at run time, and the values a span carries.
//!
//! A string literal names a span for free: the macros put it in a `static`
//! call site, registered on first use. A name made at run time (a file
//! name, a request kind) is interned once with [`Name::new`], on the cold
//! path, and the small `Copy` handle it returns is then as cheap to record
//! as a literal.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use crate::callsite::Callsite;
use crate::reentry::ColdGuard;

/// A span, instant or counter name chosen at run time, interned once.
///
/// ```
/// let kind = String::from("parse");
/// let name = logprof::Name::new(&kind); // once: locks and may allocate
/// for _ in 0..3 {
///     let _span = logprof::scope!(name); // as cheap as a literal
/// }
/// let _span = logprof::scope!(name, 42); // with a value
/// ```
///
/// Interning the same text again returns the same name. Every distinct text
/// is kept for the life of the process (a small call site each), so intern
/// names, not unbounded data: a value belongs in `scope!(name, value)`.
#[derive(Clone, Copy)]
pub struct Name {
    site: &'static Callsite,
    /// The call site that records this name as a region (`region!(name)`).
    region_site: &'static Callsite,
    /// The call site that records this name as waiting (`wait!(name)`).
    wait_site: &'static Callsite,
}

/// Every name interned so far, by its text.
static INTERNED: LazyLock<Mutex<HashMap<&'static str, Name>>> = LazyLock::new(Default::default);

impl Name {
    /// The name `name`, interned: the first call with a given text leaks one
    /// copy of it and three call sites (for `scope!`, `region!` and `wait!`);
    /// later calls look it up.
    pub fn new(name: &str) -> Name {
        let _cold = ColdGuard::enter();
        let mut interned = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&name) = interned.get(name) {
            return name;
        }
        let text: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let name = Name {
            site: Box::leak(Box::new(Callsite::new(text))),
            region_site: Box::leak(Box::new(Callsite::region(text))),
            wait_site: Box::leak(Box::new(Callsite::wait(text))),
        };
        interned.insert(text, name);
        name
    }

    /// The text of the name.
    pub fn as_str(&self) -> &'static str {
        self.site.name()
    }

    /// The call site that records under this name.
    pub fn callsite(&self) -> &'static Callsite {
        self.site
    }

    /// The call site that records regions under this name (see
    /// [`region!`](crate::region)).
    pub fn region_callsite(&self) -> &'static Callsite {
        self.region_site
    }

    /// The call site that records waiting under this name (see
    /// [`wait!`](crate::wait)).
    pub fn wait_callsite(&self) -> &'static Callsite {
        self.wait_site
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Name").field(&self.as_str()).finish()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        std::ptr::eq(self.site, other.site)
    }
}

impl Eq for Name {}

/// What `scope!`, `instant!` and `counter!` accept as a name besides a
/// string literal: a [`Name`].
#[diagnostic::on_unimplemented(
    message = "a logprof name must be a string literal or a `logprof::Name`, not `{Self}`",
    label = "a name known only at run time",
    note = "intern it once with `let name = logprof::Name::new(&text);` and pass `name`: \
            literals cost nothing, a `Name` as little"
)]
pub trait SpanName {
    /// The call site that records under this name.
    fn callsite(&self) -> &'static Callsite;

    /// The call site that records regions under this name.
    fn region_callsite(&self) -> &'static Callsite;

    /// The call site that records waiting under this name.
    fn wait_callsite(&self) -> &'static Callsite;
}

impl SpanName for Name {
    fn callsite(&self) -> &'static Callsite {
        self.site
    }

    fn region_callsite(&self) -> &'static Callsite {
        self.region_site
    }

    fn wait_callsite(&self) -> &'static Callsite {
        self.wait_site
    }
}

impl SpanName for &Name {
    fn callsite(&self) -> &'static Callsite {
        self.site
    }

    fn region_callsite(&self) -> &'static Callsite {
        self.region_site
    }

    fn wait_callsite(&self) -> &'static Callsite {
        self.wait_site
    }
}

/// Implementation detail of the macros: the call site of a run-time name.
#[doc(hidden)]
#[inline(always)]
pub fn __callsite_of<N: SpanName>(name: N) -> &'static Callsite {
    name.callsite()
}

/// Implementation detail of `region!`: the region call site of a run-time
/// name.
#[doc(hidden)]
#[inline(always)]
pub fn __region_callsite_of<N: SpanName>(name: N) -> &'static Callsite {
    name.region_callsite()
}

/// Implementation detail of `wait!`: the waiting call site of a run-time
/// name.
#[doc(hidden)]
#[inline(always)]
pub fn __wait_callsite_of<N: SpanName>(name: N) -> &'static Callsite {
    name.wait_callsite()
}

/// An integer a span can carry (`scope!("name", value)`,
/// `record_fn!(f(x); value)`): every primitive integer and `bool`. Values
/// beyond `i64` (a `u64` or `usize` above `i64::MAX`, an `i128`) saturate.
pub trait SpanValue {
    /// The value as recorded.
    fn span_value(self) -> i64;
}

macro_rules! lossless_span_value {
    ($($t:ty),*) => {$(
        impl SpanValue for $t {
            #[inline(always)]
            fn span_value(self) -> i64 {
                i64::from(self)
            }
        }
    )*};
}

macro_rules! saturating_span_value {
    ($($t:ty),*) => {$(
        impl SpanValue for $t {
            #[inline(always)]
            fn span_value(self) -> i64 {
                i64::try_from(self).unwrap_or(if self > 0 { i64::MAX } else { i64::MIN })
            }
        }
    )*};
}

lossless_span_value!(i8, i16, i32, i64, u8, u16, u32, bool);
saturating_span_value!(u64, usize, isize, i128, u128);
