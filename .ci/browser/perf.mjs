// Measures a report.html in headless Chromium (Debian's, driven by
// playwright-core): the time until its timeline is drawn, the bytes of
// timeline data a span, and the frames a second while the timeline is
// zoomed and panned, one wheel or key event a frame, for SECONDS.
//
// Usage: node perf.mjs PLAYWRIGHT_DIR PAGE [SECONDS]
// (PLAYWRIGHT_DIR: the npm prefix playwright-core was installed into.)
// BENCHMARKS.md gives the figures and how the page was made.
import { createRequire } from "node:module";
import path from "node:path";

const [pwDir, file, seconds = "6"] = process.argv.slice(2);
const { chromium } = createRequire(path.join(pwDir, "package.json"))("playwright-core");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on("pageerror", (e) => console.error("script error:", e.message));
const began = Date.now();
await page.goto("file://" + path.resolve(file), { waitUntil: "load", timeout: 120000 });
await page.waitForFunction(() => window.logprofReport && window.logprofReport.readyAt, null, {
  timeout: 120000,
});
const wall = Date.now() - began;
const load = await page.evaluate(() => ({
  readyAt: window.logprofReport.readyAt,
  script: window.logprofReport.loadMs,
  firstDraw: window.logprofReport.drawMs,
  spans: window.logprofReport.spans,
  dataBytes: document.getElementById("logprof-timeline-data").textContent.length,
}));
await page.locator("#timeline-canvas").scrollIntoViewIfNeeded();

// One input a frame, in rounds of 30 frames: zoom in around a moving
// pointer, pan right with D, zoom out, pan left with A.
const run = await page.evaluate((secs) => new Promise((resolve) => {
  const report = window.logprofReport;
  const scroller = document.getElementById("timeline-scroll");
  const r = document.getElementById("timeline-canvas").getBoundingClientRect();
  const draws = [];
  let frames = 0, step = 0, narrowest = Infinity;
  const t0 = performance.now();
  function input() {
    const phase = Math.floor(step / 30) % 4;
    const x = r.left + 200 + ((step * 37) % Math.max(1, r.width - 220));
    step++;
    if (phase === 0 || phase === 2) {
      scroller.dispatchEvent(new WheelEvent("wheel", {
        deltaY: phase === 0 ? -120 : 120, clientX: x, clientY: r.top + 80,
        bubbles: true, cancelable: true,
      }));
    } else {
      scroller.dispatchEvent(new KeyboardEvent("keydown", {
        key: phase === 1 ? "d" : "a", bubbles: true, cancelable: true,
      }));
    }
  }
  let lastDraws = report.draws;
  function frame(now) {
    frames++;
    if (report.draws !== lastDraws) { draws.push(report.drawMs); lastDraws = report.draws; }
    const v = report.view();
    narrowest = Math.min(narrowest, v.end_ns - v.start_ns);
    if (now - t0 >= secs * 1000) {
      draws.sort((a, b) => a - b);
      const at = (q) => draws[Math.min(draws.length - 1, Math.floor(q * draws.length))];
      resolve({
        fps: frames / ((now - t0) / 1000), frames, draws: draws.length,
        drawMedian: at(0.5), drawP95: at(0.95), drawMax: draws[draws.length - 1],
        narrowestNs: narrowest,
      });
      return;
    }
    input();
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}), Number(seconds));
await browser.close();

const f = (x) => x.toFixed(1);
console.log(`page: ${file}`);
console.log(`spans: ${load.spans}; timeline data ${f(load.dataBytes / 1e6)} MB, ` +
  `${(load.dataBytes / load.spans).toFixed(2)} bytes a span`);
console.log(`load: drawn ${f(load.readyAt)} ms after navigation began ` +
  `(script ${f(load.script)} ms, of which the first frame ${f(load.firstDraw)} ms); ` +
  `${wall} ms from goto to drawn, seen from outside`);
console.log(`zoom and pan: ${f(run.fps)} frames a second over ${run.frames} frames; ` +
  `draw median ${f(run.drawMedian)} ms, p95 ${f(run.drawP95)} ms, max ${f(run.drawMax)} ms ` +
  `(${run.draws} draws); narrowest view ${f(run.narrowestNs)} ns`);
