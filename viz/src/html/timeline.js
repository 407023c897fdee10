// logprof report: the timeline on a canvas. Reads the page's data (the
// columns of viz/src/html/data), draws every lane of every panel, zooms with
// the wheel around the pointer, pans by dragging or with W/A/S/D, shows a
// span's tooltip and, on a click, its function's figures. Ours, no library.
//
// Level of detail: a span at least a pixel wide is drawn as it is; where
// spans are narrower, each pixel column of a row is drawn once, in the
// colour of the first span in it, and the spans behind it are skipped by a
// search, so a frame costs about a row's pixels, not its spans.
(function () {
  "use strict";

  var report = window.logprofReport = window.logprofReport || {};
  report.spans = 0;
  report.lanes = 0;
  report.view = function () { return null; };
  var holder = document.getElementById("logprof-timeline-data");
  if (!holder) return;
  var t0 = performance.now();
  var data = JSON.parse(holder.textContent);

  var FLAG_REGION = 1, FLAG_WAIT = 2, FLAG_MPI = 4, FLAG_UNFINISHED = 8;
  var ROW = 14, LANE_GAP = 3, PANEL_HEAD = 22, REGION_BAND = 8, AXIS = 22, COUNTER_ROW = 22;
  // MAX_ZOOM_NS: the narrowest view, 10 ns, or 1 % of a shorter trace.
  var GUTTER = 170, MAX_ZOOM_NS = 10, INK = "#1f2937", MUTED = "#4b5563";

  // ---- decoding ----------------------------------------------------------

  function Varints(b64) {
    var text = atob(b64), n = text.length, b = new Uint8Array(n);
    for (var i = 0; i < n; i++) b[i] = text.charCodeAt(i);
    this.b = b;
    this.at = 0;
  }
  Varints.prototype.next = function () {
    var b = this.b, v = 0, mul = 1, byte;
    do {
      byte = b[this.at++];
      v += (byte & 127) * mul;
      mul *= 128;
    } while (byte >= 128);
    return v;
  };
  Varints.prototype.signed = function () {
    var z = this.next();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  };
  Varints.prototype.more = function () { return this.at < this.b.length; };

  function sparse(b64) {
    var r = new Varints(b64), out = new Map(), i = 0;
    while (r.more()) { i += r.next(); out.set(i, r.signed()); }
    return out;
  }

  function decodePanel(p) {
    var n = p.span_count, lanes = p.lanes;
    var name = new Uint32Array(n), start = new Float64Array(n), dur = new Float64Array(n);
    var depth = new Uint32Array(n), flags = new Uint8Array(n);
    var per = new Varints(p.lane_spans), cn = new Varints(p.name), cs = new Varints(p.start);
    var cd = new Varints(p.dur), cp = new Varints(p.depth), cf = new Varints(p.flags).b;
    var i = 0, regions = [];
    lanes.forEach(function (lane) {
      lane.first = i;
      lane.count = per.next();
      var at = 0, deepest = 0;
      for (var k = 0; k < lane.count; k++, i++) {
        at += cs.signed();
        start[i] = at;
        name[i] = cn.next();
        dur[i] = cd.next();
        depth[i] = cp.next();
        flags[i] = cf[i];
        if (depth[i] > deepest) deepest = depth[i];
        if (flags[i] & FLAG_REGION) regions.push(i);
      }
      lane.depths = lane.count ? deepest + 1 : 1;
    });
    var panel = {
      title: p.title, wall: Math.max(1, p.wall_ns), lanes: lanes, n: n,
      name: name, start: start, dur: dur, depth: depth, flags: flags,
      values: sparse(p.values), results: sparse(p.results), figures: new Map(),
      regions: rowOf(regions, start), messages: [], off: []
    };
    // Each lane's rows: its spans of one depth, in start order.
    lanes.forEach(function (lane) {
      var rows = [], counts = new Uint32Array(lane.depths), d;
      for (var s = lane.first; s < lane.first + lane.count; s++) counts[depth[s]]++;
      for (d = 0; d < lane.depths; d++) rows.push(new Uint32Array(counts[d]));
      counts.fill(0);
      for (s = lane.first; s < lane.first + lane.count; s++) {
        d = depth[s];
        rows[d][counts[d]++] = s;
      }
      lane.rows = rows.map(function (idx) { return rowOf(idx, start); });
    });
    var offLanes = new Varints(p.off_cpu_lanes), off = new Varints(p.off_cpu);
    lanes.forEach(function (lane) {
      var count = offLanes.next(), at = 0, s = [], e = [], kind = [];
      for (var k = 0; k < count; k++) {
        at += off.signed();
        s.push(at);
        e.push(at + off.next());
        kind.push(off.b[off.at++]);
      }
      lane.off = { start: s, end: e, kind: kind };
    });
    // Instants: ticks at the top of their lane, in time order.
    var instLanes = new Varints(p.instant_lanes), inst = new Varints(p.instants);
    lanes.forEach(function (lane) {
      var count = instLanes.next();
      var t = new Float64Array(count), id = new Uint32Array(count), at = 0;
      for (var k = 0; k < count; k++) { at += inst.signed(); t[k] = at; id[k] = inst.next(); }
      lane.instants = { t: t, name: id };
    });
    // Counters: step lines under the lanes, each scaled from 0 (or its
    // least value, if negative) to its largest, as in the pictures.
    panel.counters = (p.counters || []).map(function (c) {
      var r = new Varints(c.times), n = c.values.length, t = new Float64Array(n), at = 0;
      var v = Float64Array.from(c.values), lo = 0, hi = 0;
      for (var k = 0; k < n; k++) {
        at += r.signed();
        t[k] = at;
        if (v[k] < lo) lo = v[k];
        if (v[k] > hi) hi = v[k];
      }
      return { name: c.name, pid: c.pid, t: t, v: v, lo: lo, hi: hi > lo ? hi : lo + 1 };
    });
    var m = new Varints(p.messages);
    while (m.more()) {
      panel.messages.push({ send: m.next(), receive: m.next(), bytes: m.next(), tag: m.signed() });
    }
    return panel;
  }

  // A row: span indexes sorted by start (a foreign trace may not be).
  function rowOf(idx, start) {
    var row = idx instanceof Uint32Array ? idx : Uint32Array.from(idx);
    for (var k = 1; k < row.length; k++) {
      if (start[row[k]] < start[row[k - 1]]) {
        row.sort(function (a, b) { return start[a] - start[b]; });
        break;
      }
    }
    return row;
  }

  var panels = data.panels.map(decodePanel);
  // The pictures' colours, and after them the grey of waiting.
  var palette = data.palette.concat([data.wait_color]), WAIT_COLOR = palette.length - 1;
  var nameColor = data.name_color, names = data.names;
  var longest = Math.max.apply(null, panels.map(function (p) { return p.wall; }).concat([1]));

  // ---- layout ------------------------------------------------------------

  var scroller = document.getElementById("timeline-scroll");
  var canvas = document.getElementById("timeline-canvas");
  var spacer = document.getElementById("timeline-spacer");
  var details = document.getElementById("timeline-details");
  var tip = document.getElementById("tip");
  var axisButton = document.getElementById("timeline-axis");
  var ctx = canvas.getContext("2d", { alpha: false });

  // Every panel's and lane's y from the top of the content (under the axis).
  var height = 0;
  panels.forEach(function (p) {
    p.y = height;
    height += PANEL_HEAD;
    p.bandY = height;
    if (p.regions.length) height += REGION_BAND + 2;
    p.lanes.forEach(function (lane) {
      lane.y = height;
      height += lane.depths * ROW + LANE_GAP;
    });
    p.counterY = height;
    height += p.counters.length * (COUNTER_ROW + LANE_GAP);
    p.bottom = height;
    height += 6;
  });

  var shared = true;
  // The view, in ns from the panels' starts on the shared axis; each panel
  // maps its own time t to t * k (k = 1 on the shared axis).
  var view = { a: 0, b: longest };
  function scaleOf(p) { return shared ? 1 : longest / p.wall; }

  var size = { w: 0, h: 0, ratio: 1 };
  function resize() {
    var w = Math.max(300, scroller.clientWidth);
    var h = Math.min(AXIS + height, Math.max(200, Math.round(window.innerHeight * 0.75)));
    var ratio = window.devicePixelRatio || 1;
    size = { w: w, h: h, ratio: ratio };
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    canvas.style.width = w + "px";
    canvas.style.height = h + "px";
    scroller.style.height = h + "px";
    spacer.style.height = Math.max(0, AXIS + height - h) + "px";
    draw();
  }

  function plotWidth() { return size.w - GUTTER; }
  function xOf(u) { return GUTTER + (u - view.a) / (view.b - view.a) * plotWidth(); }
  function uOf(x) { return view.a + (x - GUTTER) / plotWidth() * (view.b - view.a); }

  // ---- drawing -----------------------------------------------------------

  var hatch = (function () {
    var c = document.createElement("canvas");
    c.width = c.height = 6;
    var g = c.getContext("2d");
    g.fillStyle = "rgba(255,255,255,0.55)";
    g.fillRect(0, 0, 6, 6);
    g.strokeStyle = "#374151";
    g.lineWidth = 0.8;
    g.beginPath();
    g.moveTo(0, 0); g.lineTo(6, 6); g.moveTo(6, 0); g.lineTo(0, 6);
    g.stroke();
    return ctx.createPattern(c, "repeat");
  })();

  // What a frame draws, queued by colour so that each colour is set once.
  var batches = palette.map(function () { return []; });
  var outlines = [], waits = [], labels = [], marks = [];
  // Each name's width in the labels' font, measured once.
  var labelWidth = new Float32Array(names.length).fill(-1);
  var selected = null;
  report.draws = 0;
  report.drawMs = 0;

  function first(row, start, t) {
    var lo = 0, hi = row.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (start[row[mid]] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // The first index after `i` in `row` whose span starts at or after `t`:
  // galloping, so a pixel holding few spans costs few steps.
  function skipTo(row, start, i, t) {
    var step = 1, lo = i, hi = i + 1, n = row.length;
    while (hi < n && start[row[hi]] < t) { lo = hi; step *= 2; hi = i + step; }
    if (hi > n) hi = n;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (start[row[mid]] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Queues the spans of `row` (panel `p`, time scale `k`) at `y`.
  function drawRow(p, row, k, y, h) {
    var start = p.start, dur = p.dur, n = row.length;
    var ta = view.a / k, tb = view.b / k, perPx = (tb - ta) / plotWidth();
    var i = first(row, start, ta);
    if (i > 0 && start[row[i - 1]] + dur[row[i - 1]] > ta) i--;
    // The last pixel column queued, its colour, and where its width is.
    var lastPx = -1, lastColor = -1, lastList = null, lastAt = 0, right = size.w;
    while (i < n) {
      var s = row[i], st = start[s];
      if (st > tb) break;
      var f = p.flags[s], x0 = xOf(st * k), x1 = xOf((st + dur[s]) * k);
      var color = f & FLAG_WAIT ? WAIT_COLOR : nameColor[p.name[s]];
      if (x1 - x0 >= 1) {
        var a = Math.max(x0, GUTTER), b = Math.min(x1, right);
        batches[color].push(a, y, b - a, h);
        if (f & FLAG_UNFINISHED) marks.push(a, y, b - a, h);
        // As in the pictures: a dashed outline says waiting, a white
        // hairline parts neighbouring calls.
        if (f & FLAG_WAIT) { if (b - a >= 3) waits.push(a, y, b - a, h); }
        else if (b - a >= 4) outlines.push(a, y, b - a, h);
        if (b - a >= 40 && h >= ROW - 1) labels.push(p.name[s], a, y, b - a);
        lastPx = -1;
        lastList = null;
        i++;
      } else {
        // Narrower than a pixel: this pixel column once, the rest skipped.
        var px = Math.floor(x0);
        if (px === lastPx + 1 && color === lastColor && lastList) {
          lastList[lastAt] += 1; // the run of columns of one colour grows
        } else if (px > lastPx && px >= GUTTER) {
          lastList = batches[color];
          lastList.push(px, y, 1, h);
          lastAt = lastList.length - 2;
        } else if (px !== lastPx) {
          lastList = null;
        }
        lastPx = px;
        lastColor = color;
        // At least one step: rounding may put the next pixel's time at or
        // before this span's start.
        i = Math.max(i + 1, skipTo(row, start, i, ta + (px + 1 - GUTTER) * perPx));
      }
    }
  }

  function flush() {
    for (var c = 0; c < batches.length; c++) {
      var list = batches[c];
      if (!list.length) continue;
      ctx.fillStyle = palette[c];
      for (var j = 0; j < list.length; j += 4) ctx.fillRect(list[j], list[j + 1], list[j + 2], list[j + 3]);
      list.length = 0;
    }
    strokeAll(outlines, "rgba(255,255,255,0.7)", 0.5, []);
    strokeAll(waits, MUTED, 0.75, [3, 2]);
    ctx.fillStyle = "#b45309";
    for (j = 0; j < marks.length; j += 4) {
      // Cut off by the end of the trace: marked at its end.
      ctx.fillRect(marks[j] + marks[j + 2] - 3, marks[j + 1], 3, marks[j + 3]);
    }
    marks.length = 0;
    // Black on the span colours: at least 4.5:1 on every one of them
    // (color.rs tests it).
    ctx.fillStyle = "#000000";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (j = 0; j < labels.length; j += 4) {
      // The whole name where it fits, else as much as fits and an ellipsis.
      var id = labels[j], room = labels[j + 3] - 6, text = names[id];
      if (labelWidth[id] < 0) labelWidth[id] = ctx.measureText(text).width;
      if (labelWidth[id] > room) {
        var keep = Math.floor(text.length * room / labelWidth[id]) - 1;
        if (keep < 2) continue;
        text = text.slice(0, keep) + "…";
      }
      ctx.fillText(text, labels[j + 1] + 3, labels[j + 2] + ROW / 2);
    }
    labels.length = 0;
  }

  // Strokes the rectangles queued in `list` (x, y, w, h each) in one path.
  function strokeAll(list, style, width, dash) {
    if (!list.length) return;
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    for (var j = 0; j < list.length; j += 4) ctx.rect(list[j], list[j + 1], list[j + 2], list[j + 3]);
    ctx.stroke();
    ctx.setLineDash([]);
    list.length = 0;
  }

  function drawOffCpu(lane, k, y, h) {
    var off = lane.off, ta = view.a / k, tb = view.b / k, lo = 0, hi = off.end.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (off.end[mid] < ta) lo = mid + 1; else hi = mid;
    }
    for (var j = lo; j < off.start.length; j++) {
      if (off.start[j] > tb) break;
      var x0 = Math.max(GUTTER, xOf(off.start[j] * k)), x1 = Math.min(size.w, xOf(off.end[j] * k));
      if (x1 - x0 < 0.5) continue;
      ctx.fillStyle = off.kind[j] === 0 ? hatch : "rgba(255,255,255,0.6)";
      ctx.fillRect(x0, y, x1 - x0, h);
    }
  }

  // The first index of the sorted times `t` at or after `u`.
  function lowerBound(t, u) {
    var lo = 0, hi = t.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (t[mid] < u) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // A lane's instants as ticks at its top, one a pixel column at most.
  function drawInstants(lane, k, y) {
    var t = lane.instants.t, ta = view.a / k, tb = view.b / k, perPx = (tb - ta) / plotWidth();
    ctx.fillStyle = INK;
    for (var i = lowerBound(t, ta); i < t.length && t[i] <= tb;) {
      var px = Math.floor(xOf(t[i] * k));
      ctx.fillRect(px, y, 1, 5);
      i = Math.max(i + 1, lowerBound(t, ta + (px + 1 - GUTTER) * perPx));
    }
  }

  // A counter's row: its step line over the view, the last value of each
  // pixel column, and its name and largest value in the gutter.
  function drawCounter(p, c, k, y) {
    var h = COUNTER_ROW, ta = view.a / k, tb = view.b / k, perPx = (tb - ta) / plotWidth();
    ctx.fillStyle = "#fafafa";
    ctx.fillRect(GUTTER, y, plotWidth(), h);
    var yOf = function (v) { return y + h - 2 - (v - c.lo) / (c.hi - c.lo) * (h - 4); };
    var i = Math.max(0, lowerBound(c.t, ta) - 1), last = null;
    ctx.strokeStyle = INK;
    ctx.lineWidth = 1;
    ctx.beginPath();
    while (i < c.t.length && c.t[i] <= tb) {
      var px = Math.floor(xOf(c.t[i] * k));
      // The last sample in this pixel column stands for it.
      var next = Math.max(i + 1, lowerBound(c.t, ta + (px + 1 - GUTTER) * perPx));
      var x = Math.max(GUTTER, px), yv = yOf(c.v[next - 1]);
      if (last === null) ctx.moveTo(x, yv);
      else { ctx.lineTo(x, last); ctx.lineTo(x, yv); }
      last = yv;
      i = next;
    }
    if (last !== null) {
      ctx.lineTo(Math.min(size.w, xOf(Math.min(tb, p.wall) * k)), last);
      ctx.stroke();
    }
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, y, GUTTER, h);
    ctx.fillStyle = MUTED;
    ctx.textBaseline = "middle";
    ctx.fillText(c.name + "  max " + number(c.hi), 6, y + h / 2, GUTTER - 12);
  }

  function number(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(3) + "G";
    if (a >= 1e6) return (v / 1e6).toFixed(3) + "M";
    if (a >= 1e3) return (v / 1e3).toFixed(1) + "k";
    return Number.isInteger(v) ? String(v) : v.toFixed(3);
  }

  function spanY(p, s) {
    var lane = laneOf(p, s);
    return lane.y + p.depth[s] * ROW;
  }

  function laneOf(p, s) {
    var lo = 0, hi = p.lanes.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (p.lanes[mid].first <= s) lo = mid; else hi = mid - 1;
    }
    return p.lanes[lo];
  }

  function drawMessages(p, k, top) {
    ctx.strokeStyle = "rgba(17,24,39,0.75)";
    ctx.fillStyle = "rgba(17,24,39,0.75)";
    ctx.lineWidth = 1;
    var drawn = 0;
    for (var j = 0; j < p.messages.length && drawn < 4000; j++) {
      var m = p.messages[j], s = m.send, r = m.receive;
      var from = p.start[s] * k, to = (p.start[r] + p.dur[r]) * k;
      if (Math.max(from, to) < view.a || Math.min(from, to) > view.b) continue;
      var x0 = xOf(from), y0 = top + spanY(p, s) + ROW / 2;
      var x1 = xOf(to), y1 = top + spanY(p, r) + ROW / 2;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      var angle = Math.atan2(y1 - y0, x1 - x0);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - 7 * Math.cos(angle - 0.4), y1 - 7 * Math.sin(angle - 0.4));
      ctx.lineTo(x1 - 7 * Math.cos(angle + 0.4), y1 - 7 * Math.sin(angle + 0.4));
      ctx.fill();
      drawn++;
    }
  }

  function niceStep(span, count) {
    var raw = span / count, pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / pow;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * pow;
  }

  function duration(ns) {
    var a = Math.abs(ns);
    if (a >= 1e9) return +(ns / 1e9).toPrecision(4) + " s";
    if (a >= 1e6) return +(ns / 1e6).toPrecision(4) + " ms";
    if (a >= 1e3) return +(ns / 1e3).toPrecision(4) + " µs";
    return +ns.toPrecision(4) + " ns";
  }

  function drawAxis() {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size.w, AXIS);
    ctx.fillStyle = MUTED;
    ctx.strokeStyle = "#d1d5db";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    ctx.fillText(panels.length < 2 ? "time from the start" : shared ? "time from each start" : "each its own time", 6, AXIS / 2);
    var step = niceStep(view.b - view.a, Math.max(2, plotWidth() / 110));
    ctx.beginPath();
    for (var u = Math.ceil(view.a / step) * step; u <= view.b; u += step) {
      var x = Math.round(xOf(u)) + 0.5;
      ctx.moveTo(x, AXIS - 5);
      ctx.lineTo(x, size.h);
      ctx.fillText(duration(u), x + 3, AXIS / 2);
    }
    ctx.moveTo(0, AXIS - 0.5);
    ctx.lineTo(size.w, AXIS - 0.5);
    ctx.stroke();
  }

  function draw() {
    var began = performance.now();
    var top = AXIS - scroller.scrollTop;
    ctx.setTransform(size.ratio, 0, 0, size.ratio, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, size.w, size.h);
    drawAxis();
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, AXIS, size.w, size.h - AXIS);
    ctx.clip();
    panels.forEach(function (p) {
      if (top + p.bottom < AXIS || top + p.y > size.h) return;
      var k = scaleOf(p);
      ctx.fillStyle = INK;
      ctx.font = "bold 12px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.fillText(p.title + "  (" + duration(p.wall) + ", " + p.n.toLocaleString("en") + " spans)",
        6, top + p.y + PANEL_HEAD / 2);
      if (p.regions.length) {
        drawRow(p, p.regions, k, top + p.bandY, REGION_BAND);
        flush();
      }
      ctx.font = "11px system-ui, sans-serif";
      p.lanes.forEach(function (lane, li) {
        var y = top + lane.y, h = lane.depths * ROW;
        if (y + h < AXIS || y > size.h) return;
        ctx.fillStyle = li % 2 ? "#f9fafb" : "#f3f4f6";
        ctx.fillRect(GUTTER, y, plotWidth(), h);
        for (var d = 0; d < lane.rows.length; d++) {
          if (y + (d + 1) * ROW < AXIS || y + d * ROW > size.h) continue;
          drawRow(p, lane.rows[d], k, y + d * ROW, ROW - 1);
        }
        flush();
        drawOffCpu(lane, k, y, h - 1);
        if (lane.instants.t.length) drawInstants(lane, k, y);
        ctx.fillStyle = "#ffffff";
        ctx.fillRect(0, y, GUTTER, h);
        ctx.fillStyle = INK;
        ctx.textBaseline = "middle";
        ctx.fillText(laneLabel(lane), 6, y + ROW / 2, GUTTER - 12);
      });
      p.counters.forEach(function (c, ci) {
        var y = top + p.counterY + ci * (COUNTER_ROW + LANE_GAP);
        if (y + COUNTER_ROW >= AXIS && y <= size.h) drawCounter(p, c, k, y);
      });
      drawMessages(p, k, top);
      if (selected && selected.p === p) {
        var s = selected.s, sy = top + spanY(p, s);
        var x0 = xOf(p.start[s] * k), x1 = xOf((p.start[s] + p.dur[s]) * k);
        ctx.strokeStyle = "#1d4ed8";
        ctx.lineWidth = 2;
        ctx.strokeRect(Math.max(GUTTER, x0) - 1, sy - 1, Math.max(2, Math.min(size.w, x1) - Math.max(GUTTER, x0)) + 2, ROW + 1);
      }
    });
    ctx.restore();
    report.draws++;
    report.drawMs = performance.now() - began;
  }

  function laneLabel(lane) {
    return (lane.process ? lane.process + " · " : "") + lane.name;
  }

  var pending = false;
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  }

  // ---- zoom and pan ------------------------------------------------------

  function set(a, b) {
    var w = Math.max(Math.min(MAX_ZOOM_NS, longest / 100), Math.min(longest, b - a));
    a = Math.max(0, Math.min(longest - w, a));
    view.a = a;
    view.b = a + w;
    redraw();
  }

  function zoomAt(x, factor) {
    var at = Math.min(1, Math.max(0, (x - GUTTER) / plotWidth()));
    var u = view.a + at * (view.b - view.a), w = (view.b - view.a) * factor;
    set(u - at * w, u - at * w + w);
  }

  function pan(fraction) {
    var w = view.b - view.a;
    set(view.a + fraction * w, view.b + fraction * w);
  }

  var pointerX = null;
  scroller.addEventListener("wheel", function (e) {
    if (e.shiftKey) {
      scroller.scrollTop += e.deltaY || e.deltaX;
      e.preventDefault();
      return;
    }
    e.preventDefault();
    var r = canvas.getBoundingClientRect();
    var dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    zoomAt(e.clientX - r.left, Math.exp(dy * 0.002));
  }, { passive: false });
  scroller.addEventListener("scroll", redraw);

  var drag = null;
  canvas.addEventListener("pointerdown", function (e) {
    drag = { x: e.clientX, a: view.a, b: view.b, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", function (e) {
    var r = canvas.getBoundingClientRect();
    pointerX = e.clientX - r.left;
    if (drag) {
      var dx = e.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      var shift = dx / plotWidth() * (drag.b - drag.a);
      set(drag.a - shift, drag.b - shift);
      tip.hidden = true;
      return;
    }
    var hit = hitTest(pointerX, e.clientY - r.top);
    var text = hit ? describe(hit.p, hit.s, false) : pointedAt(pointerX, e.clientY - r.top);
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    tip.style.left = e.pageX + 14 + "px";
    tip.style.top = e.pageY + 14 + "px";
    tip.hidden = false;
  });
  canvas.addEventListener("pointerup", function (e) {
    var wasDrag = drag && drag.moved;
    drag = null;
    if (wasDrag) return;
    var r = canvas.getBoundingClientRect();
    var hit = hitTest(e.clientX - r.left, e.clientY - r.top);
    select(hit ? hit.p : null, hit ? hit.s : null);
  });
  canvas.addEventListener("pointerleave", function () { tip.hidden = true; pointerX = null; });
  canvas.addEventListener("dblclick", function () { set(0, longest); });

  // The keys of Perfetto: W/S zoom (around the pointer), A/D pan; arrows
  // step from span to span once one is selected; 0 shows everything.
  scroller.addEventListener("keydown", function (e) {
    var key = e.key.toLowerCase(), x = pointerX === null ? GUTTER + plotWidth() / 2 : pointerX;
    if (key === "w" || key === "+") zoomAt(x, 0.8);
    else if (key === "s" || key === "-") zoomAt(x, 1.25);
    else if (key === "a") pan(-0.1);
    else if (key === "d") pan(0.1);
    else if (key === "0") set(0, longest);
    else if (key === "enter" || key === " ") selectFirstVisible();
    else if (key === "escape") select(null, null);
    else if (key.indexOf("arrow") === 0 && selected) step(key);
    else if (key === "arrowleft") pan(-0.1);
    else if (key === "arrowright") pan(0.1);
    else if (key === "arrowup") scroller.scrollTop -= ROW * 3;
    else if (key === "arrowdown") scroller.scrollTop += ROW * 3;
    else return;
    e.preventDefault();
  });

  if (axisButton) {
    axisButton.addEventListener("click", function () {
      shared = !shared;
      axisButton.setAttribute("aria-pressed", shared ? "true" : "false");
      axisButton.textContent = shared ? "one time axis for all (on)" : "one time axis for all (off: each its own)";
      redraw();
    });
  }
  var reset = document.getElementById("timeline-reset");
  if (reset) reset.addEventListener("click", function () { set(0, longest); });
  window.addEventListener("resize", resize);

  // ---- what is under the pointer, selection, figures ---------------------

  function hitTest(x, y) {
    if (x < GUTTER || y < AXIS) return null;
    var cy = y - AXIS + scroller.scrollTop, u = uOf(x), slack = 3 / plotWidth() * (view.b - view.a);
    for (var pi = 0; pi < panels.length; pi++) {
      var p = panels[pi], k = scaleOf(p), row = null;
      if (cy < p.y || cy >= p.bottom) continue;
      if (p.regions.length && cy >= p.bandY && cy < p.bandY + REGION_BAND) row = p.regions;
      for (var li = 0; !row && li < p.lanes.length; li++) {
        var lane = p.lanes[li];
        if (cy >= lane.y && cy < lane.y + lane.depths * ROW) row = lane.rows[Math.floor((cy - lane.y) / ROW)];
      }
      if (!row || !row.length) return null;
      var t = u / k, sl = slack / k, i = first(row, p.start, t + sl), best = null, gap = Infinity;
      for (var j = i - 1; j >= 0 && j >= i - 64; j--) {
        var s = row[j], d = Math.max(0, t - (p.start[s] + p.dur[s]));
        if (p.start[s] <= t && d === 0) return { p: p, s: s };
        if (d < gap && d <= sl) { gap = d; best = s; }
        if (d > sl && p.start[s] + p.dur[s] < t - sl) break;
      }
      if (i < row.length && p.start[row[i]] - t <= sl && best === null) best = row[i];
      return best === null ? null : { p: p, s: best };
    }
    return null;
  }

  // The instant tick or counter value under the pointer, as a tooltip.
  function pointedAt(x, y) {
    if (x < GUTTER || y < AXIS) return null;
    var cy = y - AXIS + scroller.scrollTop, u = uOf(x);
    for (var pi = 0; pi < panels.length; pi++) {
      var p = panels[pi], k = scaleOf(p), t = u / k, slack = 3 / plotWidth() * (view.b - view.a) / k;
      if (cy < p.y || cy >= p.bottom) continue;
      if (cy >= p.counterY) {
        var c = p.counters[Math.floor((cy - p.counterY) / (COUNTER_ROW + LANE_GAP))];
        var i = c ? lowerBound(c.t, t + 1e-9) - 1 : -1;
        if (i < 0) return null;
        return c.name + ": " + number(c.v[i]) + "\nat " + duration(c.t[i]) + " from the start of " + p.title +
          "\ncounter of pid " + c.pid;
      }
      for (var li = 0; li < p.lanes.length; li++) {
        var lane = p.lanes[li], it = lane.instants.t;
        if (cy < lane.y || cy >= lane.y + 6 || !it.length) continue;
        var j = lowerBound(it, t - slack);
        if (j < it.length && it[j] <= t + slack) {
          return names[lane.instants.name[j]] + " (instant)\nat " + duration(it[j]) + " from the start of " +
            p.title + "\nthread: " + laneLabel(lane);
        }
      }
      return null;
    }
    return null;
  }

  function describe(p, s, long) {
    var lane = laneOf(p, s), f = p.flags[s];
    var lines = [names[p.name[s]], "duration: " + duration(p.dur[s]),
      "start: " + duration(p.start[s]) + " from the start of " + p.title,
      "thread: " + laneLabel(lane) + ", depth " + p.depth[s]];
    if (p.values.has(s)) lines.push("value: " + p.values.get(s));
    if (p.results.has(s)) lines.push("result: " + p.results.get(s));
    if (f & FLAG_REGION) lines.push("a region");
    if (f & FLAG_WAIT) lines.push("waiting");
    if (f & FLAG_UNFINISHED) lines.push("unfinished: the trace ended before it did");
    if (f & FLAG_MPI) {
      p.messages.forEach(function (m) {
        if (m.send === s) lines.push("sent " + m.bytes + " bytes (tag " + m.tag + ") to " + laneLabel(laneOf(p, m.receive)));
        if (m.receive === s) lines.push("received " + m.bytes + " bytes (tag " + m.tag + ") from " + laneLabel(laneOf(p, m.send)));
      });
    }
    if (long) {
      var fig = figures(p, p.name[s]);
      lines.push("", "every " + names[p.name[s]] + " in " + p.title + ":",
        "count: " + fig.count.toLocaleString("en"), "total: " + duration(fig.total),
        "mean: " + duration(fig.total / fig.count), "max: " + duration(fig.max));
    }
    return lines.join("\n");
  }

  // The figures of one function in a panel, counted once and kept.
  function figures(p, id) {
    if (!p.figures.has(id)) {
      var count = 0, total = 0, max = 0;
      for (var s = 0; s < p.n; s++) {
        if (p.name[s] !== id) continue;
        count++;
        total += p.dur[s];
        if (p.dur[s] > max) max = p.dur[s];
      }
      p.figures.set(id, { count: count, total: total, max: max });
    }
    return p.figures.get(id);
  }

  function select(p, s) {
    selected = p === null || s === null ? null : { p: p, s: s };
    details.textContent = selected ? describe(p, s, true)
      : "Click a span (or press Enter on the timeline) to see it and its function's figures here.";
    redraw();
  }

  // The first span in view, lane by lane, row by row (for Enter).
  function selectFirstVisible() {
    for (var pi = 0; pi < panels.length; pi++) {
      var p = panels[pi], k = scaleOf(p), ta = view.a / k, tb = view.b / k;
      for (var li = 0; li < p.lanes.length; li++) {
        var rows = p.lanes[li].rows;
        for (var d = 0; d < rows.length; d++) {
          var row = rows[d], i = first(row, p.start, ta);
          if (i > 0 && p.start[row[i - 1]] + p.dur[row[i - 1]] >= ta) i--;
          if (i < row.length && p.start[row[i]] <= tb) { select(p, row[i]); return; }
        }
      }
    }
  }

  // Arrow keys on a selection: left/right along its row, up/down to the
  // nearest span in time of the row above or below; the view follows.
  function step(key) {
    var p = selected.p, s = selected.s, lane = laneOf(p, s), row = lane.rows[p.depth[s]];
    var at = first(row, p.start, p.start[s]);
    while (row[at] !== s && at < row.length) at++;
    var next = null;
    if (key === "arrowleft" && at > 0) next = row[at - 1];
    else if (key === "arrowright" && at + 1 < row.length) next = row[at + 1];
    else if (key === "arrowup" || key === "arrowdown") {
      var rows = [];
      p.lanes.forEach(function (l) { l.rows.forEach(function (r) { rows.push(r); }); });
      var ri = rows.indexOf(row) + (key === "arrowup" ? -1 : 1);
      for (; ri >= 0 && ri < rows.length && !rows[ri].length; ri += key === "arrowup" ? -1 : 1);
      if (ri >= 0 && ri < rows.length) {
        var other = rows[ri], j = Math.min(other.length - 1, first(other, p.start, p.start[s]));
        next = other[j];
      }
    }
    if (next === null) return;
    select(p, next);
    var k = scaleOf(p), u = p.start[next] * k, w = view.b - view.a;
    if (u < view.a || u > view.b) set(u - w / 2, u + w / 2);
    var y = spanY(p, next);
    if (y < scroller.scrollTop || y > scroller.scrollTop + size.h - AXIS - ROW) {
      scroller.scrollTop = y - (size.h - AXIS) / 2;
    }
  }

  // ---- for tests and the console ------------------------------------------

  report.spans = panels.reduce(function (sum, p) { return sum + p.n; }, 0);
  report.lanes = panels.reduce(function (sum, p) { return sum + p.lanes.length; }, 0);
  report.instants = panels.reduce(function (sum, p) {
    return sum + p.lanes.reduce(function (n, lane) { return n + lane.instants.t.length; }, 0);
  }, 0);
  report.counters = panels.reduce(function (sum, p) { return sum + p.counters.length; }, 0);
  // Where each counter's row is drawn now, in CSS pixels from the canvas's
  // top left: its name, and a point inside it at the right of the plot.
  report.counterRows = function () {
    var rows = [];
    panels.forEach(function (p) {
      p.counters.forEach(function (c, ci) {
        var y = AXIS - scroller.scrollTop + p.counterY + ci * (COUNTER_ROW + LANE_GAP);
        rows.push({ name: c.name, x: size.w - 4, y: y + COUNTER_ROW / 2 });
      });
    });
    return rows;
  };
  report.panels = panels.map(function (p) { return { title: p.title, spans: p.n, lanes: p.lanes.length }; });
  report.view = function () { return { start_ns: view.a, end_ns: view.b }; };
  report.shared = function () { return shared; };
  resize();
  report.loadMs = performance.now() - t0;
  // Since the page began to load: parsing, decoding and the first frame.
  report.readyAt = performance.now();
})();
