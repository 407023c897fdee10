//! Recording futures: every poll is a slice of one task.
//!
//! A [`SpanGuard`](crate::SpanGuard) cannot cross an `.await` (it is not
//! `Send`, and its exit must be recorded on the thread of its enter). A
//! future wrapped with [`Instrument::recorded`] instead records an enter
//! and an exit around each poll, on whichever thread polls it, all carrying
//! the same task id (drawn from the counter the `TracingLayer` uses, so ids
//! never collide). [`Trace::tasks`](crate::Trace::tasks) groups the slices
//! and `logprof render --by task` draws one lane per task.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::callsite::{next_task, Callsite, SpanGuard};
use crate::name::Name;

/// Records the polls of a future as slices of one task.
///
/// ```
/// use logprof::Instrument;
///
/// async fn fetch(n: u64) -> u64 { n + 1 }
///
/// logprof::init_buffer(1 << 10);
/// let out = futures_lite_block_on(fetch(1).recorded("fetch"));
/// assert_eq!(out, 2);
/// let trace = logprof::collect();
/// let fetch = trace.name_id("fetch").unwrap();
/// let slices: Vec<_> = trace.lanes.iter().flat_map(|l| &l.spans)
///     .filter(|s| s.name == fetch).collect();
/// assert_eq!(slices.len(), 1);
/// assert!(slices[0].task.is_some());
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
pub trait Instrument: Future + Sized {
    /// This future, recording each poll as a slice of one task named
    /// `name`: a string (interned with [`Name::new`] on this call, which
    /// locks; pass a [`Name`] made once where futures are made by the
    /// thousand) or a [`Name`].
    fn recorded(self, name: impl IntoName) -> RecordedFuture<Self> {
        RecordedFuture::new(name.into_name().callsite(), self)
    }

    /// This future as [`Instrument::recorded`] records it, its slices
    /// marked as a region of the run (as [`region!`](crate::region) marks a
    /// scope): a stretch whose work is analysed on its own
    /// ([`Trace::regions`](crate::Trace::regions)). Costs what `recorded`
    /// costs.
    fn recorded_region(self, name: impl IntoName) -> RecordedFuture<Self> {
        RecordedFuture::new(name.into_name().region_callsite(), self)
    }

    /// This future as [`Instrument::recorded`] records it, its slices
    /// marked as waiting (as [`wait!`](crate::wait) marks a scope): a
    /// future that only waits (a timer, a receive) whose time is not work.
    /// Costs what `recorded` costs.
    fn recorded_wait(self, name: impl IntoName) -> RecordedFuture<Self> {
        RecordedFuture::new(name.into_name().wait_callsite(), self)
    }
}

impl<F: Future> Instrument for F {}

/// What [`Instrument::recorded`] takes as a name: a `&str` or a [`Name`].
pub trait IntoName {
    /// The interned name.
    fn into_name(self) -> Name;
}

impl IntoName for &str {
    fn into_name(self) -> Name {
        Name::new(self)
    }
}

impl IntoName for Name {
    fn into_name(self) -> Name {
        self
    }
}

/// A future whose polls are recorded (see [`Instrument`]).
#[must_use = "futures do nothing unless polled"]
pub struct RecordedFuture<F> {
    future: F,
    site: &'static Callsite,
    task: u32,
    value: Option<i64>,
}

impl<F> RecordedFuture<F> {
    /// `future`, recorded under `site` as a new task. Used by
    /// [`record_fn!`](crate::record_fn) over an `.await`.
    pub fn new(site: &'static Callsite, future: F) -> RecordedFuture<F> {
        RecordedFuture {
            future,
            site,
            task: next_task(),
            value: None,
        }
    }

    /// The same future, each of its slices carrying `value` (see
    /// [`Span::value`](crate::Span::value)).
    pub fn with_value(self, value: i64) -> RecordedFuture<F> {
        RecordedFuture {
            value: Some(value),
            ..self
        }
    }

    /// The task id its slices carry ([`Span::task`](crate::Span::task)).
    pub fn task(&self) -> u64 {
        self.task.into()
    }
}

impl<F: Future> Future for RecordedFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is pinned structurally: it is never moved out of
        // `self` nor reached other than through this pinned projection, and
        // `RecordedFuture` has no `Drop` impl nor `Unpin` impl of its own
        // that could move it. The other fields are plain `Copy` data.
        let this = unsafe { self.get_unchecked_mut() };
        let id = match this.value {
            None => this.site.record_enter(this.task),
            Some(v) => this.site.record_enter_value(this.task, v),
        };
        // Records the exit also if the poll panics.
        let _slice = SpanGuard::new(id, this.task);
        // SAFETY: see above; `this.future` stays where it is.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        future.poll(cx)
    }
}
