// Opens report.html pages in headless Chromium (Debian's, driven by
// playwright-core, which downloads nothing) and checks each: no console
// error, no request but to the page's own file or a data: URL, the
// timeline's span count equal to the traces', a wheel over the timeline
// narrowing its view, the keyboard reaching a span and its function's
// figures, the axis toggle of a page of several traces, and a screenshot
// that is not one colour.
//
// Usage: node check.mjs PLAYWRIGHT_DIR KIND=PAGE=SPANS[=INSTANTS=COUNTERS]...
// (PLAYWRIGHT_DIR: the npm prefix playwright-core was installed into;
// SPANS: the spans of the traces on the page, 0 for a page without any;
// INSTANTS and COUNTERS, where given: the instant events and counter
// tracks the timeline must show, each counter's tooltip naming it).
import { createRequire } from "node:module";
import path from "node:path";

const [pwDir, ...specs] = process.argv.slice(2);
const { chromium } = createRequire(path.join(pwDir, "package.json"))("playwright-core");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
let failed = 0;
try {
  for (const spec of specs) {
    const [kind, file, spans, instants, counters] = spec.split("=");
    const extras = instants === undefined ? null
      : { instants: Number(instants), counters: Number(counters) };
    // A page that hangs or fails to load is a failure of its own, not the
    // end of the check.
    const problems = await check(file, Number(spans), extras)
      .catch((e) => [String(e.message || e)]);
    if (problems.length) {
      failed++;
      console.error(`browser: ${kind} (${file}): ${problems.join("; ")}`);
    } else {
      console.log(`browser: ${kind}: ok (${spans} spans)`);
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

async function check(file, spans, extras) {
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const url = "file://" + path.resolve(file);
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  // Every request goes through here: the page itself and data: URLs pass,
  // anything else is a request the page must not make.
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url || u.startsWith("data:")) return route.continue();
    problems.push(`request to ${u}`);
    return route.abort();
  });
  await page.goto(url, { waitUntil: "load", timeout: 60000 });
  const shown = await page.evaluate(() => window.logprofReport && window.logprofReport.spans);
  if (shown !== spans) problems.push(`the timeline shows ${shown} spans, the traces hold ${spans}`);
  const canvas = page.locator("#timeline-canvas");
  if (extras) {
    const got = await page.evaluate(() => [window.logprofReport.instants, window.logprofReport.counters]);
    if (got[0] !== extras.instants || got[1] !== extras.counters) {
      problems.push(`the timeline shows ${got[0]} instants and ${got[1]} counters, ` +
        `the trace holds ${extras.instants} and ${extras.counters}`);
    }
    // Over each counter's row, the tooltip names it and gives a value.
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    for (const row of await page.evaluate(() => window.logprofReport.counterRows())) {
      await page.mouse.move(box.x + row.x, box.y + row.y);
      const tip = await page.locator("#tip").textContent();
      if (!tip.startsWith(row.name + ": ")) problems.push(`over counter ${row.name} the tooltip says ${tip}`);
    }
  }
  if (spans > 0) {
    // From the keyboard: Tab reaches the timeline, Enter selects a span and
    // lists its function's figures.
    await page.focus("#timeline-scroll");
    await page.keyboard.press("Enter");
    const details = await page.locator("#timeline-details").textContent();
    if (!/count: [0-9]/.test(details)) problems.push(`Enter selected no span: ${details}`);
    const toggle = page.locator("#timeline-axis");
    if (await toggle.count()) {
      await toggle.click();
      if (await page.evaluate(() => window.logprofReport.shared())) {
        problems.push("the axis toggle left one axis for all");
      }
    }
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    const before = await page.evaluate(() => window.logprofReport.view());
    await page.mouse.move(box.x + box.width * 0.6, box.y + Math.min(60, box.height / 2));
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(
      (b) => window.logprofReport.view().end_ns - window.logprofReport.view().start_ns
        < b.end_ns - b.start_ns,
      before,
      { timeout: 5000 },
    ).catch(() => problems.push("a wheel over the timeline did not narrow its view"));
  }
  const shot = spans > 0 ? await canvas.screenshot() : await page.screenshot();
  // The screenshot's colours, counted by the page itself from a data: URL.
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < px.length && seen.size < 64; i += 4) {
      seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    }
    return seen.size;
  }, shot.toString("base64"));
  if (colours < (spans > 0 ? 8 : 2)) problems.push(`the screenshot has ${colours} colours: blank`);
  await context.close();
  return problems;
}
