//! Per-thread ring buffers: the hot path and the recording-wide switches;
//! reading them back (`collect()`, `recorded()`) is in `reading.rs`.
//!
//! ## Layout
//!
//! Each thread that records owns a [`ThreadBuffer`], shared with a global
//! registry so `collect()` can read it, also after the thread has exited. Its
//! ring and the protocol that lets other threads read it while the owner
//! writes are in [`crate::ring`]; this module keeps the per-thread state, the
//! registry and the recording-wide switches (`clear`, `init_buffer`).
//!
//! ## Hot path
//!
//! [`record`] compares the thread's epoch with the global one (a `clear`,
//! `init_buffer` or `adjust_buffer` bumps it and the thread resets itself on
//! its next event), reads the clock, and pushes the event into its ring
//! ([`SharedRing::push`]): no lock, no read-modify-write, no allocation.
//!
//! ## Reading while recording
//!
//! `collect()` reads each ring with [`SharedRing::read`], which returns a
//! consistent suffix of the thread's events up to the moment it read the
//! thread: calls still running have no exit yet and are counted as unclosed,
//! not shown.

use std::cell::UnsafeCell;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::clock;
use crate::offcpu::ThreadSwitches;
use crate::reentry::ColdGuard;
use crate::ring::{Ring, SharedRing};
use crate::sync_shim;
pub(crate) use logprof_trace::raw_events::{enter_meta, exit_meta, kind, meta};

pub(crate) mod draining;
mod reading;

pub use reading::{adjust_buffer, collect, recorded, Recorded};

/// Events a thread's ring holds unless `init_buffer` says otherwise.
const DEFAULT_CAPACITY: usize = 1 << 16;

/// Ring length (a power of two) for threads that start recording from now on.
static CAPACITY: AtomicUsize = AtomicUsize::new(DEFAULT_CAPACITY);

/// Bumped by `clear`, `init_buffer` and `adjust_buffer`; a buffer whose epoch
/// differs holds nothing current. Starts at 1; a new thread has epoch 0.
static EPOCH: AtomicU64 = AtomicU64::new(1);

/// Thread ids are given out from 1 in the order threads first record.
static NEXT_TID: AtomicU64 = AtomicU64::new(1);

/// Every thread buffer not yet retired by a `clear`.
static REGISTRY: Mutex<Vec<Arc<ThreadBuffer>>> = Mutex::new(Vec::new());

/// A thread's lane: who it is, and its ring. On cache lines of its own: its
/// writer stores `head` at every event, and the allocator may put another
/// thread's data right beside it.
#[repr(align(128))]
struct ThreadBuffer {
    tid: u64,
    thread_name: String,
    ring: SharedRing,
    /// When the thread was switched out (see `crate::offcpu`).
    switches: ThreadSwitches,
    /// Set by [`keep_lane`]: the thread has a lane in every trace while it
    /// lives, even in recordings it wrote nothing to.
    keep_lane: AtomicBool,
}

impl ThreadBuffer {
    /// Whether the thread gets a lane even when it recorded nothing.
    fn keeps_lane(&self) -> bool {
        self.keep_lane.load(Ordering::Relaxed) && self.ring.is_alive()
    }
}

/// The owner thread's view of its buffer, kept in a thread-local.
struct Local {
    buffer: Arc<ThreadBuffer>,
    ring: sync_shim::Arc<Ring>,
    mask: u64,
    head: u64,
    epoch: u64,
}

impl Drop for Local {
    fn drop(&mut self) {
        self.buffer.ring.retire();
    }
}

thread_local! {
    /// The thread's buffer. `ManuallyDrop` so the thread-local needs no
    /// destructor: accessing it then never registers one (which may
    /// allocate, and an allocator that records would come straight back
    /// here), and it stays usable while other thread-locals are destroyed.
    static LOCAL: UnsafeCell<ManuallyDrop<Option<Local>>> =
        const { UnsafeCell::new(ManuallyDrop::new(None)) };
    /// Releases the buffer at thread exit; first touched in `sync`.
    static EXIT: ThreadExit = const { ThreadExit };
}

/// Drops the thread's [`Local`] when the thread exits, which marks its
/// buffer as no longer alive (it stays readable by `collect`).
struct ThreadExit;

impl Drop for ThreadExit {
    fn drop(&mut self) {
        let local = LOCAL.try_with(|cell| {
            // SAFETY: short borrow on the owning thread; nothing else holds
            // one while a thread-local destructor runs.
            ManuallyDrop::into_inner(std::mem::replace(
                unsafe { &mut *cell.get() },
                ManuallyDrop::new(None),
            ))
        });
        drop(local); // outside the borrow: dropping may free
    }
}

type LocalCell = UnsafeCell<ManuallyDrop<Option<Local>>>;

/// Whether the thread's buffer is missing or belongs to an older epoch.
#[inline(always)]
fn needs_sync(cell: &LocalCell) -> bool {
    // SAFETY: a shared borrow that ends before anything else can run on this
    // thread; no `&mut` to the cell is alive here (see `record` and `sync`).
    let local = unsafe { &*cell.get() };
    !matches!(&**local, Some(l) if l.epoch == EPOCH.load(Ordering::Relaxed))
}

/// Appends one event to the calling thread's ring, stamped with the clock.
#[inline(always)]
pub(crate) fn record(meta: u64) {
    with_local(|local| {
        let ticks = clock::now();
        local.push(ticks, meta);
    });
}

/// Appends an event stamped with the clock and, right after it, a
/// [`kind::VALUE`] event carrying `payload` (no second clock read). A reader
/// may find the value without its event (overwritten, or torn off by a
/// concurrent read) or the event without its value (not yet written):
/// `collect` attaches a value only to the event just before it.
#[inline(always)]
pub(crate) fn record_with_payload(meta: u64, payload_meta: u64, payload: u64) {
    with_local(|local| {
        let ticks = clock::now();
        local.push(ticks, meta);
        local.push(payload, payload_meta);
    });
}

/// [`record_with_payload`] for a payload known only after the event's
/// time: the clock is read first, then `payload` runs (it must not record:
/// its events would come before this one with later times), then both
/// events are pushed.
#[inline(always)]
pub(crate) fn record_then_payload(meta: u64, payload_meta: u64, payload: impl FnOnce() -> u64) {
    let ticks = clock::now();
    // A `payload` that panics still records the event (without a payload),
    // as a span guard dropped during unwinding records its exit.
    let unwinding = EventOnUnwind { ticks, meta };
    let payload = payload();
    std::mem::forget(unwinding);
    with_local(|local| {
        local.push(ticks, meta);
        local.push(payload, payload_meta);
    });
}

/// Records its event when dropped: only while a panic unwinds past
/// [`record_then_payload`]'s `payload`.
struct EventOnUnwind {
    ticks: u64,
    meta: u64,
}

impl Drop for EventOnUnwind {
    fn drop(&mut self) {
        let (ticks, meta) = (self.ticks, self.meta);
        with_local(|local| local.push(ticks, meta));
    }
}

impl Local {
    #[inline(always)]
    fn push(&mut self, ticks: u64, meta: u64) {
        self.buffer
            .ring
            .push(&self.ring, self.mask, self.head, ticks, meta);
        self.head += 1;
    }
}

/// Runs `f` on the calling thread's buffer, registering or resetting it
/// first if needed; nothing if that cannot be done now.
#[inline(always)]
fn with_local(f: impl FnOnce(&mut Local)) {
    // `try_with`: a recorded call inside another thread-local's destructor
    // may run after ours is gone; it is then silently not recorded.
    let _ = LOCAL.try_with(|cell| {
        if needs_sync(cell) && !sync(cell) {
            return; // re-entered from inside `sync`: dropped
        }
        // SAFETY: only this thread touches its cell, and nothing `f` does
        // (the recorder's own pushes: reading the clock and storing to
        // atomics) allocates or calls user code, so nothing re-enters
        // `record` while this borrow lives.
        let Some(local) = (unsafe { &mut *cell.get() }).as_mut() else {
            return;
        };
        f(local);
    });
}

/// The cold path: registers the thread on its first event, and resets its
/// buffer after a `clear`, `init_buffer` or `adjust_buffer`. Returns false,
/// doing nothing, when called again from inside itself (an allocator that
/// records).
///
/// Everything that may allocate or free runs while no reference into the
/// cell is held; the cell is only touched by short `&mut` borrows that
/// swap values in or out.
#[cold]
#[inline(never)]
fn sync(cell: &LocalCell) -> bool {
    // `sync` allocates and locks; re-entered (an allocator that records),
    // or called while another cold path holds a lock, it does nothing.
    let Some(_cold) = ColdGuard::try_enter() else {
        return false;
    };
    clock::start();
    // Registers the exit hook (it may allocate: we are under the guard).
    if EXIT.try_with(|_| ()).is_err() {
        return false; // the thread is exiting
    }
    let epoch = EPOCH.load(Ordering::Acquire);
    let capacity = CAPACITY.load(Ordering::Relaxed);
    // SAFETY: short borrow, no `&mut` alive (re-entry returned above).
    let current = unsafe { &mut *cell.get() }.take();
    let mut local = match current {
        Some(local) => local,
        // logprof's own off-CPU drainer never records: its allocations (a
        // recording allocator) would be a lane of the user's trace, and
        // ones made as it starts could straddle a `clear`.
        None if matches!(
            std::thread::current().name(),
            Some(crate::offcpu::DRAINER_NAME | crate::stream::WRITER_NAME)
        ) =>
        {
            return false;
        }
        None => register_current_thread(capacity),
    };
    let (ring, old_ring) = local.buffer.ring.reset(epoch, &local.ring, capacity);
    local.buffer.switches.restart();
    local.mask = ring.mask();
    local.ring = ring;
    local.head = 0;
    local.epoch = epoch;
    // SAFETY: short borrow, no other reference alive; the slot is empty (it
    // was taken above and nothing on this thread could refill it meanwhile,
    // since re-entry returns early).
    unsafe { **cell.get() = Some(local) };
    drop(old_ring); // may free: outside any borrow of the cell
    true
}

/// The shared buffer and the thread-local view of a thread that records for
/// the first time.
fn register_current_thread(capacity: usize) -> Local {
    let tid = NEXT_TID.fetch_add(1, Ordering::Relaxed);
    let thread_name = std::thread::current()
        .name()
        .map_or_else(|| format!("thread-{tid}"), str::to_owned);
    let ring = Ring::new(capacity);
    let buffer = Arc::new(ThreadBuffer {
        tid,
        thread_name,
        ring: SharedRing::new(ring.clone()),
        switches: ThreadSwitches::open_for_current_thread(),
        keep_lane: AtomicBool::new(false),
    });
    if buffer.switches.is_open() {
        crate::offcpu::start_drainer(drain_switches);
    }
    REGISTRY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(buffer.clone());
    Local {
        mask: ring.mask(),
        buffer,
        ring,
        head: 0,
        epoch: 0,
    }
}

/// Reads every thread's context-switch records into its pairing (the
/// off-CPU drainer's work; see `crate::offcpu::start_drainer`).
fn drain_switches() {
    let buffers: Vec<Arc<ThreadBuffer>> = registry().clone();
    for buffer in &buffers {
        buffer.switches.drain();
    }
}

/// Makes the calling thread part of the current recording even if it records
/// nothing: it then gets a lane (empty, and so counted as idle) in the next
/// `collect()`. Call it on every worker of a pool at the start of a run, so a
/// thread that got no work shows as the imbalance it is.
pub fn register_thread() {
    let _ = LOCAL.try_with(|cell| {
        if needs_sync(cell) {
            sync(cell);
        }
    });
}

/// Gives the calling thread a lane in every trace [`collect`]ed from now on,
/// for as long as it lives, even in recordings where it records nothing
/// (an empty lane: idle). [`register_thread`] does this for the current
/// recording only; this is for the workers of a pool, called once when they
/// start (with the `rayon` feature, `register_pool`
/// calls it on every worker of a rayon pool).
pub fn keep_lane() {
    register_thread();
    let _ = LOCAL.try_with(|cell| {
        // SAFETY: a shared borrow on the owning thread that ends before
        // anything could record on this thread.
        let local = unsafe { &*cell.get() };
        if let Some(local) = local.as_ref() {
            local.buffer.keep_lane.store(true, Ordering::Relaxed);
        }
    });
}

/// Undoes [`keep_lane`] for the calling thread: from the next [`collect`]
/// on it has a lane only in recordings it records in.
pub fn release_lane() {
    let _ = LOCAL.try_with(|cell| {
        // SAFETY: as in `keep_lane`.
        let local = unsafe { &*cell.get() };
        if let Some(local) = local.as_ref() {
            local.buffer.keep_lane.store(false, Ordering::Relaxed);
        }
    });
}

/// Identifies the current recording: it changes at every [`clear`],
/// [`init_buffer`] and [`adjust_buffer`]. A pool that registers its workers
/// with [`register_thread`] needs to do so again only when it has changed.
pub fn recording_id() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

fn registry() -> std::sync::MutexGuard<'static, Vec<Arc<ThreadBuffer>>> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts a new recording: everything recorded so far is forgotten, and
/// threads that have exited are dropped from the registry.
pub fn clear() {
    let _cold = ColdGuard::enter();
    let mut registry = registry();
    registry.retain(|b| b.ring.is_alive());
    EPOCH.fetch_add(1, Ordering::AcqRel);
}

/// Preallocates a ring of at least `events_per_thread` events (rounded up to
/// a power of two; an enter and an exit are two events, a span's value one
/// more, an instant one, a counter sample two) for every thread
/// that has recorded, and makes it the size for threads that start recording
/// later; then clears.
///
/// Threads switch to their new ring on their next event, without allocating.
///
/// With `LOGPROF_STREAM=path` in the environment, it also starts streaming
/// every thread's events to that file (see [`stream_to`](crate::stream_to)),
/// until the process exits.
pub fn init_buffer(events_per_thread: usize) {
    resize_and_clear(events_per_thread);
    crate::stream::start_from_env();
}

/// [`init_buffer`] without `LOGPROF_STREAM`.
pub(crate) fn resize_and_clear(events_per_thread: usize) {
    let _cold = ColdGuard::enter();
    let capacity = events_per_thread.max(2).next_power_of_two();
    CAPACITY.store(capacity, Ordering::Relaxed);
    let mut registry = registry();
    registry.retain(|b| b.ring.is_alive());
    for buffer in registry.iter() {
        buffer.ring.offer(Ring::new(capacity));
    }
    EPOCH.fetch_add(1, Ordering::AcqRel);
    clock::start();
}
