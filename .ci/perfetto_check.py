"""Checks logprof's Perfetto protobuf traces against Perfetto's own protos.

Run by .ci/perfetto-check (which installs the `perfetto` and `protobuf`
packages from PyPI into a virtual environment); usage:

    perfetto_check.py LOGPROF_BINARY WORK_DIR [CHROME_JSON...]

1. A trace built with Perfetto's generated classes (`perfetto_trace_pb2`,
   shipped in the `perfetto` package), the way the Perfetto SDK writes one
   (interned names and categories, packet defaults, an incremental clock,
   process, thread and counter tracks, flows), is converted by
   `logprof convert` to Chrome JSON, whose events must be the ones built.
2. Each Chrome JSON given is converted by `logprof convert` to .pftrace and
   parsed with Perfetto's classes: every packet must decode, every slice
   begin must have an end on its track, the names (interned per sequence)
   must be those of the JSON's spans, and the threads, counter samples and
   flows those of the JSON.
3. When Perfetto's trace_processor can be had (`TRACE_PROCESSOR_SHELL`
   naming a binary, or the perfetto package downloading one), it loads the
   .pftrace and counts its slices; offline, this part says it is skipped.

Exits non-zero on the first mismatch.
"""

import collections
import json
import os
import subprocess
import sys

from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb

TrackEvent = pb.TrackEvent


def fail(msg):
    print(f"perfetto-check: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def convert(logprof, src, dst):
    r = subprocess.run([logprof, "convert", src, dst], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"logprof convert {src} {dst}: {r.stderr.strip()}")
    return r.stdout


def sdk_trace():
    """A trace as the Perfetto SDK writes it, and the spans it holds."""
    t = pb.Trace()

    def packet(seq, flags=pb.TracePacket.SEQ_NEEDS_INCREMENTAL_STATE):
        p = t.packet.add()
        p.trusted_packet_sequence_id = seq
        p.sequence_flags = flags
        return p

    p = packet(1, pb.TracePacket.SEQ_INCREMENTAL_STATE_CLEARED)
    p.trace_packet_defaults.timestamp_clock_id = 64
    p.trace_packet_defaults.track_event_defaults.track_uuid = 11
    c = p.clock_snapshot.clocks.add()
    c.clock_id, c.timestamp = 6, 5_000_000
    c = p.clock_snapshot.clocks.add()
    c.clock_id, c.timestamp, c.is_incremental = 64, 5_000_000, True
    p = packet(1)
    p.track_descriptor.uuid = 10
    p.track_descriptor.process.pid = 77
    p.track_descriptor.process.process_name = "sdk app"
    p = packet(1)
    p.track_descriptor.uuid = 11
    p.track_descriptor.parent_uuid = 10
    p.track_descriptor.thread.pid = 77
    p.track_descriptor.thread.tid = 78
    p.track_descriptor.thread.thread_name = "sdk worker"
    p = packet(1)
    p.track_descriptor.uuid = 12
    p.track_descriptor.parent_uuid = 10
    p.track_descriptor.name = "queue length"
    p.track_descriptor.counter.SetInParent()

    def event(delta, kind, name=None, iid=None, track=None):
        p = packet(1)
        p.timestamp = delta
        p.track_event.type = kind
        if name is not None:
            p.track_event.name = name
        if iid is not None:
            p.track_event.name_iid = iid
        if track is not None:
            p.track_event.track_uuid = track
        return p

    p = event(1000, TrackEvent.TYPE_SLICE_BEGIN, iid=1)
    n = p.interned_data.event_names.add()
    n.iid, n.name = 1, "frame"
    cat = p.interned_data.event_categories.add()
    cat.iid, cat.name = 1, "region"
    p.track_event.category_iids.append(1)
    p.track_event.flow_ids.append(4242)
    a = p.track_event.debug_annotations.add()
    a.name, a.int_value = "depth", 9  # another tool's argument: not trusted
    event(500, TrackEvent.TYPE_SLICE_BEGIN, name="draw")
    event(250, TrackEvent.TYPE_SLICE_END)
    event(250, TrackEvent.TYPE_INSTANT, name="vsync")
    p = event(0, TrackEvent.TYPE_COUNTER, track=12)
    p.track_event.counter_value = 3
    event(1000, TrackEvent.TYPE_SLICE_END)
    # Times: 5_001_000 frame .. 5_003_000, draw 5_001_500 .. 5_001_750.
    spans = {("frame", 5_001.0, 2.0, 0), ("draw", 5_001.5, 0.25, 1)}
    return t, spans


def check_sdk_trace(logprof, work):
    t, expected = sdk_trace()
    path = os.path.join(work, "sdk.pftrace")
    with open(path, "wb") as f:
        f.write(t.SerializeToString())
    out = os.path.join(work, "sdk.json")
    said = convert(logprof, path, out)
    # The flow id (field 47, fixed64) was read: counted as not drawn.
    if "1 flow (arrows between slices) events not drawn" not in said:
        fail(f"SDK-style trace: its flow not seen; logprof said: {said.strip()}")
    with open(out) as f:
        events = json.load(f)["traceEvents"]
    got = {
        (e["name"], e["ts"], e["dur"], e["args"]["depth"])
        for e in events
        if e.get("ph") == "X"
    }
    if got != expected:
        fail(f"SDK-style trace read as {sorted(got)}, built {sorted(expected)}")
    names = {e["args"]["name"] for e in events if e.get("ph") == "M"}
    for want in ("sdk app", "sdk worker"):
        if want not in names:
            fail(f"SDK-style trace: {want!r} not among the names {sorted(names)}")
    counters = [e for e in events if e.get("ph") == "C"]
    if [(c["name"], c["args"]["value"]) for c in counters] != [("queue length", 3)]:
        fail(f"SDK-style trace: counters read as {counters}")
    print("perfetto-check: a trace built with Perfetto's classes reads right")


def logprof_json(path):
    """What logprof read from a Chrome JSON file, as its own Chrome JSON
    says it: span names, threads, counter samples, flows."""
    with open(path) as f:
        events = json.load(f)["traceEvents"]
    spans = collections.Counter(
        e["name"] for e in events if e.get("ph") == "X" and e.get("cat") != "off-cpu"
    )
    threads = {
        (e["pid"], e["tid"], e["args"]["name"])
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }
    counters = collections.Counter(e["name"] for e in events if e.get("ph") == "C")
    flows = sum(1 for e in events if e.get("ph") == "s")
    return spans, threads, counters, flows


def check_written(logprof, work, src):
    base = os.path.join(work, os.path.basename(src).rsplit(".", 1)[0])
    pftrace = base + ".pftrace"
    convert(logprof, src, pftrace)
    # logprof's own JSON of the same trace: the names to expect.
    ours = base + ".logprof.json"
    convert(logprof, src, ours)
    expected, threads, counters, flows = logprof_json(ours)
    with open(pftrace, "rb") as f:
        t = pb.Trace.FromString(f.read())
    names = {}  # per sequence: iid -> name
    stacks = collections.defaultdict(list)
    seen = collections.Counter()
    seen_threads, counter_tracks, seen_counters = set(), {}, collections.Counter()
    flows_out = flows_in = 0
    for p in t.packet:
        if p.HasField("track_descriptor"):
            d = p.track_descriptor
            if d.HasField("thread"):
                seen_threads.add((d.thread.pid, d.thread.tid, d.thread.thread_name))
            if d.HasField("counter"):
                counter_tracks[d.uuid] = d.name
        seq = names.setdefault(p.trusted_packet_sequence_id, {})
        if p.sequence_flags & pb.TracePacket.SEQ_INCREMENTAL_STATE_CLEARED:
            seq.clear()
        for n in p.interned_data.event_names:
            seq[n.iid] = n.name
        if not p.HasField("track_event"):
            continue
        e = p.track_event
        flows_out += len(e.flow_ids)
        flows_in += len(e.terminating_flow_ids)
        if e.type == TrackEvent.TYPE_COUNTER:
            if e.track_uuid not in counter_tracks:
                fail(f"{pftrace}: a counter value on track {e.track_uuid}, not a counter track")
            seen_counters[counter_tracks[e.track_uuid]] += 1
        if e.type == TrackEvent.TYPE_SLICE_BEGIN:
            name = e.name if e.HasField("name") else seq.get(e.name_iid)
            if name is None:
                fail(f"{pftrace}: name_iid {e.name_iid} not interned on its sequence")
            stacks[e.track_uuid].append(name)
        elif e.type == TrackEvent.TYPE_SLICE_END:
            if not stacks[e.track_uuid]:
                fail(f"{pftrace}: an end with no open slice on track {e.track_uuid}")
            name = stacks[e.track_uuid].pop()
            if name not in ("preempted", "blocked"):
                seen[name] += 1
    open_left = sum(len(s) for s in stacks.values())
    if open_left:
        fail(f"{pftrace}: {open_left} slices never ended")
    if seen != expected:
        fail(f"{pftrace}: slice names differ from the JSON's: {(seen - expected) + (expected - seen)}")
    # Thread ids too wide for int32 are written truncated (docs/perfetto.md).
    narrow = {th for th in threads if -2**31 <= th[1] < 2**31}
    if not narrow <= seen_threads:
        fail(f"{pftrace}: threads missing from the descriptors: {sorted(narrow - seen_threads)[:5]}")
    if seen_counters != counters:
        fail(f"{pftrace}: counter samples {dict(seen_counters)}, the JSON has {dict(counters)}")
    if flows_out != flows or flows_in != flows:
        fail(f"{pftrace}: {flows_out} flows leave and {flows_in} arrive, the JSON has {flows}")
    print(f"perfetto-check: {os.path.basename(pftrace)}: {len(t.packet)} packets, "
          f"{sum(seen.values())} slices, {len(seen_threads)} threads, "
          f"{sum(seen_counters.values())} counter values, {flows} flows, "
          f"all decoded by Perfetto's classes")
    return pftrace, sum(seen.values())


def check_trace_processor(pftrace, slices):
    try:
        from perfetto.trace_processor import TraceProcessor, TraceProcessorConfig
        shell = os.environ.get("TRACE_PROCESSOR_SHELL")
        config = TraceProcessorConfig(bin_path=shell, load_timeout=60)
        tp = TraceProcessor(trace=pftrace, config=config)
    except Exception as e:  # offline: the shell cannot be downloaded
        print(f"perfetto-check: trace_processor skipped (cannot start it: {type(e).__name__}: "
              f"{str(e)[:160]}); set TRACE_PROCESSOR_SHELL to a trace_processor_shell to run it")
        return
    n = next(iter(tp.query("select count(*) as n from slice where category is null "
                           "or category != 'off-cpu'"))).n
    tp.close()
    if n != slices:
        fail(f"trace_processor counts {n} slices in {pftrace}, logprof wrote {slices}")
    print(f"perfetto-check: trace_processor loads {os.path.basename(pftrace)}: {n} slices")


def main():
    logprof, work, *jsons = sys.argv[1:]
    check_sdk_trace(logprof, work)
    last = None
    for src in jsons:
        last = check_written(logprof, work, src)
    if last:
        check_trace_processor(*last)
    print("perfetto-check: ok")


if __name__ == "__main__":
    main()
