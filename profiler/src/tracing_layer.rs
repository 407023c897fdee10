//! [`TracingLayer`]: the spans of the `tracing` crate, recorded into the same
//! per-thread buffers as `record_fn!`.
//!
//! ## How a span becomes slices
//!
//! Every span call site of `tracing` (one `#[tracing::instrument]` function,
//! one `tracing::span!`) gets one logprof [`Callsite`], named after the span's
//! static name and created once, when `tracing` registers the call site (or
//! on its first span, whichever comes first). It is leaked on purpose: one
//! small struct per call site in the program, so the leak is bounded.
//!
//! Every new span gets a *task* id, unique in the process, stored in the
//! span's extensions with its call site. Entering the span records an enter
//! of a slice of that task on the calling thread, exiting it records the
//! exit. A span entered on one thread, exited, and entered again on another
//! (an async task resumed by another worker) so gives one slice on each
//! thread's lane, all carrying the same [`Span::task`](crate::Span::task).
//!
//! ## Cost
//!
//! The first enter of a span on a thread looks it up in the registry and
//! reads its extensions (the registry's own lookup and read lock: atomic
//! read-modify-writes on the span's slot, a cache line it shares with other
//! spans' slots), and keeps what it found in a small per-thread cache; later
//! enters on that thread read the cache and the span's `closed` flag only,
//! so two threads entering their own spans share no written cache line in
//! our layer. Then it records like `record_fn!` and pushes 16 bytes on a
//! thread-local stack of entered spans. An exit pops
//! that stack and records; it does not touch the registry. Neither allocates
//! once the thread's stack has grown to the deepest nesting it sees.
//!
//! ## Misuse that does not corrupt the trace
//!
//! - Exits out of order (an `EnteredSpan` dropped before a span entered
//!   inside it) close the right slice: the exit is matched to its own enter.
//! - A span whose enter guard is forgotten and that is then closed on the
//!   thread it was entered on has its slice closed at the close, and is
//!   counted in [`TracingLayer::dropped_while_entered`].
//! - A span entered and never exited nor closed (a forgotten `EnteredSpan`)
//!   leaves an open enter, which `collect` leaves out and counts in
//!   [`Losses::unclosed_enters`](crate::Losses::unclosed_enters).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use tracing::callsite::Identifier;
use tracing::span::{Attributes, Id};
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use crate::callsite::{self, Callsite};

/// A `tracing_subscriber` layer that records every span enter and exit into
/// the calling thread's logprof buffer.
///
/// Add it to a [`Registry`](tracing_subscriber::Registry); the spans then
/// appear in [`collect`](crate::collect)'s trace beside the calls recorded
/// with [`record_fn!`](crate::record_fn), nested with them, and
/// [`init_buffer`](crate::init_buffer), [`recorded`](crate::recorded),
/// [`adjust_buffer`](crate::adjust_buffer) and the filters
/// ([`allow`](crate::allow), [`deny`](crate::deny), on the span names) work
/// on them as on any call site.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
///
/// #[tracing::instrument]
/// fn column(j: usize) -> usize {
///     j * 2
/// }
///
/// let subscriber = tracing_subscriber::Registry::default().with(logprof::TracingLayer::new());
/// tracing::subscriber::with_default(subscriber, || {
///     logprof::init_buffer(1 << 12);
///     let total: usize = (0..10).map(column).sum();
///     assert_eq!(total, 90);
/// });
/// let trace = logprof::collect();
/// let column = trace.name_id("column").unwrap();
/// let slices = trace.lanes.iter().flat_map(|l| &l.spans).filter(|s| s.name == column);
/// assert_eq!(slices.count(), 10);
/// ```
///
/// Each span is a task: its slices carry its [`Span::task`](crate::Span::task)
/// id, so [`Trace::tasks`](crate::Trace::tasks) groups them and
/// [`Summary::migrated_tasks`](crate::Summary::migrated_tasks) counts the
/// spans that ran on more than one thread.
///
/// Events (`tracing::info!` and friends) and span fields are not recorded:
/// logprof draws where time goes, not what was logged.
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingLayer {
    _private: (),
}

impl TracingLayer {
    /// The layer. It holds no state: all layers record into the same
    /// per-thread buffers, and one per subscriber is enough.
    pub fn new() -> TracingLayer {
        TracingLayer { _private: () }
    }

    /// How many spans were closed while still entered on the thread that
    /// closed them (an enter guard forgotten with `std::mem::forget`), since
    /// the process started. Their slices were closed at the close.
    pub fn dropped_while_entered() -> u64 {
        DROPPED_WHILE_ENTERED.load(Ordering::Relaxed)
    }
}

/// One logprof call site per `tracing` span call site.
static CALLSITES: LazyLock<RwLock<HashMap<Identifier, &'static Callsite>>> =
    LazyLock::new(Default::default);

/// See [`TracingLayer::dropped_while_entered`].
static DROPPED_WHILE_ENTERED: AtomicU64 = AtomicU64::new(0);

/// The logprof call site of a `tracing` span call site, created on first use.
fn callsite_of(metadata: &'static Metadata<'static>) -> &'static Callsite {
    let key = metadata.callsite();
    if let Some(&site) = CALLSITES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
    {
        return site;
    }
    let mut sites = CALLSITES.write().unwrap_or_else(|e| e.into_inner());
    sites
        .entry(key)
        .or_insert_with(|| Box::leak(Box::new(Callsite::new(metadata.name()))))
}

/// What a span carries in its extensions, shared with the threads that
/// cache it (see [`SEEN`]). Aligned to a cache line of its own, as the other
/// per-thread data of the enter path below: the allocator may place data of
/// two threads side by side, and one thread's writes would then slow the
/// other's reads.
#[repr(align(64))]
struct SpanTask {
    callsite: &'static Callsite,
    task: u32,
    /// Set when the span closes: a cached copy is then stale (its id may
    /// name another span from now on). Written once, so reading it on every
    /// enter shares nothing that other threads write.
    closed: AtomicBool,
}

/// How many spans a thread remembers (most recently entered first).
const SEEN_CAPACITY: usize = 16;

/// A span entered on this thread and not yet exited (a cache line each, see
/// [`SpanTask`]).
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Entered {
    /// The `tracing` span id.
    span: u64,
    /// What `record_enter` returned: the call-site id, or 0 if nothing was
    /// recorded (filtered out), in which case the exit records nothing either.
    id: u32,
    task: u32,
}

thread_local! {
    /// The spans entered on this thread, innermost last.
    static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
    /// The spans this thread entered lately, by `tracing` span id, so that
    /// entering one again does not look it up in the registry: that lookup
    /// takes a reference and a read lock in the span's slot (atomic
    /// read-modify-writes), on a cache line shared with the slots of spans
    /// other threads enter at the same time.
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
}

/// A span id and what it carries (a cache line each, see [`SpanTask`]).
#[repr(align(64))]
struct Seen(u64, Arc<SpanTask>);

/// The span's call site and task from this thread's cache, or `None`.
fn cached(span: u64) -> Option<(&'static Callsite, u32)> {
    SEEN.try_with(|seen| {
        let seen = seen.try_borrow().ok()?;
        let Seen(_, data) = seen.iter().find(|Seen(id, _)| *id == span)?;
        // Acquire: pairs with the release in `on_close`; a span reached
        // through an id reused after a close sees the flag set.
        (!data.closed.load(Ordering::Acquire)).then_some((data.callsite, data.task))
    })
    .ok()
    .flatten()
}

/// Remembers `data` as span `span`'s, replacing a stale entry for the id or
/// the least recently added one.
fn remember(span: u64, data: &Arc<SpanTask>) {
    let _ = SEEN.try_with(|seen| {
        let Ok(mut seen) = seen.try_borrow_mut() else {
            return;
        };
        seen.retain(|Seen(id, _)| *id != span);
        if seen.len() >= SEEN_CAPACITY {
            seen.remove(0);
        }
        seen.push(Seen(span, data.clone()));
    });
}

impl<S> Layer<S> for TracingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.is_span() {
            callsite_of(metadata);
        }
        Interest::always()
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let data = Arc::new(SpanTask {
            callsite: callsite_of(attrs.metadata()),
            task: callsite::next_task(),
            closed: AtomicBool::new(false),
        });
        let mut extensions = span.extensions_mut();
        // A second `TracingLayer` on the same registry shares the first one's
        // task id rather than replacing it.
        if extensions.get_mut::<Arc<SpanTask>>().is_none() {
            extensions.insert(data);
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let (callsite, task) = match cached(id.into_u64()) {
            Some(found) => found,
            None => {
                let Some(span) = ctx.span(id) else {
                    return;
                };
                let Some(data) = span.extensions().get::<Arc<SpanTask>>().cloned() else {
                    return; // created before this layer was attached
                };
                drop(span);
                remember(id.into_u64(), &data);
                (data.callsite, data.task)
            }
        };
        // `try_with`: during thread teardown nothing is recorded.
        let _ = ENTERED.try_with(|entered| {
            let Ok(mut entered) = entered.try_borrow_mut() else {
                return;
            };
            entered.reserve(1); // grow, if ever, outside the slice
            let recorded = callsite.record_enter(task);
            entered.push(Entered {
                span: id.into_u64(),
                id: recorded,
                task,
            });
        });
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        let _ = ENTERED.try_with(|entered| {
            let Ok(mut entered) = entered.try_borrow_mut() else {
                return;
            };
            let span = id.into_u64();
            // The innermost entry of this span: the last one, unless exits
            // come out of order.
            let Some(pos) = entered.iter().rposition(|e| e.span == span) else {
                return; // entered before this layer was attached
            };
            let e = entered[pos];
            callsite::record_exit(e.id, e.task);
            entered.remove(pos);
        });
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            if let Some(data) = span.extensions().get::<Arc<SpanTask>>() {
                // Release: see `cached`.
                data.closed.store(true, Ordering::Release);
            }
        }
        let _ = ENTERED.try_with(|entered| {
            let Ok(mut entered) = entered.try_borrow_mut() else {
                return;
            };
            let span = id.into_u64();
            if !entered.iter().any(|e| e.span == span) {
                return;
            }
            // Closed while entered here: close its slices now, innermost
            // first, and forget them, so the id can be reused safely.
            for e in entered.iter().rev().filter(|e| e.span == span) {
                callsite::record_exit(e.id, e.task);
                DROPPED_WHILE_ENTERED.fetch_add(1, Ordering::Relaxed);
            }
            entered.retain(|e| e.span != span);
        });
    }
}
