//! A safe wrapper over an MPI shared-memory window: bytes that every rank
//! of one node maps into its own address space, as Julia's `SharedArray`.
//!
//! rsmpi 0.8 has no safe API for `MPI_Win_allocate_shared`, so this module
//! calls it through [`mpi::ffi`]. The window is allocated on a node-local
//! communicator (`MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)`, rsmpi's
//! `split_shared`); all of its bytes live in rank 0's segment, which every
//! rank finds with `MPI_Win_shared_query`. Writes become visible to the
//! other ranks at the next [`SharedWindow::fence`], which every rank calls.
//! The time inside these MPI calls is recorded as spans named after them.

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::ptr;

use mpi::ffi;
use mpi::raw::AsRaw;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::error::KernelError;

/// Makes [`node_of`] pretend rank 0's node holds only this many ranks
/// (the first ones), to test what runs when ranks are on several nodes.
pub const TEST_NODE_RANKS_VAR: &str = "LOGPROF_TEST_NODE_RANKS";

/// The ranks of `world` on rank 0's node, in `world`'s order (the key of
/// the split is the rank), or an error naming how many are elsewhere.
/// Collective over `world`.
pub fn node_of(world: &SimpleCommunicator) -> Result<SimpleCommunicator, KernelError> {
    let _span = logprof::scope!("MPI_Comm_split_type");
    let pretend = std::env::var(TEST_NODE_RANKS_VAR)
        .ok()
        .and_then(|k| k.parse::<i32>().ok())
        // Only ever fewer ranks than all: the hook can only fail the check.
        .filter(|&k| (1..world.size()).contains(&k));
    let node = match pretend {
        Some(k) => {
            let color = mpi::topology::Color::with_value(i32::from(world.rank() >= k));
            world
                .split_by_color(color)
                .unwrap_or_else(|| world.split_shared(world.rank()))
        }
        None => world.split_shared(world.rank()),
    };
    // Every rank learns rank 0's node size, so all ranks agree to go on.
    let mut on_node = node.size() as u64;
    world.process_at_rank(0).broadcast_into(&mut on_node);
    if on_node as usize != world.size() as usize || node.size() != world.size() {
        return Err(KernelError::NotOnOneNode {
            ranks: world.size() as usize,
            on_node: on_node as usize,
        });
    }
    Ok(node)
}

/// `len` bytes shared by every rank of a node; freed when dropped.
///
/// Holds raw MPI handles and a raw pointer, so it is neither `Send` nor
/// `Sync`: MPI is called from one thread per rank.
pub struct SharedWindow {
    node: SimpleCommunicator,
    win: ffi::MPI_Win,
    /// Rank 0's segment, mapped into this process.
    base: *mut u8,
    len: usize,
}

impl SharedWindow {
    /// Allocates `len` bytes in rank 0's segment; collective over `node`,
    /// whose ranks must all be on one node ([`node_of`]).
    pub fn allocate(node: SimpleCommunicator, len: usize) -> Result<SharedWindow, KernelError> {
        let _span = logprof::scope!("MPI_Win_allocate_shared");
        let mine = if node.rank() == 0 { len } else { 0 };
        let mut own_base: *mut u8 = ptr::null_mut();
        let mut win = MaybeUninit::<ffi::MPI_Win>::uninit();
        // SAFETY: `node` is a live intra-communicator of ranks on one node;
        // `own_base` and `win` are valid places for MPI to write this
        // rank's segment address and the window handle. Every rank of
        // `node` makes this call (it is collective).
        let rc = unsafe {
            ffi::MPI_Win_allocate_shared(
                mine as ffi::MPI_Aint,
                1,
                ffi::RSMPI_INFO_NULL,
                node.as_raw(),
                (&mut own_base as *mut *mut u8).cast::<c_void>(),
                win.as_mut_ptr(),
            )
        };
        check(rc, "MPI_Win_allocate_shared")?;
        let mut window = SharedWindow {
            node,
            // SAFETY: MPI wrote the handle: the call succeeded.
            win: unsafe { win.assume_init() },
            base: ptr::null_mut(),
            len,
        };
        let (mut size, mut unit, mut base): (ffi::MPI_Aint, i32, *mut u8) = (0, 0, ptr::null_mut());
        // SAFETY: `win` was just allocated on this node; the three out
        // pointers are valid for MPI to write rank 0's segment size,
        // displacement unit and address (mapped into this process).
        let rc = unsafe {
            ffi::MPI_Win_shared_query(
                window.win,
                0,
                &mut size,
                &mut unit,
                (&mut base as *mut *mut u8).cast::<c_void>(),
            )
        };
        check(rc, "MPI_Win_shared_query")?;
        if (size as usize) < len || (len > 0 && base.is_null()) {
            return Err(KernelError::Mpi {
                message: format!(
                    "MPI_Win_shared_query gave a shared segment of {size} bytes for {len}"
                ),
            });
        }
        window.base = base;
        Ok(window)
    }

    /// The bytes in the window.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for a window of no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The node's communicator the window lives on.
    pub fn node(&self) -> &SimpleCommunicator {
        &self.node
    }

    /// Ends an access epoch and starts the next: every rank's writes
    /// before it are seen by every rank after it. Collective.
    pub fn fence(&self) {
        let _span = logprof::scope!("MPI_Win_fence");
        // SAFETY: `win` is live until drop; every rank of the window's
        // communicator calls `fence` in the same order (collective).
        let rc = unsafe { ffi::MPI_Win_fence(0, self.win) };
        // The default error handler aborts before a code comes back.
        debug_assert_eq!(rc, ffi::MPI_SUCCESS as i32);
    }

    /// Copies `bytes` into the window from `offset` on.
    ///
    /// # Safety
    /// The window is other processes' memory too, which Rust cannot see:
    /// between the same two [`SharedWindow::fence`]s, no other rank may
    /// write or read `offset..offset + bytes.len()` (each rank writes its
    /// own columns, and reads wait for the next fence). Two ranks on one
    /// byte at once would be a data race.
    ///
    /// # Panics
    /// When `offset + bytes.len()` is beyond [`SharedWindow::len`]: a bug
    /// of the caller's band arithmetic, never input.
    pub unsafe fn write(&mut self, offset: usize, bytes: &[u8]) {
        let end = offset.checked_add(bytes.len());
        assert!(
            end.is_some_and(|end| end <= self.len),
            "write of {} bytes at {offset} past a window of {}",
            bytes.len(),
            self.len
        );
        if bytes.is_empty() {
            return;
        }
        // SAFETY: `base..base + len` is rank 0's segment, mapped and live
        // until drop, and the range was checked above; `bytes` is local
        // memory, so the two cannot overlap. No other rank touches these
        // bytes until the next fence: the caller's promise (`# Safety`).
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.add(offset), bytes.len()) }
    }

    /// Copies the whole window into `into` (of [`SharedWindow::len`] bytes).
    ///
    /// # Safety
    /// No rank may write to the window between the last
    /// [`SharedWindow::fence`] and the next one while this reads it.
    ///
    /// # Panics
    /// When `into` is not as long as the window.
    pub unsafe fn read(&self, into: &mut [u8]) {
        assert_eq!(into.len(), self.len, "read into a buffer of another size");
        if into.is_empty() {
            return;
        }
        // SAFETY: the segment is mapped and live until drop and holds `len`
        // bytes; `into` is local memory of the same length. No rank writes
        // until the next fence: the caller's promise (`# Safety`).
        unsafe { ptr::copy_nonoverlapping(self.base, into.as_mut_ptr(), self.len) }
    }
}

impl Drop for SharedWindow {
    /// Frees the window (collective: every rank drops it at the same point).
    fn drop(&mut self) {
        let _span = logprof::scope!("MPI_Win_free");
        // SAFETY: `win` is live and freed once, here; the mapping is not
        // used after (`base` dies with `self`).
        unsafe {
            ffi::MPI_Win_free(&mut self.win);
        }
    }
}

/// An MPI return code as an error naming the call.
fn check(rc: i32, call: &str) -> Result<(), KernelError> {
    match rc == ffi::MPI_SUCCESS as i32 {
        true => Ok(()),
        false => Err(KernelError::Mpi {
            message: format!("{call} failed with MPI error {rc}"),
        }),
    }
}
