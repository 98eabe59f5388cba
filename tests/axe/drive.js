// Test tooling only (tests/test_report_browser.py): opens a report in Debian's chromium, headless,
// runs axe-core over it, then uses it as a keyboard user would, and prints what it saw as JSON.
//
//   node drive.js CHROMIUM REPORT.html PROFILE_DIR
//
// What it does, in order (each observation is in the JSON, so that the Python test asserts it):
//   1. axe-core's violations on the page as loaded, and again with the collapsed section open;
//   2. presses Tab from the top of the page until focus reaches the filter box, and then every
//      sort button of the practice table, recording what each press focused;
//   3. on the "Difference" sort button: presses Enter, then Space, reading the heading's
//      aria-sort and the column's values in row order after each;
//   4. types a practice's name into the filter box and reads which rows are shown and the status line.
"use strict";
const fs = require("fs");
const puppeteer = require("puppeteer-core");

async function main() {
  const [chromium, report, profile] = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
           "--disable-component-update", "--disable-sync"],
  });
  const out = {};
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto("file://" + report, { waitUntil: "load" });
    await page.addScriptTag({ content: fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") });
    const axe = () => page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
    });
    out.axe = await axe();
    out.height = await page.evaluate(() => document.documentElement.scrollHeight);
    out.has_outside = await page.evaluate(() => Boolean(document.getElementById("outside")));
    if (out.has_outside) {
      await page.evaluate(() => { document.getElementById("outside").open = true; });
      out.axe_open = await axe();
      await page.evaluate(() => { document.getElementById("outside").open = false; });
    }

    // 2. Tab from the top until every sort button has had focus (at most 200 presses).
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      const th = el && el.closest("th");
      return { tag: el ? el.tagName.toLowerCase() : null, id: el ? el.id : null,
               text: el ? (el.textContent || "").trim().slice(0, 40) : null,
               key: th ? th.getAttribute("data-key") : null,
               table: el && el.closest("table") ? el.closest("table").id : null };
    });
    const keys = await page.evaluate(() =>
      Array.from(document.querySelectorAll("#practices thead th")).map((th) => th.getAttribute("data-key")));
    out.sort_keys = keys;
    out.tabs = [];
    const reached = new Set();
    for (let i = 0; i < 200 && reached.size < keys.length; i += 1) {
      await page.keyboard.press("Tab");
      const f = await focused();
      out.tabs.push(f);
      if (f.table === "practices" && f.tag === "button") { reached.add(f.key); }
    }

    // 3. Enter and Space on the Difference button (focused by Tab-ing back to it).
    const column = keys.indexOf("difference");
    const state = () => page.evaluate((index) => {
      const th = document.querySelectorAll("#practices thead th")[index];
      const rows = Array.from(document.querySelectorAll("#practices tbody tr"));
      return { aria_sort: th.getAttribute("aria-sort"),
               others: Array.from(document.querySelectorAll("#practices thead th"))
                 .filter((h) => h !== th && h.hasAttribute("aria-sort")).length,
               values: rows.map((r) => r.cells[index].getAttribute("data-value")),
               codes: rows.map((r) => r.getAttribute("data-practice")) };
    }, column);
    out.before = await state();
    let f = await focused();
    for (let i = 0; i < 40 && !(f.tag === "button" && f.key === "difference"); i += 1) {
      await page.keyboard.down("Shift"); await page.keyboard.press("Tab"); await page.keyboard.up("Shift");
      f = await focused();
    }
    out.difference_focused = f.key === "difference";
    await page.keyboard.press("Enter");
    out.after_enter = await state();
    await page.keyboard.press("Space");
    out.after_space = await state();

    // 4. The filter: focus it by keyboard (Shift+Tab back from the table) and type.
    for (let i = 0; i < 60 && !(f.id === "filter"); i += 1) {
      await page.keyboard.down("Shift"); await page.keyboard.press("Tab"); await page.keyboard.up("Shift");
      f = await focused();
    }
    out.filter_focused = f.id === "filter";
    const query = await page.evaluate(() => {
      const row = document.querySelector("#practices tbody tr:nth-child(3)");
      return row.cells[1].getAttribute("data-value");
    });
    out.query = query;
    await page.keyboard.type(query.toLowerCase());
    out.filtered = await page.evaluate(() => ({
      shown: Array.from(document.querySelectorAll("#practices tbody tr")).filter((r) => !r.hidden)
        .map((r) => r.getAttribute("data-practice")),
      search: Object.fromEntries(Array.from(document.querySelectorAll("#practices tbody tr"))
        .map((r) => [r.getAttribute("data-practice"), r.getAttribute("data-search")])),
      status: document.getElementById("shown").textContent,
      role: document.getElementById("shown").getAttribute("role") }));
    out.landmarks = await page.evaluate(() => ({
      main: document.querySelectorAll("main").length,
      outside_main: Array.from(document.body.children).filter((el) =>
        !["MAIN", "HEADER", "FOOTER", "SCRIPT"].includes(el.tagName)).map((el) => el.tagName) }));
    out.errors = errors;
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + "\n"); process.exit(1); });
