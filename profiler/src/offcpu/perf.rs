//! The kernel side (Linux): one `perf_event_open` context-switch event per
//! recording thread, and the reading of its mmap ring.
//!
//! The event is a software dummy event (it counts nothing) with
//! `context_switch = 1`, so the kernel writes a `PERF_RECORD_SWITCH` into the
//! ring each time the thread is switched out or in; `sample_id_all` with
//! `PERF_SAMPLE_TID | PERF_SAMPLE_TIME` puts a time on each, read from
//! CLOCK_MONOTONIC (`use_clockid`), the clock `Instant` uses, so the times
//! map onto the trace's clock through its anchor. The kernel writes at
//! `data_head`; we read up to it and hand the space back through
//! `data_tail`. A full ring makes the kernel drop records and later write a
//! `PERF_RECORD_LOST` saying how many.

use std::sync::atomic::{AtomicU64, Ordering};

use perf_event_open_sys::bindings as sys;

use super::{OffCpuKind, Pairing, Switch};

/// Pages of the data area tried first (256 KiB: about 5400 switches between
/// two reads), then halved while the kernel refuses the mapping (an
/// unprivileged user may lock only so much).
const DATA_PAGES: [usize; 4] = [64, 16, 4, 1];

/// Free bytes under which a ring counts as full: more than the largest
/// record the event writes (a `PERF_RECORD_LOST` with its sample_id: 48).
const FULL_MARGIN: u64 = 56;

/// An open context-switch event of one thread and its mapped ring.
pub(crate) struct SwitchRing {
    fd: libc::c_int,
    /// The metadata page, followed by `data_size` bytes of ring.
    base: *mut u8,
    map_len: usize,
    data_offset: usize,
    data_size: usize,
    /// Switch records paired into intervals so far.
    pub(crate) pairing: Pairing,
    /// Records the kernel could not write (ring full), summed.
    pub(crate) lost: u64,
}

// SAFETY: the mapping and the descriptor belong to the ring alone; it is
// read only through `&mut self` (inside a `Mutex`), from any thread: the
// kernel does not care which thread reads the ring.
unsafe impl Send for SwitchRing {}

impl SwitchRing {
    /// Opens the calling thread's context-switch event; the error says why
    /// the system refused.
    pub(crate) fn open_current_thread() -> Result<SwitchRing, String> {
        // SAFETY: zero is a valid value of this plain C struct (every
        // field an integer or a union of integers).
        let mut attr: sys::perf_event_attr = unsafe { std::mem::zeroed() };
        attr.type_ = sys::PERF_TYPE_SOFTWARE;
        attr.size = std::mem::size_of::<sys::perf_event_attr>() as u32;
        attr.config = sys::PERF_COUNT_SW_DUMMY as u64;
        attr.sample_type =
            (sys::PERF_SAMPLE_TID | sys::PERF_SAMPLE_TIME | sys::PERF_SAMPLE_CPU) as u64;
        attr.set_context_switch(1);
        attr.set_sample_id_all(1);
        attr.set_exclude_kernel(1);
        attr.set_exclude_hv(1);
        attr.set_use_clockid(1);
        attr.clockid = libc::CLOCK_MONOTONIC;
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() };
        // SAFETY: `attr` is a valid, fully initialised attribute struct that
        // outlives the call; pid = this thread, cpu = any.
        let fd = unsafe {
            perf_event_open_sys::perf_event_open(
                &mut attr,
                tid,
                -1,
                -1,
                sys::PERF_FLAG_FD_CLOEXEC as libc::c_ulong,
            )
        };
        if fd < 0 {
            return Err(open_error(std::io::Error::last_os_error()));
        }
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
        let mut last_error = None;
        for pages in DATA_PAGES {
            let map_len = page * (1 + pages);
            // SAFETY: a fresh shared mapping of the event's ring, at an
            // address of the kernel's choosing; checked below.
            let base = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    map_len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    fd,
                    0,
                )
            };
            if base == libc::MAP_FAILED {
                last_error = Some(std::io::Error::last_os_error());
                continue;
            }
            let meta = base as *const sys::perf_event_mmap_page;
            // SAFETY: the first page of the mapping is the metadata page;
            // these fields are set by the kernel before mmap returns.
            let (data_offset, data_size) = unsafe {
                (
                    std::ptr::addr_of!((*meta).data_offset).read_volatile() as usize,
                    std::ptr::addr_of!((*meta).data_size).read_volatile() as usize,
                )
            };
            // Kernels before 4.1 leave both 0: the data starts a page in.
            let (data_offset, data_size) = if data_size == 0 {
                (page, page * pages)
            } else {
                (data_offset, data_size)
            };
            return Ok(SwitchRing {
                fd,
                base: base as *mut u8,
                map_len,
                data_offset,
                data_size,
                pairing: Pairing::starting_on(current_cpu()),
                lost: 0,
            });
        }
        // SAFETY: `fd` is ours and open.
        unsafe { libc::close(fd) };
        Err(format!(
            "cannot map the context-switch ring ({})",
            last_error.map_or_else(|| "no size fits".to_owned(), |e| e.to_string())
        ))
    }

    /// `data_head` and `data_tail` of the metadata page, as atomics shared
    /// with the kernel.
    fn head_tail(&self) -> (&AtomicU64, &AtomicU64) {
        let meta = self.base as *const sys::perf_event_mmap_page;
        // SAFETY: the metadata page stays mapped while `self` lives; the two
        // fields are naturally aligned u64s the kernel updates concurrently,
        // which is what an `AtomicU64` view is for.
        unsafe {
            (
                AtomicU64::from_ptr(std::ptr::addr_of!((*meta).data_head) as *mut u64),
                AtomicU64::from_ptr(std::ptr::addr_of!((*meta).data_tail) as *mut u64),
            )
        }
    }

    /// Copies `out.len()` bytes of the ring from position `pos`, wrapping.
    fn copy(&self, pos: u64, out: &mut [u8]) {
        for (i, byte) in out.iter_mut().enumerate() {
            let at = self.data_offset + ((pos as usize + i) % self.data_size);
            // SAFETY: `at` is inside the data area of the live mapping, and
            // the kernel does not write below `data_head`, which bounds
            // every position read (see `drain`).
            *byte = unsafe { self.base.add(at).read_volatile() };
        }
    }

    /// Forgets everything the ring holds and everything read from it,
    /// without allocating: a new recording starts on the owning thread
    /// (which is running, so no switch out is pending).
    pub(crate) fn discard(&mut self) {
        let head = self.head_tail().0.load(Ordering::Acquire);
        self.head_tail().1.store(head, Ordering::Release);
        self.pairing.clear(current_cpu());
        self.lost = 0;
    }

    /// Reads every record the kernel has written since the last call, pairs
    /// the switches into intervals and counts lost records; hands the space
    /// back to the kernel.
    pub(crate) fn drain(&mut self) {
        // Acquire: the records below `head` are fully written.
        let head = self.head_tail().0.load(Ordering::Acquire);
        let mut pos = self.head_tail().1.load(Ordering::Relaxed);
        // A ring found full has refused records whose PERF_RECORD_LOST the
        // kernel writes only once there is room again (after this read):
        // count one now, so a trace collected next says it is incomplete.
        if head - pos + FULL_MARGIN > self.data_size as u64 {
            self.lost += 1;
        }
        let mut record = [0u8; 64];
        while pos + 8 <= head {
            let mut header = [0u8; 8];
            self.copy(pos, &mut header);
            let kind = u32::from_ne_bytes([header[0], header[1], header[2], header[3]]);
            let misc = u16::from_ne_bytes([header[4], header[5]]) as u32;
            let size = u16::from_ne_bytes([header[6], header[7]]) as u64;
            if size < 8 || pos + size > head {
                break; // malformed, or not yet whole: never read past head
            }
            let body = &mut record[..(size as usize - 8).min(64)];
            self.copy(pos + 8, body);
            match kind {
                sys::PERF_RECORD_SWITCH if body.len() >= 24 => {
                    // sample_id: pid u32, tid u32, time u64, cpu u32, res u32.
                    let time = u64_at(body, 8);
                    let cpu = u32::from_ne_bytes([body[16], body[17], body[18], body[19]]);
                    self.pairing
                        .push(if misc & sys::PERF_RECORD_MISC_SWITCH_OUT != 0 {
                            let why = if misc & sys::PERF_RECORD_MISC_SWITCH_OUT_PREEMPT != 0 {
                                OffCpuKind::Preempted
                            } else {
                                OffCpuKind::Blocked
                            };
                            Switch::Out(time, why, cpu)
                        } else {
                            Switch::In(time, cpu)
                        });
                }
                // id u64, lost u64, then the sample_id.
                sys::PERF_RECORD_LOST if body.len() >= 16 => {
                    self.lost += u64_at(body, 8);
                    self.pairing.push(Switch::Lost);
                }
                _ => {}
            }
            pos += size;
        }
        // Release: we are done reading what lies below `pos`.
        self.head_tail().1.store(pos, Ordering::Release);
    }
}

/// The core the calling thread runs on now, if the system says.
fn current_cpu() -> Option<u32> {
    // SAFETY: sched_getcpu has no preconditions; -1 means not known.
    u32::try_from(unsafe { libc::sched_getcpu() }).ok()
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_ne_bytes(b)
}

impl Drop for SwitchRing {
    fn drop(&mut self) {
        // SAFETY: the mapping and the descriptor are ours, and nothing
        // borrows them once the ring is being dropped.
        unsafe {
            libc::munmap(self.base as *mut libc::c_void, self.map_len);
            libc::close(self.fd);
        }
    }
}

/// What a refusal of `perf_event_open` means, in words.
fn open_error(e: std::io::Error) -> String {
    let paranoid = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".to_owned());
    match e.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => format!(
            "perf_event_open refused ({e}; kernel.perf_event_paranoid is {paranoid}, \
             or a seccomp filter forbids it)"
        ),
        Some(libc::ENOSYS) => "perf_event_open is not available (ENOSYS)".to_owned(),
        _ => format!("perf_event_open failed ({e})"),
    }
}
