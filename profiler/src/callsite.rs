//! Call sites: a name registered once and referred to by a small id.
//!
//! Every `record_fn!` or `scope!` expands to one `static Callsite`. On its
//! first use it registers its name in a global table and caches the id; later
//! uses read the id and the cached filter decision from the static itself, so
//! the hot path never touches a lock or a string.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use crate::recorder::kind;
use crate::reentry::ColdGuard;
use crate::{filter, recorder, SpanValue};

/// Largest call-site id; ids must fit the 29 bits an event gives them.
const MAX_ID: u32 = (1 << 29) - 1;

/// The call sites registered so far.
struct Registry {
    /// Call-site id `i` names `names[i - 1]`.
    names: Vec<&'static str>,
    /// The ids of the call sites that record regions, in increasing order.
    regions: Vec<u32>,
    /// The ids of the call sites that record waiting, in increasing order.
    waits: Vec<u32>,
}

/// How many call sites are registered: `REGISTRY.names.len()`, readable
/// without the lock, so the streaming writer takes a new copy of the
/// table only when it grew. Stored before the new id is published, so an
/// event seen with an id comes with a count that includes it.
static REGISTERED: AtomicU32 = AtomicU32::new(0);

/// How many call sites are registered (ids `1..=count`).
pub(crate) fn registered_count() -> usize {
    REGISTERED.load(Ordering::Acquire) as usize
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    names: Vec::new(),
    regions: Vec::new(),
    waits: Vec::new(),
});

/// The call sites registered so far, as `collect()` reads them.
pub(crate) struct Registered {
    /// Call-site id `i` names `names[i - 1]`.
    pub(crate) names: Vec<&'static str>,
    /// The ids of the call sites that record regions.
    pub(crate) regions: Vec<u32>,
    /// The ids of the call sites that record waiting.
    pub(crate) waits: Vec<u32>,
}

/// The names of all call sites registered so far, and which of them mark
/// regions or waiting.
pub(crate) fn registered() -> Registered {
    let _cold = ColdGuard::enter();
    let registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    Registered {
        names: registry.names.clone(),
        regions: registry.regions.clone(),
        waits: registry.waits.clone(),
    }
}

/// What a call site's spans are besides a span: nothing more, a region of
/// the run (`region!`) or waiting (`wait!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Plain,
    Region,
    Wait,
}

/// One place in the code that records: a name, an id assigned on first use,
/// and the cached decision of the filters.
///
/// Every thread that records here reads it at every event, so it has a
/// cache line of its own: data written often by one thread (a span's slot
/// in the `tracing` registry, another thread's buffers) never shares it.
#[repr(align(64))]
pub struct Callsite {
    name: &'static str,
    /// Whether `name` is a call path written with generic arguments
    /// (`Vec::<u8>::with_capacity`), to be registered without them.
    generic_path: bool,
    /// Whether its spans are regions of the run (`region!`) or waiting
    /// (`wait!`). Read once, at registration, never when recording: a
    /// region or a wait costs what a scope costs.
    mark: Mark,
    /// 0 until registered.
    id: AtomicU32,
    /// `generation << 1 | interested`, where generation is the filter
    /// generation the decision was made under.
    interest: AtomicU32,
}

impl Callsite {
    /// A call site named `name`; used in a `static` by the macros.
    pub const fn new(name: &'static str) -> Callsite {
        Callsite {
            name,
            generic_path: false,
            mark: Mark::Plain,
            id: AtomicU32::new(0),
            interest: AtomicU32::new(0),
        }
    }

    /// A call site named after a call path as `stringify!` wrote it, generic
    /// arguments included; it is registered as the path without them
    /// (`Vec :: < u8 > :: with_capacity` records `Vec::with_capacity`).
    #[doc(hidden)]
    pub const fn new_generic_path(written: &'static str) -> Callsite {
        Callsite {
            generic_path: true,
            ..Callsite::new(written)
        }
    }

    /// A call site named `name` whose spans are regions of the run (see
    /// [`region!`](crate::region)); used in a `static` by the macros.
    pub const fn region(name: &'static str) -> Callsite {
        Callsite {
            mark: Mark::Region,
            ..Callsite::new(name)
        }
    }

    /// A call site named `name` whose spans are waiting, not work (see
    /// [`wait!`](crate::wait)); used in a `static` by the macros.
    pub const fn wait(name: &'static str) -> Callsite {
        Callsite {
            mark: Mark::Wait,
            ..Callsite::new(name)
        }
    }

    /// Whether the call site records regions.
    pub fn is_region(&self) -> bool {
        self.mark == Mark::Region
    }

    /// Whether the call site records waiting.
    pub fn is_wait(&self) -> bool {
        self.mark == Mark::Wait
    }

    /// The call site's name as written in the code.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The name spans get: the written name, with generic arguments removed
    /// from a generic call path (leaked once per such call site, at
    /// registration).
    fn registered_name(&self) -> &'static str {
        if self.generic_path {
            Box::leak(strip_generic_arguments(self.name).into_boxed_str())
        } else {
            self.name
        }
    }

    /// Records an enter and returns the guard that records the exit.
    #[inline(always)]
    pub fn enter(&'static self) -> SpanGuard {
        SpanGuard::new(self.record_enter(0), 0)
    }

    /// Records an enter carrying `value` (see [`Span::value`]) and returns
    /// the guard that records the exit. The value takes one more 16-byte
    /// event in the ring, written without a second clock read.
    ///
    /// [`Span::value`]: crate::Span::value
    #[inline(always)]
    pub fn enter_with_value(&'static self, value: i64) -> SpanGuard {
        SpanGuard::new(self.record_enter_value(0, value), 0)
    }

    /// Records an instant named after this call site (see [`instant!`]).
    ///
    /// [`instant!`]: crate::instant
    #[inline(always)]
    pub fn instant(&'static self) {
        let id = self.interested_id();
        if id != 0 {
            recorder::record(recorder::meta(kind::INSTANT, id, 0));
        }
    }

    /// Records a sample of the counter named after this call site (see
    /// [`counter!`]).
    ///
    /// [`counter!`]: crate::counter
    #[inline(always)]
    pub fn counter(&'static self, value: f64) {
        let id = self.interested_id();
        if id != 0 {
            recorder::record_with_payload(
                recorder::meta(kind::COUNTER, id, 0),
                recorder::meta(kind::VALUE, id, 0),
                value.to_bits(),
            );
        }
    }

    /// Records an enter of slice of task `task` (0 for none) if this call
    /// site is interested; returns the id to pass to [`record_exit`], or 0 if
    /// nothing was recorded.
    #[inline(always)]
    pub(crate) fn record_enter(&self, task: u32) -> u32 {
        let id = self.interested_id();
        if id != 0 {
            recorder::record(recorder::enter_meta(id, task));
        }
        id
    }

    /// [`record_enter`](Callsite::record_enter) with a value.
    #[inline(always)]
    pub(crate) fn record_enter_value(&self, task: u32, value: i64) -> u32 {
        let id = self.interested_id();
        if id != 0 {
            recorder::record_with_payload(
                recorder::enter_meta(id, task),
                recorder::meta(kind::VALUE, id, task),
                value as u64,
            );
        }
        id
    }

    /// The call-site id if it records now (registered, enabled and passing
    /// the filters), else 0.
    #[inline(always)]
    fn interested_id(&self) -> u32 {
        let generation = filter::GENERATION.load(Ordering::Relaxed);
        let mut interest = self.interest.load(Ordering::Acquire);
        if interest >> 1 != generation & (u32::MAX >> 1) {
            interest = self.decide(generation);
        }
        if interest & 1 == 0 {
            return 0;
        }
        self.id.load(Ordering::Relaxed)
    }

    /// Registers the name if needed and re-evaluates the filters.
    #[cold]
    #[inline(never)]
    fn decide(&self, generation: u32) -> u32 {
        // Registering locks and allocates: not from inside another cold path
        // of this thread (an allocator that records). Nothing is recorded
        // and nothing cached; the next call decides again.
        let Some(_cold) = ColdGuard::try_enter() else {
            return 0;
        };
        let name = {
            let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
            // Checked under the lock: another thread may have registered it.
            let mut id = self.id.load(Ordering::Acquire);
            if id == 0 {
                if registry.names.len() as u32 >= MAX_ID {
                    return 0; // table full: record nothing rather than alias
                }
                registry.names.push(self.registered_name());
                id = registry.names.len() as u32;
                match self.mark {
                    Mark::Region => registry.regions.push(id),
                    Mark::Wait => registry.waits.push(id),
                    Mark::Plain => {}
                }
                REGISTERED.store(id, Ordering::Release);
                self.id.store(id, Ordering::Release);
            }
            registry.names[id as usize - 1]
        };
        let interested = filter::interested(name) as u32;
        let interest = (generation << 1) | interested;
        // Release: a thread that sees this decision also sees the id.
        self.interest.store(interest, Ordering::Release);
        interest
    }
}

/// `Vec :: < u8 > :: with_capacity` -> `Vec::with_capacity`: drops every
/// `<...>` (nested ones too) and the `::` before it, and all white space.
fn strip_generic_arguments(written: &str) -> String {
    let mut out = String::with_capacity(written.len());
    let mut depth = 0usize;
    for c in written.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    // A turbofish leaves `::` before the removed arguments: `a::::b`, `f::`.
    while let Some(i) = out.find("::::") {
        out.replace_range(i..i + 4, "::");
    }
    out.trim_end_matches("::").to_owned()
}

/// Records the exit of an enter that returned `id` (nothing if `id` is 0).
#[inline(always)]
pub(crate) fn record_exit(id: u32, task: u32) {
    if id != 0 {
        recorder::record(recorder::exit_meta(id, task));
    }
}

/// Records the exit of its call when dropped, also during a panic's unwinding.
///
/// A guard is not `Send`: its exit must be recorded on the thread that
/// recorded its enter, so it cannot be held across an `.await` of a future
/// that may resume on another thread. Record futures with
/// [`Instrument::recorded`](crate::Instrument::recorded) instead.
///
/// ```compile_fail,E0277
/// fn assert_send<T: Send>(_: T) {}
/// async fn later() {}
/// assert_send(async {
///     let _span = logprof::scope!("held across await");
///     later().await; // error: the guard is not `Send`
/// });
/// ```
#[must_use = "the span ends when the guard is dropped; bind it with `let _span = ...`"]
pub struct SpanGuard {
    id: u32,
    task: u32,
    /// Not `Send` (nor `Sync`): see above.
    _thread_bound: PhantomData<*const ()>,
}

impl SpanGuard {
    #[inline(always)]
    pub(crate) fn new(id: u32, task: u32) -> SpanGuard {
        SpanGuard {
            id,
            task,
            _thread_bound: PhantomData,
        }
    }

    /// Ends the span now, recording `result` with its exit, as
    /// [`Span::result`]: what the call computed or cost, known only once it
    /// is done. Costs one more 16-byte event, no second clock read.
    ///
    /// ```
    /// logprof::init_buffer(1 << 10);
    /// let span = logprof::scope!("column", 7);
    /// let iterations: u64 = (0..100).sum();
    /// span.end_with(iterations);
    /// let trace = logprof::collect();
    /// let s = &trace.lanes[0].spans[0];
    /// assert_eq!((s.value, s.result), (Some(7), Some(4950)));
    /// ```
    ///
    /// [`Span::result`]: crate::Span::result
    #[inline(always)]
    pub fn end_with(self, result: impl SpanValue) {
        let result = result.span_value();
        self.end_then(|| result);
    }

    /// Ends the span: reads the clock for its exit, and only then computes
    /// its [`Span::result`] with `result`, so the time spent computing it
    /// (summing a column, say) is not part of the span. `result` must not
    /// record anything itself.
    ///
    /// [`Span::result`]: crate::Span::result
    #[inline(always)]
    pub fn end_then<R: SpanValue>(self, result: impl FnOnce() -> R) {
        let (id, task) = (self.id, self.task);
        // The exit is recorded here, with its result, not by `drop`.
        std::mem::forget(self);
        if id != 0 {
            recorder::record_then_payload(
                recorder::exit_meta(id, task),
                recorder::meta(kind::VALUE, id, task),
                || result().span_value() as u64,
            );
        }
    }
}

impl Drop for SpanGuard {
    #[inline(always)]
    fn drop(&mut self) {
        record_exit(self.id, self.task);
    }
}

/// Task ids for spans that may run as several slices (`tracing` spans,
/// recorded futures); 0 means "no task" and is skipped. Taken at every new
/// span or future, from any thread: on a cache line of its own, away from
/// the statics every event reads.
static NEXT_TASK: TaskCounter = TaskCounter(AtomicU32::new(1));

#[repr(align(128))]
struct TaskCounter(AtomicU32);

/// A fresh task id, unique in the process, never 0.
pub(crate) fn next_task() -> u32 {
    loop {
        let task = NEXT_TASK.0.fetch_add(1, Ordering::Relaxed);
        if task != 0 {
            return task;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strip_generic_arguments;

    #[test]
    fn generic_arguments_are_removed_from_call_paths() {
        assert_eq!(
            strip_generic_arguments("Vec :: < u8 > :: with_capacity"),
            "Vec::with_capacity"
        );
        assert_eq!(strip_generic_arguments("parse :: < u32 >"), "parse");
        assert_eq!(
            strip_generic_arguments("a :: B :: < Vec < Vec < u8 >> , C > :: f"),
            "a::B::f"
        );
        assert_eq!(
            strip_generic_arguments("kernels::column"),
            "kernels::column"
        );
    }
}
