//! Each transfer of the lecture's "sending data" section, from rank 1 to
//! rank 0, timed on rank 0 (the `mpi` feature).
//!
//! Every transfer is a request and its answer, as the lecture's
//! `remotecall_fetch` is: rank 0 starts its clock, asks rank 1 (a one-byte
//! request, or the matrix or its recipe), and stops its clock when the
//! answer is received and decoded. So every row pays the same one small
//! message; [`Transfer::Handshake`] is that floor alone. Only ranks 0 and 1
//! take part, and the request itself keeps them in step: rank 1 is back
//! waiting for the next one before its answer has arrived.
//!
//! Every message goes through [`logprof::ranks`], so each is recorded (an
//! `MPI_Send` or `MPI_Recv` span, a flow arrow in the merged trace), and
//! each transfer is a span on rank 0 named after its row and an `answer`
//! span on rank 1. That costs each transfer a few spans (tens of ns each,
//! BENCHMARKS.md) and an uncontended lock per message (two messages, three
//! for the plain buffers), inside the timed request: small beside the
//! handshake's microseconds, and about the same for every row.

use logprof::ranks::{receive_vec, send};
use mpi::datatype::Equivalence;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use super::matrix::Matrix;
use super::shapes::{decode, Flat, Shape, Shapes};
use super::SendingError;

/// Tag of rank 0's request.
const TAG_ASK: i32 = 30;
/// Tag of rank 1's answer (a serialised shape, or the flat form's lengths).
const TAG_ANSWER: i32 = 31;
/// Tag of the flat form's joined string, sent as plain bytes.
const TAG_JOINED: i32 = 32;
/// Tag of rank 1's word that it is ready for the first request.
const TAG_READY: i32 = 33;

/// One way of getting data from rank 1 to rank 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// The request and an empty answer: the cost every other row pays too.
    Handshake,
    /// The strings in `Shape`, serialised with postcard.
    Serialised(Shape),
    /// The flat form as two plain MPI buffers (the lengths as `u32`, the
    /// joined string as bytes), no serde.
    FlatBuffers,
    /// Rank 0 sends its matrix; rank 1 squares it and answers with the
    /// square's checksum (`@spawnat :any A^2`).
    MatrixSent,
    /// Rank 0 sends the seed and size; rank 1 generates the matrix, squares
    /// it and answers with the checksum (`@spawnat :any rand(n, n)^2`).
    RecipeSent,
}

impl Transfer {
    /// Every transfer: the floor, the shapes, the plain buffers, the pair.
    pub const ALL: [Transfer; 8] = [
        Transfer::Handshake,
        Transfer::Serialised(Shape::Vector),
        Transfer::Serialised(Shape::Map),
        Transfer::Serialised(Shape::Pairs),
        Transfer::Serialised(Shape::Flat),
        Transfer::FlatBuffers,
        Transfer::MatrixSent,
        Transfer::RecipeSent,
    ];
}

/// What both ranks hold before anything is timed: the same strings and
/// matrix, made from the same seed on each.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The strings in every shape.
    pub shapes: Shapes,
    /// The matrix's seed.
    pub matrix_seed: u64,
    /// The matrix (rank 0 sends it under [`Transfer::MatrixSent`]).
    pub matrix: Matrix,
    /// The checksum of the matrix's square, computed locally.
    pub square_checksum: u64,
}

impl Workload {
    /// `strings` random strings and a `side`×`side` matrix, from `seed`.
    pub fn new(seed: u64, strings: usize, side: usize) -> Workload {
        let shapes = Shapes::new(super::shapes::random_strings(seed, strings));
        let matrix = Matrix::random(side, seed.wrapping_add(1));
        Workload {
            shapes,
            matrix_seed: seed.wrapping_add(1),
            square_checksum: matrix.square().checksum(),
            matrix,
        }
    }
}

/// One transfer as rank 0 saw it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// From the request to the decoded answer, in seconds.
    pub seconds: f64,
    /// Payload bytes on the wire, both ways, without the one-byte request.
    pub bytes: u64,
    /// Whether rank 0 got exactly what rank 1 had (the strings, or the
    /// square's checksum).
    pub same: bool,
}

/// Brings ranks 0 and 1 in step before the first transfer (rank 1 says
/// it is ready; other ranks do nothing), so the first request does not wait
/// for rank 1 to finish making its [`Workload`].
pub fn ready(world: &SimpleCommunicator) {
    match world.rank() {
        0 => {
            message::<u8>(world, 1, TAG_READY);
        }
        1 => send(world, 0, TAG_READY, &[0u8]),
        _ => {}
    }
}

/// Runs `transfer` once on this rank: `Some` on rank 0, `None` on the
/// others (rank 1 answers, any other rank does nothing). Needs at least 2
/// ranks.
pub fn run(
    world: &SimpleCommunicator,
    transfer: Transfer,
    work: &Workload,
) -> Result<Option<Outcome>, SendingError> {
    if world.size() < 2 {
        return Err(SendingError::new(
            "sending needs at least 2 ranks (rank 1 sends, rank 0 receives)",
        ));
    }
    match world.rank() {
        0 => receive(world, transfer, work).map(Some),
        1 => answer(world, transfer, work).map(|()| None),
        _ => Ok(None),
    }
}

/// Rank 0: ask, receive, decode, then check (after the clock stops).
fn receive(
    world: &SimpleCommunicator,
    transfer: Transfer,
    work: &Workload,
) -> Result<Outcome, SendingError> {
    let span = transfer_span(transfer);
    let start = std::time::Instant::now();
    match transfer {
        Transfer::MatrixSent => send(world, 1, TAG_ASK, work.matrix.values()),
        Transfer::RecipeSent => send(
            world,
            1,
            TAG_ASK,
            &[work.matrix_seed, work.matrix.side() as u64],
        ),
        _ => send(world, 1, TAG_ASK, &[1u8]),
    }
    let got = match transfer {
        Transfer::Handshake => {
            let bytes: Vec<u8> = message(world, 1, TAG_ANSWER);
            Got::Nothing(bytes.len())
        }
        Transfer::Serialised(shape) => {
            let bytes: Vec<u8> = message(world, 1, TAG_ANSWER);
            Got::Strings(decode(shape, &bytes)?, bytes.len())
        }
        Transfer::FlatBuffers => {
            let lengths: Vec<u32> = message(world, 1, TAG_ANSWER);
            let joined: Vec<u8> = message(world, 1, TAG_JOINED);
            let bytes = lengths.len() * 4 + joined.len();
            let joined = String::from_utf8(joined).map_err(|e| {
                SendingError::new(format!("flat buffers: not UTF-8: {e}")).caused_by(e)
            })?;
            Got::Strings(
                super::shapes::Received::Flat(Flat { lengths, joined }),
                bytes,
            )
        }
        Transfer::MatrixSent | Transfer::RecipeSent => {
            let checksum: Vec<u64> = message(world, 1, TAG_ANSWER);
            match checksum[..] {
                [sum] => Got::Checksum(sum),
                _ => {
                    return Err(SendingError::new(format!(
                        "a checksum is one number, got {}",
                        checksum.len()
                    )))
                }
            }
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    drop(span);
    let (bytes, same) = match got {
        Got::Nothing(n) => (n as u64, n == 0),
        Got::Strings(received, n) => (n as u64, received.into_strings()? == work.shapes.vector),
        Got::Checksum(sum) => {
            let asked = match transfer {
                Transfer::MatrixSent => std::mem::size_of_val(work.matrix.values()),
                _ => 16,
            };
            (asked as u64 + 8, sum == work.square_checksum)
        }
    };
    Ok(Outcome {
        seconds,
        bytes,
        same,
    })
}

/// The next message from rank `from` with `tag`, whole.
fn message<T: Equivalence + Default + Clone>(
    world: &SimpleCommunicator,
    from: u32,
    tag: i32,
) -> Vec<T> {
    receive_vec(world, Some(from), Some(tag)).0
}

/// Rank 0's span of one transfer, named as its row in `logprof sending`'s
/// table (the two flat rows told apart by their form).
fn transfer_span(transfer: Transfer) -> logprof::SpanGuard {
    match transfer {
        Transfer::Handshake => logprof::scope!("handshake only"),
        Transfer::Serialised(Shape::Vector) => logprof::scope!("vector of strings"),
        Transfer::Serialised(Shape::Map) => logprof::scope!("map"),
        Transfer::Serialised(Shape::Pairs) => logprof::scope!("vector of pairs"),
        Transfer::Serialised(Shape::Flat) => logprof::scope!("flat: lengths + joined (postcard)"),
        Transfer::FlatBuffers => logprof::scope!("flat: lengths + joined (2 MPI buffers)"),
        Transfer::MatrixSent => logprof::scope!("matrix sent, squared there"),
        Transfer::RecipeSent => logprof::scope!("recipe sent, generated + squared there"),
    }
}

/// What rank 0 received, before it is checked.
enum Got {
    Nothing(usize),
    Strings(super::shapes::Received, usize),
    Checksum(u64),
}

/// Rank 1: wait for the request, then answer it.
fn answer(
    world: &SimpleCommunicator,
    transfer: Transfer,
    work: &Workload,
) -> Result<(), SendingError> {
    // The request first, so that the `answer` span is the work of
    // answering, not the wait for the next request.
    let request = match transfer {
        Transfer::MatrixSent => Request::Matrix(message(world, 0, TAG_ASK)),
        Transfer::RecipeSent => Request::Recipe(message(world, 0, TAG_ASK)),
        _ => {
            message::<u8>(world, 0, TAG_ASK);
            Request::Byte
        }
    };
    let _span = logprof::scope!("answer");
    let checksum = |sum: u64| send(world, 0, TAG_ANSWER, &[sum]);
    match (transfer, request) {
        (_, Request::Matrix(values)) => {
            let side = work.matrix.side();
            checksum(Matrix::from_values(side, values)?.square().checksum());
        }
        (_, Request::Recipe(recipe)) => {
            let [seed, side] = recipe[..] else {
                return Err(SendingError::new(format!(
                    "a recipe is a seed and a size, got {} numbers",
                    recipe.len()
                )));
            };
            checksum(Matrix::random(side as usize, seed).square().checksum());
        }
        (Transfer::Serialised(shape), _) => {
            send(world, 0, TAG_ANSWER, &work.shapes.encode(shape)?);
        }
        (Transfer::FlatBuffers, _) => {
            let flat = Flat::of(&work.shapes.vector);
            send(world, 0, TAG_ANSWER, &flat.lengths);
            send(world, 0, TAG_JOINED, flat.joined.as_bytes());
        }
        _ => send::<_, u8>(world, 0, TAG_ANSWER, &[]),
    }
    Ok(())
}

/// Rank 0's request, as rank 1 received it.
enum Request {
    /// The matrix's values.
    Matrix(Vec<f64>),
    /// The matrix's seed and side.
    Recipe(Vec<u64>),
    /// One byte: "send me your answer".
    Byte,
}
