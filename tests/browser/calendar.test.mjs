// The calendar page in a real browser: adding, moving and changing the end of entries with the
// mouse and with the keyboard alone (each checked against the server's times through the API),
// a stale If-Match shown with the block put back, axe in light and dark, the phone's width,
// and screenshots at phone and desktop sizes.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SCREENSHOTS, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const shoot = process.env.BROWSER_SCREENSHOTS !== "0";
const PX_PER_MINUTE = 40 / 60;
// Europe/Berlin is UTC+1 in November: the week of Mon 23 – Sun 29 Nov 2026
const WEEK = "date=2026-11-24&view=week";
const FROM = "2026-11-22T00:00:00Z";
const TO = "2026-11-30T00:00:00Z";

let server;
let browser;
let context;
let page;
let home; // "/o/<org id>"
let org;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  // tall enough for the whole day to be in view: the mouse works in the viewport's points
  context = await newContext(browser, server.base, { viewport: { width: 1280, height: 1600 } });
  page = await context.newPage();
  await setUp(page);
  home = new URL(page.url()).pathname;
  org = home.slice(3);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(method, path, body, headers = {}) {
  const csrf = await page.locator("input[name=_csrf]").first().inputValue();
  const response = await page.request.fetch(`/api/v1/organizations/${org}${path}`, {
    method,
    headers: { "X-CSRF-Token": csrf, ...headers },
    data: body,
  });
  return { status: response.status(), body: await response.json().catch(() => null), etag: response.headers().etag };
}

async function entries() {
  const { status, body } = await api("GET", `/time-entries?from=${FROM}&to=${TO}&limit=200`);
  assert.equal(status, 200);
  return body.items;
}

async function entry(id) {
  const { status, body } = await api("GET", `/time-entries/${id}`);
  assert.equal(status, 200);
  return body;
}

async function addEntry(description, start, end, projectId) {
  const { status, body } = await api("POST", "/time-entries", { description, start, end, project_id: projectId });
  assert.equal(status, 201, JSON.stringify(body));
  return body;
}

const block = (id) => page.locator(`.cal-block[data-id="${id}"]`);
const column = (day) => page.locator(`svg.cal-col[data-day="${day}"]`);
const status = () => page.locator("#cal-status");

/// The viewport point at `minute` of a day's column, `dx` pixels in from its left edge.
async function point(day, minute, dx = 20) {
  const box = await column(day).boundingBox();
  return { x: box.x + dx, y: box.y + minute * PX_PER_MINUTE };
}

async function drag(from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  // in steps, as a hand does: the script follows each move
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
}

/// Types a time into the focused time field with keys only: hours, minutes and (where the
/// browser shows a 12-hour clock) "A" for AM, then Tab through its parts to the next field.
async function typeTime(digits) {
  const field = await page.evaluate(() => document.activeElement.id);
  await page.keyboard.type(digits + "A");
  for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement.id)) === field; i++) {
    await page.keyboard.press("Tab");
  }
}

async function openCalendar() {
  await page.goto(`${home}/calendar?${WEEK}`);
  await page.locator("[data-calendar]").waitFor();
}

async function axe() {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
}

test("the mouse adds, changes the end of and moves entries, each saved through the API", async () => {
  const project = await api("POST", "/projects", { name: "Website" });
  assert.equal(project.status, 201);
  const review = await addEntry("Design review", "2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", project.body.id);
  await openCalendar();
  assert.equal(await block(review.id).locator("rect.cal-fill").getAttribute("fill"), project.body.color);

  // add: from 13:00 down to 14:30 on Wednesday
  await drag(await point("2026-11-25", 13 * 60 + 3), await point("2026-11-25", 14 * 60 + 30 + 2));
  await status().filter({ hasText: "Added an entry on Wed 25 Nov 13:00–14:30" }).waitFor();
  const added = (await entries()).find((e) => e.id !== review.id);
  assert.equal(added.start, "2026-11-25T12:00:00Z");
  assert.equal(added.end, "2026-11-25T13:30:00Z");
  // the new block has the focus, for Enter to edit it
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), added.id);

  // change the end: its bottom edge from 10:00 down to 11:00
  await drag(await point("2026-11-24", 10 * 60 - 4 * 1.5), await point("2026-11-24", 11 * 60 - 4 * 1.5));
  await status().filter({ hasText: "Changed “Design review” to Tue 24 Nov 09:00–11:00." }).waitFor();
  let saved = await entry(review.id);
  assert.equal(saved.start, "2026-11-24T08:00:00Z");
  assert.equal(saved.end, "2026-11-24T10:00:00Z");

  // move: grab it at 09:30 on Tuesday, drop at 10:00 on Thursday
  await drag(await point("2026-11-24", 9 * 60 + 30), await point("2026-11-26", 10 * 60));
  await status().filter({ hasText: "Moved “Design review” to Thu 26 Nov 09:30–11:30." }).waitFor();
  saved = await entry(review.id);
  assert.equal(saved.start, "2026-11-26T08:30:00Z");
  assert.equal(saved.end, "2026-11-26T10:30:00Z");
  assert.equal(await column("2026-11-26").locator(`[data-id="${review.id}"]`).count(), 1);

  // a plain click on a block still opens its edit page
  await block(review.id).click();
  await page.waitForURL(new RegExp(`/entries/${review.id}/edit$`));
  assert.deepEqual(unexpectedProblems(context), []);
});

test("the keyboard alone adds, moves and changes the end of an entry", async () => {
  await openCalendar();
  // add: the day's "Add" link, then the form below the calendar
  await page.getByRole("link", { name: "Add an entry on Fri 27 Nov 2026" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/add=2026-11-27$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), "cal-add-start");
  assert.equal(await page.locator("#cal-add-date").inputValue(), "2026-11-27");
  await typeTime("0800");
  await typeTime("0900");
  await page.keyboard.type("Reading");
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/calendar\\?${WEEK}$`));
  const reading = (await entries()).find((e) => e.description === "Reading");
  assert.equal(reading.start, "2026-11-27T07:00:00Z");
  assert.equal(reading.end, "2026-11-27T08:00:00Z");

  // move and change it with the arrows, each key one saved change
  await block(reading.id).focus();
  await page.keyboard.press("ArrowDown");
  await status().filter({ hasText: "Moved “Reading” to Fri 27 Nov 08:15–09:15." }).waitFor();
  await page.keyboard.press("Shift+ArrowDown");
  await status().filter({ hasText: "Changed “Reading” to Fri 27 Nov 08:15–09:30." }).waitFor();
  await page.keyboard.press("ArrowLeft");
  await status().filter({ hasText: "Moved “Reading” to Thu 26 Nov 08:15–09:30." }).waitFor();
  await page.keyboard.press("Shift+ArrowUp");
  await status().filter({ hasText: "Changed “Reading” to Thu 26 Nov 08:15–09:15." }).waitFor();
  const saved = await entry(reading.id);
  assert.equal(saved.start, "2026-11-26T07:15:00Z");
  assert.equal(saved.end, "2026-11-26T08:15:00Z");
  // the focus stayed on the block, and its name says where it is now
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), reading.id);
  assert.match(await block(reading.id).getAttribute("aria-label"), /^Reading 08:15–09:15, Thu 26 Nov\. Edit$/);

  // Enter opens its edit page
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/entries/${reading.id}/edit$`));
  assert.deepEqual(unexpectedProblems(context), []);
});

test("a change made elsewhere in between is shown, and the block goes back", async () => {
  const lunch = await addEntry("Lunch talk", "2026-11-23T11:00:00Z", "2026-11-23T12:00:00Z");
  await openCalendar();
  const y = await block(lunch.id).locator("svg.cal-box").getAttribute("y");
  // someone else renames it: the page's version is now stale
  const renamed = await api("PATCH", `/time-entries/${lunch.id}`, { description: "Lunch talk (moved room)" }, { "If-Match": `"${lunch.version}"` });
  assert.equal(renamed.status, 200);

  await drag(await point("2026-11-23", 12 * 60 + 30), await point("2026-11-23", 15 * 60 + 30));
  await status().filter({ hasText: "This entry was changed by someone else" }).waitFor();
  assert.match(await status().getAttribute("class"), /problem/);
  assert.equal(await block(lunch.id).locator("svg.cal-box").getAttribute("y"), y);
  const saved = await entry(lunch.id);
  assert.equal(saved.start, "2026-11-23T11:00:00Z");
  assert.equal(saved.end, "2026-11-23T12:00:00Z");
  assert.equal(saved.description, "Lunch talk (moved room)");

  // the page now holds the current version: the same move goes through
  await block(lunch.id).focus();
  await page.keyboard.press("ArrowDown");
  await status().filter({ hasText: "Moved “Lunch talk” to Mon 23 Nov 12:15–13:15." }).waitFor();
  assert.equal((await entry(lunch.id)).start, "2026-11-23T11:15:00Z");

  // the end key steps a quarter hour at a time and stops short of the start
  await page.keyboard.press("Shift+ArrowUp");
  await status().filter({ hasText: "Changed “Lunch talk” to Mon 23 Nov 12:15–13:00." }).waitFor();
  await page.keyboard.press("Shift+ArrowUp");
  await status().filter({ hasText: "Changed “Lunch talk” to Mon 23 Nov 12:15–12:45." }).waitFor();
  await page.keyboard.press("Shift+ArrowUp");
  await status().filter({ hasText: "Changed “Lunch talk” to Mon 23 Nov 12:15–12:30." }).waitFor();
  await page.keyboard.press("Shift+ArrowUp");
  await status().filter({ hasText: "An entry needs a length: it cannot end at or before its start." }).waitFor();
  const last = await entry(lunch.id);
  assert.equal(last.start, "2026-11-23T11:15:00Z");
  assert.equal(last.end, "2026-11-23T11:30:00Z");
});

test("the calendar passes axe in light and dark, fits a phone, and is photographed", async () => {
  const findings = [];
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of [[1280, 800], [390, 844]]) {
      await page.setViewportSize({ width, height });
      for (const view of ["week", "day"]) {
        await page.goto(`${home}/calendar?date=2026-11-26&view=${view}`);
        for (const v of await axe()) findings.push(`${view} ${width} [${scheme}]: ${v}`);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(wide <= 0, `the ${view} view is ${wide}px wider than ${width}px`);
        if (width === 390 && view === "week") {
          // the days scroll inside their own box, with the hint saying so
          assert.ok(await page.locator("#calendar-scroll-hint").isVisible());
        }
        if (shoot && view === "week") {
          await page.screenshot({ path: join(SCREENSHOTS, `calendar-${width}x${height}-${scheme}.png`), fullPage: true });
        }
      }
    }
  }
  assert.deepEqual(findings, []);
  assert.deepEqual(unexpectedProblems(context), []);
});
