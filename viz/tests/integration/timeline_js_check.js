// Runs the page's timeline script (timeline.js) against a stand-in for the
// browser (a canvas that counts what is drawn, elements that keep their
// listeners), with the data of a real page, and checks: the span count, the
// level of detail (a frame fills about a rectangle a pixel column a row,
// not one a span), the wheel zooming around the pointer, the keys, that
// every frame of a zoom in and out ends, and that Enter selects a span and
// lists its function's figures. Used by html.rs where Node.js is installed:
// a check of the logic, not of the pixels (.ci/browser-check.sh drives a
// real browser).
//
// Usage: node timeline_js_check.js timeline.js DATA.json SPANS ROWS
"use strict";
const fs = require("fs");
const assert = require("assert");

const [script, dataFile, spans, rows] = process.argv.slice(2);
const WIDTH = 1280, GUTTER = 170;

let fills = 0;
function context() {
  const noop = () => {};
  return new Proxy({
    fillRect() { fills++; },
    measureText: (text) => ({ width: text.length * 6 }),
    createPattern: () => ({}),
  }, { get: (target, key) => (key in target ? target[key] : noop), set: () => true });
}
function element(more) {
  const listeners = {};
  return Object.assign({
    listeners, style: {}, textContent: "",
    addEventListener(type, fn) { listeners[type] = fn; },
    setAttribute() {}, setPointerCapture() {},
    getBoundingClientRect: () => ({ left: 0, top: 0, width: WIDTH, height: 600 }),
  }, more);
}
const elements = {
  "logprof-timeline-data": element({ textContent: fs.readFileSync(dataFile, "utf8") }),
  "timeline-scroll": element({ clientWidth: WIDTH, scrollTop: 0 }),
  "timeline-canvas": element({ getContext: context }),
  "timeline-spacer": element(),
  "timeline-details": element(),
  tip: element({ hidden: true }),
};
const document = {
  getElementById: (id) => elements[id] || null,
  createElement: () => ({ getContext: context }),
};
const frames = [];
const window = { innerHeight: 900, devicePixelRatio: 1, addEventListener() {} };
new Function("window", "document", "requestAnimationFrame", fs.readFileSync(script, "utf8"))(
  window, document, (fn) => frames.push(fn));
const report = window.logprofReport;
function frame() {
  fills = 0;
  while (frames.length) frames.shift()(0);
  return fills;
}
const event = (more) => Object.assign({ preventDefault() {}, clientY: 100 }, more);
const scroller = elements["timeline-scroll"].listeners;

assert.strictEqual(report.spans, Number(spans), "the span count");
assert.strictEqual(report.draws, 1, "drawn once on load");
// Level of detail: the first frame, of everything, filled at most about one
// rectangle a pixel column of each row (and the lanes' backgrounds).
elements["timeline-scroll"].scrollTop = 0;
scroller.keydown(event({ key: "0" }));
const full = frame();
const bound = (Number(rows) + 2) * (WIDTH - GUTTER) + 200;
assert.ok(full <= bound && full < report.spans, `${full} fills for ${report.spans} spans`);

// A wheel up at x = 460 narrows the view and keeps the time under the pointer.
const before = report.view();
const at = (460 - GUTTER) / (WIDTH - GUTTER);
const under = before.start_ns + at * (before.end_ns - before.start_ns);
scroller.wheel(event({ clientX: 460, deltaY: -500 }));
frame();
let v = report.view();
assert.ok(v.end_ns - v.start_ns < before.end_ns - before.start_ns, "the wheel zooms in");
assert.ok(Math.abs(v.start_ns + at * (v.end_ns - v.start_ns) - under) < 1e-6 * under + 1e-6,
  "around the pointer");
// D pans right, A back to the start and no further.
scroller.keydown(event({ key: "d" }));
assert.ok(report.view().start_ns > v.start_ns, "D pans right");
for (let i = 0; i < 100; i++) scroller.keydown(event({ key: "a" }));
assert.strictEqual(report.view().start_ns, 0, "stops at the start");
// Zoom all the way in and out around many points: every frame ends.
for (let i = 0; i < 120; i++) {
  scroller.wheel(event({ clientX: GUTTER + ((i * 97) % (WIDTH - GUTTER)), deltaY: i < 60 ? -240 : 240 }));
  frame();
}
// The keyboard reaches the spans: Enter selects one and lists its figures,
// the arrows step along its row.
scroller.keydown(event({ key: "0" }));
scroller.keydown(event({ key: "Enter" }));
const details = elements["timeline-details"].textContent;
assert.ok(/count: [0-9]/.test(details) && /mean: /.test(details), details);
scroller.keydown(event({ key: "ArrowRight" }));
assert.notStrictEqual(elements["timeline-details"].textContent, details, "→ selects the next span");
frame();
console.log(`ok: ${report.spans} spans, ${full} fills for the whole view`);
