//! Reading a Perfetto protobuf trace: the packets framed one by one out of
//! the file's bytes (a file cut off mid-packet keeps the packets before
//! the cut), each decoded by `prost` and handed to the importer, and the
//! trace assembled at the end. The entry points are
//! [`Trace::read_perfetto`] and [`Trace::from_perfetto_bytes`].

use std::path::Path;

use prost::Message;

use super::assemble::assemble;
use super::import::Importer;
use super::protos::TracePacket;
use super::wire::take_varint;
use super::PerfettoError;
use crate::chrome::TraceFileError;
use crate::trace::Trace;

impl Trace {
    /// Reads a Perfetto protobuf trace file (`.pftrace`), whether logprof,
    /// Chromium or a program using the Perfetto SDK wrote it (see the
    /// [module documentation](crate::perfetto)).
    pub fn read_perfetto(path: impl AsRef<Path>) -> Result<Trace, TraceFileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| TraceFileError::cannot_read(path, e))?;
        Trace::from_perfetto_bytes(&bytes).map_err(|e| e.in_file(path))
    }

    /// Reads the bytes of a Perfetto protobuf trace.
    pub fn from_perfetto_bytes(bytes: &[u8]) -> Result<Trace, PerfettoError> {
        match bytes.first() {
            None => {
                return Err(PerfettoError::new(
                    "the file is empty: a trace holds packets",
                ))
            }
            Some(&0x0a) => {}
            Some(&b) => {
                return Err(PerfettoError::new(format!(
                    "not a Perfetto protobuf trace: it starts with byte 0x{b:02x}, where a trace \
                     starts with 0x0a (its first packet)"
                )))
            }
        }
        let mut importer = Importer::new();
        let mut packets = 0u64;
        let mut at = 0usize;
        let mut cut = false;
        while at < bytes.len() {
            let mut rest = &bytes[at..];
            let Some(key) = take_varint(&mut rest) else {
                cut = true;
                break;
            };
            let (field, wire) = (key >> 3, key & 7);
            let skip = match wire {
                // Length-delimited: a packet (field 1) or something else.
                2 => {
                    let Some(len) = take_varint(&mut rest) else {
                        cut = true;
                        break;
                    };
                    let Some(body) = usize::try_from(len).ok().and_then(|l| rest.get(..l)) else {
                        cut = true;
                        break;
                    };
                    if field == 1 {
                        let packet = TracePacket::decode(body).map_err(|e| {
                            PerfettoError::new(format!(
                                "packet {} (at byte {at}) is not a trace packet ({e}): the file \
                                 is damaged",
                                packets + 1
                            ))
                        })?;
                        importer.packet(packet);
                        packets += 1;
                    }
                    body.len()
                }
                0 => match take_varint(&mut rest) {
                    Some(_) => 0,
                    None => {
                        cut = true;
                        break;
                    }
                },
                1 => 8,
                5 => 4,
                _ => {
                    return Err(PerfettoError::new(format!(
                        "byte {at}: not protobuf (a field of wire type {wire}): the file is \
                         damaged or not a Perfetto trace"
                    )))
                }
            };
            if rest.len() < skip {
                cut = true;
                break;
            }
            at = bytes.len() - rest.len() + skip;
        }
        if packets == 0 {
            return Err(PerfettoError::new(if cut {
                "the file is cut off inside its first packet: nothing to read"
            } else {
                "the file holds no trace packets"
            }));
        }
        Ok(assemble(importer, cut))
    }
}
