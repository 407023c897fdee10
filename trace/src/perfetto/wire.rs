//! The packets of a lane's events (two for each span: its begin and its
//! end), encoded straight into the output buffer.
//!
//! They are nearly all of a file's packets, and tiny (15 to 30 bytes):
//! through `prost`'s derived code each one was a `TracePacket` and a
//! `TrackEvent` built, measured twice over their every field, encoded and
//! dropped, which made writing three times slower than writing Chrome
//! JSON. Here the few fields an event uses are written as protobuf's wire
//! format says (a key, then a varint, a fixed64 or a length and bytes),
//! with the same field numbers as the messages of `protos`; what is rare
//! (interned data, debug annotations) still goes through `prost`. A test
//! decodes these bytes with `prost` and compares them field by field with
//! the messages they stand for.
//!
//! The varint helpers are here too, for the reader's framing: `prost` has
//! them, but not as a public API.

use prost::Message;

use super::protos::{DebugAnnotation, InternedData};

/// Wire types.
const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;

/// Field numbers of `TracePacket` written here.
const PACKET_TIMESTAMP: u32 = 8;
const PACKET_SEQUENCE_ID: u32 = 10;
const PACKET_TRACK_EVENT: u32 = 11;
const PACKET_INTERNED_DATA: u32 = 12;
const PACKET_SEQUENCE_FLAGS: u32 = 13;

/// Field numbers of `TrackEvent` written here.
const EVENT_CATEGORY_IIDS: u32 = 3;
const EVENT_DEBUG_ANNOTATIONS: u32 = 4;
const EVENT_TYPE: u32 = 9;
const EVENT_NAME_IID: u32 = 10;
const EVENT_TRACK_UUID: u32 = 11;
const EVENT_NAME: u32 = 23;
const EVENT_FLOW_IDS: u32 = 47;
const EVENT_TERMINATING_FLOW_IDS: u32 = 48;

/// Appends `v` as a varint.
pub(super) fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// The bytes of `v` as a varint.
pub(super) fn varint_len(v: u64) -> usize {
    // 1 byte per 7 bits, at least 1.
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Reads a varint from the front of `bytes`, advancing it; `None` when the
/// bytes end first or it runs past ten bytes.
pub(super) fn take_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            *bytes = &bytes[i + 1..];
            return Some(v);
        }
    }
    None
}

fn key(buf: &mut Vec<u8>, field: u32, wire: u32) {
    put_varint(buf, u64::from(field << 3 | wire));
}

fn key_len(field: u32) -> usize {
    varint_len(u64::from(field << 3))
}

/// One track event of a lane.
pub(super) struct HotEvent<'a> {
    /// One of `protos::event_type`.
    pub kind: i32,
    pub track: u64,
    pub name_iid: Option<u64>,
    pub name: Option<&'static str>,
    /// Up to four category iids, the first `category_count` of them used.
    pub categories: [u64; 4],
    pub category_count: usize,
    pub flows_out: &'a [u64],
    pub flows_in: &'a [u64],
    pub annotations: Vec<DebugAnnotation>,
}

impl<'a> HotEvent<'a> {
    /// An event of `kind` on `track`, with nothing else yet.
    pub fn new(kind: i32, track: u64) -> HotEvent<'a> {
        HotEvent {
            kind,
            track,
            name_iid: None,
            name: None,
            categories: [0; 4],
            category_count: 0,
            flows_out: &[],
            flows_in: &[],
            annotations: Vec::new(),
        }
    }

    pub fn add_category(&mut self, iid: u64) {
        if self.category_count < self.categories.len() {
            self.categories[self.category_count] = iid;
            self.category_count += 1;
        }
    }

    fn encoded_len(&self) -> usize {
        let mut n = key_len(EVENT_TYPE) + varint_len(self.kind as u64);
        n += key_len(EVENT_TRACK_UUID) + varint_len(self.track);
        if let Some(iid) = self.name_iid {
            n += key_len(EVENT_NAME_IID) + varint_len(iid);
        }
        if let Some(name) = self.name {
            n += key_len(EVENT_NAME) + varint_len(name.len() as u64) + name.len();
        }
        for &c in &self.categories[..self.category_count] {
            n += key_len(EVENT_CATEGORY_IIDS) + varint_len(c);
        }
        n += self.flows_out.len() * (key_len(EVENT_FLOW_IDS) + 8);
        n += self.flows_in.len() * (key_len(EVENT_TERMINATING_FLOW_IDS) + 8);
        for a in &self.annotations {
            let len = a.encoded_len();
            n += key_len(EVENT_DEBUG_ANNOTATIONS) + varint_len(len as u64) + len;
        }
        n
    }

    fn encode(&self, buf: &mut Vec<u8>) {
        key(buf, EVENT_TYPE, VARINT);
        put_varint(buf, self.kind as u64);
        key(buf, EVENT_TRACK_UUID, VARINT);
        put_varint(buf, self.track);
        if let Some(iid) = self.name_iid {
            key(buf, EVENT_NAME_IID, VARINT);
            put_varint(buf, iid);
        }
        if let Some(name) = self.name {
            key(buf, EVENT_NAME, LEN);
            put_varint(buf, name.len() as u64);
            buf.extend_from_slice(name.as_bytes());
        }
        for &c in &self.categories[..self.category_count] {
            key(buf, EVENT_CATEGORY_IIDS, VARINT);
            put_varint(buf, c);
        }
        for (field, ids) in [
            (EVENT_FLOW_IDS, self.flows_out),
            (EVENT_TERMINATING_FLOW_IDS, self.flows_in),
        ] {
            for &id in ids {
                key(buf, field, FIXED64);
                buf.extend_from_slice(&id.to_le_bytes());
            }
        }
        for a in &self.annotations {
            key(buf, EVENT_DEBUG_ANNOTATIONS, LEN);
            put_varint(buf, a.encoded_len() as u64);
            a.encode_raw(buf);
        }
    }
}

/// Appends one framed packet (`Trace.packet`, field 1) holding `event` at
/// `ts` on `sequence`, with `flags` and the `interned` names it brings.
pub(super) fn put_event_packet(
    buf: &mut Vec<u8>,
    ts: u64,
    sequence: u32,
    flags: u32,
    interned: Option<&InternedData>,
    event: &HotEvent<'_>,
) {
    let event_len = event.encoded_len();
    let interned_len = interned.map(Message::encoded_len);
    let mut len = key_len(PACKET_TIMESTAMP) + varint_len(ts);
    len += key_len(PACKET_SEQUENCE_ID) + varint_len(sequence.into());
    len += key_len(PACKET_SEQUENCE_FLAGS) + varint_len(flags.into());
    if let Some(n) = interned_len {
        len += key_len(PACKET_INTERNED_DATA) + varint_len(n as u64) + n;
    }
    len += key_len(PACKET_TRACK_EVENT) + varint_len(event_len as u64) + event_len;
    key(buf, 1, LEN);
    put_varint(buf, len as u64);
    let start = buf.len();
    key(buf, PACKET_TIMESTAMP, VARINT);
    put_varint(buf, ts);
    key(buf, PACKET_SEQUENCE_ID, VARINT);
    put_varint(buf, sequence.into());
    key(buf, PACKET_SEQUENCE_FLAGS, VARINT);
    put_varint(buf, flags.into());
    if let (Some(data), Some(n)) = (interned, interned_len) {
        key(buf, PACKET_INTERNED_DATA, LEN);
        put_varint(buf, n as u64);
        data.encode_raw(buf);
    }
    key(buf, PACKET_TRACK_EVENT, LEN);
    put_varint(buf, event_len as u64);
    event.encode(buf);
    debug_assert_eq!(buf.len() - start, len, "the length written first");
}

#[cfg(test)]
mod tests {
    use super::super::protos::{event_type, InternedName, TracePacket, TrackEvent};
    use super::*;

    #[test]
    fn varints_round_trip_at_every_width() {
        for v in [0, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX] {
            let mut buf = Vec::new();
            put_varint(&mut buf, v);
            assert_eq!(buf.len(), varint_len(v), "{v}");
            let mut rest = &buf[..];
            assert_eq!(take_varint(&mut rest), Some(v));
            assert!(rest.is_empty());
            assert_eq!(take_varint(&mut &buf[..buf.len() - 1]), None, "cut");
        }
    }

    #[test]
    fn hand_encoded_packets_decode_as_the_messages_they_stand_for() {
        let interned = InternedData {
            event_names: vec![InternedName {
                iid: Some(300),
                name: Some("work ✓".into()),
            }],
            ..Default::default()
        };
        let annotation = DebugAnnotation {
            name: Some("task".into()),
            uint_value: Some(7),
            ..Default::default()
        };
        let mut e = HotEvent::new(event_type::SLICE_BEGIN, 1 << 40);
        e.name_iid = Some(300);
        e.add_category(2);
        e.add_category(3);
        e.flows_out = &[1, u64::MAX];
        e.flows_in = &[5];
        e.annotations = vec![annotation.clone()];
        let mut off = HotEvent::new(event_type::SLICE_END, 3);
        off.name = Some("blocked");
        for (event, interned, expected) in [
            (
                &e,
                Some(&interned),
                TrackEvent {
                    r#type: Some(event_type::SLICE_BEGIN),
                    track_uuid: Some(1 << 40),
                    name_iid: Some(300),
                    category_iids: vec![2, 3],
                    flow_ids: vec![1, u64::MAX],
                    terminating_flow_ids: vec![5],
                    debug_annotations: vec![annotation.clone()],
                    ..Default::default()
                },
            ),
            (
                &off,
                None,
                TrackEvent {
                    r#type: Some(event_type::SLICE_END),
                    track_uuid: Some(3),
                    name: Some("blocked".into()),
                    ..Default::default()
                },
            ),
        ] {
            let mut buf = Vec::new();
            put_event_packet(&mut buf, 123_456_789_012, 9, 2, interned, event);
            assert_eq!(buf[0], 0x0a);
            let mut rest = &buf[1..];
            let len = take_varint(&mut rest).unwrap() as usize;
            assert_eq!(rest.len(), len, "one whole packet");
            let packet = TracePacket::decode(rest).unwrap();
            let want = TracePacket {
                timestamp: Some(123_456_789_012),
                trusted_packet_sequence_id: Some(9),
                sequence_flags: Some(2),
                interned_data: interned.cloned().map(Box::new),
                track_event: Some(expected),
                ..Default::default()
            };
            assert_eq!(packet, want);
        }
    }
}
