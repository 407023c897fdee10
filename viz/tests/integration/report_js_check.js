// Runs the report page's script against a stand-in for the browser's DOM
// (one timeline SVG, 1400 × 500) and checks that the wheel zooms around the
// pointer, the keys pan, and a double-click shows everything again. Used by
// html.rs where Node.js is installed: a check of the logic, not of drawing.
"use strict";
const fs = require("fs");
const assert = require("assert");

const listeners = {};
const attrs = {};
const text = {
  x: { baseVal: { numberOfItems: 1, getItem: () => ({ value: 100 }) } },
  transform: null,
  setAttribute(name, value) { if (name === "transform") this.transform = value; },
  removeAttribute() { this.transform = null; },
};
const svg = {
  viewBox: { baseVal: { x: 0, y: 0, width: 1400, height: 500 } },
  setAttribute(name, value) { attrs[name] = value; },
  querySelectorAll: () => [text],
  addEventListener(type, fn) { listeners[type] = fn; },
  getBoundingClientRect: () => ({ left: 0, width: 1400 }),
  setPointerCapture() {},
};
const document = {
  querySelectorAll: (selector) => (selector === "svg.zoomable" ? [svg] : []),
  getElementById: () => null,
  addEventListener() {},
};
const window = {};
new Function("window", "document", fs.readFileSync(process.argv[2], "utf8"))(window, document);

const view = () => window.logprofReport.pictures()[0];
const event = (more) => Object.assign({ preventDefault() {} }, more);

assert.deepStrictEqual(view(), { x: 0, width: 1400, full_width: 1400 });
// A wheel up at x = 350 narrows the view and keeps x = 350 under the pointer.
listeners.wheel(event({ clientX: 350, deltaY: -500 }));
let v = view();
assert.ok(v.width < 1400, "the wheel zooms in");
assert.ok(Math.abs(v.x + 0.25 * v.width - 350) < 1e-6, "around the pointer");
assert.strictEqual(attrs.viewBox, [v.x, 0, v.width, 500].join(" "));
assert.ok(text.transform && text.transform.includes("scale("), "text keeps its shape");
// D pans right, A back; the view never leaves the picture.
listeners.keydown(event({ key: "d" }));
assert.ok(view().x > v.x, "D pans right");
for (let i = 0; i < 100; i++) listeners.keydown(event({ key: "a" }));
assert.strictEqual(view().x, 0, "stops at the left edge");
// Dragging to the left moves the view right.
listeners.pointerdown(event({ clientX: 700, pointerId: 1 }));
listeners.pointermove(event({ clientX: 600 }));
listeners.pointerup(event({}));
assert.ok(view().x > 0, "dragging pans");
listeners.dblclick(event({}));
assert.deepStrictEqual(view(), { x: 0, width: 1400, full_width: 1400 });
assert.strictEqual(text.transform, null);
console.log("report.js: zoom, pan and reset ok");
