// What a newcomer hit in a real browser, checked the way the browser does it: exports
// downloaded through the download event (the browser sends Accept-Encoding), an entry edited
// without touching its times, Enter in a filter box, a Stop pressed in a stale tab, the week
// grid with a typo, a new row and live totals, long words and a phone-sized window.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PASSWORD, newContext, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

let server;
let browser;
let owner;
let home; // "/o/<org id>"
let org; // the organization's id
const downloads = mkdtempSync(join(tmpdir(), "gogotime-downloads-"));

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  owner = await newContext(browser, server.base, { acceptDownloads: true });
  const page = await owner.newPage();
  await page.goto("/");
  await page.getByLabel("Your name").fill("Grace Hopper");
  await page.getByLabel("Email").fill("grace@example.org");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill("Compilers");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Create account and organization" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  home = new URL(page.url()).pathname;
  org = home.slice(3);
  await page.goto(`${home}/projects`);
  await page.locator("#new-name").fill("Website");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByText("Website").first().waitFor();
  await page.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(downloads, { recursive: true, force: true });
});

async function expectNoProblems(context) {
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
}

/// Adds a finished entry through the Entries page's form.
async function addEntry(page, { description, date, start, end, endDate = "" }) {
  await page.goto(`${home}/entries`);
  const form = page.locator("#add-entry");
  await form.getByLabel("Description").fill(description);
  await form.getByLabel("Date", { exact: true }).fill(date);
  await form.getByLabel("Start").fill(start);
  await form.getByLabel("End", { exact: true }).fill(end);
  if (endDate) await form.getByLabel(/^End date/).fill(endDate);
  await form.locator("#new-project").selectOption({ label: "Website" });
  await form.getByRole("button", { name: "Add entry" }).click();
  await page.getByText(/Entry added/).waitFor();
}

/// The signed-in person's entries through the API (the session cookie authenticates GETs).
async function entriesOn(page, from, to) {
  const response = await page.request.get(`/api/v1/organizations/${org}/time-entries?from=${from}&to=${to}&limit=200`);
  assert.equal(response.status(), 200);
  return (await response.json()).items;
}

test("every export downloads whole, as the browser asks for it (compressed)", async () => {
  const page = await owner.newPage();
  await addEntry(page, { description: "Invoice me, please", date: "2026-11-24", start: "09:00", end: "10:30" });
  await page.goto(`${home}/reports?from=2026-11-23&to=2026-11-29&group=project`);

  const saved = {};
  for (const [label, file] of [
    ["CSV", "csv"],
    ["Excel", "xlsx"],
    ["JSON", "json"],
    ["PDF summary", "pdf"],
  ]) {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: label, exact: true }).click(),
    ]);
    assert.equal(await download.failure(), null, `${label}: the download completed`);
    const path = join(downloads, `export.${file}`);
    await download.saveAs(path);
    saved[file] = path;
  }

  const csv = readFileSync(saved.csv, "utf8").trim().split("\r\n");
  assert.equal(csv.length, 2, "header and the one entry");
  assert.match(csv[0], /^id,date,start,end,duration_seconds,/);
  assert.match(csv[1], /,2026-11-24,2026-11-24T09:00:00\+01:00,2026-11-24T10:30:00\+01:00,5400,1:30:00,/);
  assert.match(csv[1], /"Invoice me, please"/);

  const json = JSON.parse(readFileSync(saved.json, "utf8"));
  assert.equal(json.length, 1);
  assert.equal(json[0].description, "Invoice me, please");
  assert.equal(json[0].duration_seconds, 5400);

  // the workbook's cells, read with Python's zipfile (XLSX is zipped XML)
  const cells = execFileSync("python3", [
    "-c",
    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(''.join(z.read(n).decode() for n in z.namelist() if n.startswith('xl/')))",
    saved.xlsx,
  ]).toString();
  assert.match(cells, /Invoice me, please/);

  const pdf = execFileSync("pdftotext", ["-layout", saved.pdf, "-"]).toString();
  assert.match(pdf, /Summary report/);
  assert.match(pdf, /Website\s+1:30/);
  await page.close();
  await expectNoProblems(owner);
});

test("an entry stopped within the minute keeps its times when only the description changes", async () => {
  const page = await owner.newPage();
  await page.goto(home);
  // start and stop inside one minute, as the newcomer did
  await page.waitForFunction(() => new Date().getSeconds() < 45, null, { timeout: 20_000 });
  await page.getByLabel("What are you working on?").fill("Quick call");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("heading", { name: "Running: Quick call" }).waitFor();
  await page.getByRole("button", { name: /^Stop/ }).click();
  await page.getByText(/Timer stopped at/).waitFor();
  const day = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  const before = (await entriesOn(page, from, to)).find((e) => e.description === "Quick call");
  assert.ok(before.duration_seconds >= 1 && before.duration_seconds < 60, `a short entry: ${before.duration_seconds} s (${day})`);

  const entry = page.locator(".entry").filter({ hasText: "Quick call" });
  await entry.getByRole("link", { name: /^Edit/ }).click();
  const form = entry.locator("form.edit-form");
  await form.getByLabel("Description").fill("Quick call with Bob");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByText("Entry saved.").waitFor();

  const after = (await entriesOn(page, from, to)).find((e) => e.id === before.id);
  assert.equal(after.description, "Quick call with Bob");
  assert.equal(after.start, before.start, "start untouched, seconds included");
  assert.equal(after.end, before.end, "end untouched: not the next day");
  const edited = page.locator(".entry").filter({ hasText: "Quick call with Bob" });
  // seconds long: shown with its seconds, as every entry under an hour
  const seconds = Math.floor((Date.parse(before.end) - Date.parse(before.start)) / 1000);
  assert.ok(seconds < 60, `a quick timer: ${seconds} s`);
  assert.equal(await edited.locator(".dur").textContent(), `0:00:${String(seconds).padStart(2, "0")}`);
  assert.equal(await edited.locator(".badge.later").count(), 0);
  await page.close();
  await expectNoProblems(owner);
});

test("an end before the start asks for the end date; a long entry is confirmed first", async () => {
  const page = await owner.newPage();
  await page.goto(`${home}/entries`);
  const form = page.locator("#add-entry");
  await form.getByLabel("Description").fill("Night shift");
  await form.getByLabel("Date", { exact: true }).fill("2026-11-25");
  await form.getByLabel("Start").fill("22:00");
  await form.getByLabel("End", { exact: true }).fill("02:00");
  await form.getByRole("button", { name: "Add entry" }).click();
  const error = page.locator("#add-entry #end-error");
  await error.waitFor();
  assert.equal(await error.textContent(), "The end is before the start. For an entry that goes past midnight, give its end date.");
  assert.equal(await page.locator("#new-end").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator("#new-description").inputValue(), "Night shift");

  await page.locator("#new-end-date").fill("2026-11-26");
  await page.locator("#new-end").fill("13:00");
  await page.getByRole("button", { name: "Add entry" }).click();
  // 15 hours: longer than the usual day, so the page asks
  await page.getByText("This entry is 15:00 long, longer than a usual day in this organization (10:00).").waitFor();
  await page.getByRole("button", { name: "Add anyway" }).click();
  await page.getByText("Entry added: 15:00.").waitFor();
  await page.goto(`${home}/entries?from=2026-11-25&to=2026-11-25`);
  const row = page.getByRole("row", { name: /Night shift/ });
  assert.match(await row.textContent(), /22:00–13:00\s*\+1 day/);
  await page.close();
  await expectNoProblems(owner);
});

test("Enter in the project picker chooses a project and never starts a timer on a filter", async () => {
  const page = await owner.newPage();
  await page.goto(home);
  await page.getByLabel("What are you working on?").fill("Writing");
  const picker = page.getByRole("combobox", { name: /^Project/ });
  await picker.click();
  await picker.fill("web");
  await picker.press("Enter");
  // the match is chosen, nothing was submitted
  assert.equal(await picker.inputValue(), "Website");
  assert.equal(await page.locator("#start-what").evaluate((s) => s.selectedOptions[0].textContent), "Website");
  assert.equal((await page.request.get(`/api/v1/organizations/${org}/timer`)).status(), 204);
  await picker.fill("no such project");
  await picker.press("Enter");
  assert.equal((await page.request.get(`/api/v1/organizations/${org}/timer`)).status(), 204, "a filter that matched nothing starts nothing");
  // leaving the picker shows the chosen project again; Enter then starts the timer on it
  await page.getByLabel("What are you working on?").focus();
  assert.equal(await picker.inputValue(), "Website");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Running: Writing" }).waitFor();
  const running = await page.request.get(`/api/v1/organizations/${org}/timer`);
  assert.equal((await running.json()).description, "Writing");
  await page.close();
  await expectNoProblems(owner);
});

test("Stop pressed in a stale tab shows the timer page and says when it was stopped", async () => {
  const first = await owner.newPage();
  const second = await owner.newPage();
  await first.goto(home);
  await second.goto(home);
  // the timer from the previous test runs in both tabs
  await first.getByRole("heading", { name: "Running: Writing" }).waitFor();
  await second.getByRole("heading", { name: "Running: Writing" }).waitFor();
  await first.getByRole("button", { name: /^Stop/ }).click();
  await first.getByText(/Timer stopped at/).waitFor();

  const [response] = await Promise.all([
    second.waitForNavigation(),
    second.getByRole("button", { name: /^Stop/ }).click(),
  ]);
  assert.equal(response.status(), 200);
  assert.equal(new URL(second.url()).pathname, home);
  await second.getByText(/^The timer was already stopped, at \d\d:\d\d \(0:\d\d:\d\d tracked\)\. Nothing else was changed\.$/).waitFor();
  assert.equal(await second.getByRole("timer").count(), 0);
  await first.close();
  await second.close();
  await expectNoProblems(owner);
});

test("the week grid keeps every typed value and explains the bad cell next to it", async () => {
  const page = await owner.newPage();
  await page.goto(`${home}/week?start=2026-11-23`);
  const row = page.getByRole("row", { name: /Website/ });
  const tuesday = row.getByRole("textbox", { name: "Website, Tue 24 Nov" });
  const wednesday = row.getByRole("textbox", { name: "Website, Wed 25 Nov" });
  await tuesday.fill("2:15");
  await wednesday.fill("abc");
  await page.getByRole("button", { name: "Save changes" }).click();

  await page.getByText("Nothing was saved: one cell needs a change (marked below).").waitFor();
  const kept = page.getByRole("row", { name: /Website/ });
  assert.equal(await kept.getByRole("textbox", { name: "Website, Tue 24 Nov" }).inputValue(), "2:15");
  const bad = kept.getByRole("textbox", { name: "Website, Wed 25 Nov" });
  assert.equal(await bad.inputValue(), "abc");
  assert.equal(await bad.getAttribute("aria-invalid"), "true");
  const describedBy = await bad.getAttribute("aria-describedby");
  assert.equal(
    await page.locator(`#${describedBy}`).textContent(),
    "'abc' is not a duration; write it as h:mm (e.g. 1:30) or in hours (1.5).",
  );
  // nothing was saved: Tuesday still holds its 1:30
  const tuesdayEntries = await entriesOn(page, "2026-11-23T23:00:00Z", "2026-11-24T23:00:00Z");
  assert.equal(tuesdayEntries.reduce((s, e) => s + e.duration_seconds, 0), 5400);
  await page.close();
  await expectNoProblems(owner);
});

test("the week grid adds a row for a project, and its totals follow the typing", async () => {
  const page = await owner.newPage();
  await page.goto(`${home}/week?start=2026-11-09`);
  const total = (selector) => page.locator(selector).textContent();
  const dayTotals = page.locator("tfoot [data-day-total]");
  assert.equal(await total("tfoot [data-week-total]"), "0:00");
  const newRow = page.locator("tr.new-row");
  await page.getByLabel("Add a row: project and task").selectOption({ label: "Website" });
  await newRow.getByRole("textbox", { name: "New row, Tue 10 Nov" }).pressSequentially("1:30");
  assert.equal(await newRow.locator("[data-row-total]").textContent(), "1:30");
  assert.equal(await dayTotals.nth(1).textContent(), "1:30");
  await newRow.getByRole("textbox", { name: "New row, Wed 11 Nov" }).fill("0,5");
  assert.equal(await newRow.locator("[data-row-total]").textContent(), "2:00");
  assert.equal(await dayTotals.nth(2).textContent(), "0:30");
  assert.equal(await total("tfoot [data-week-total]"), "2:00");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Added 1:30 on Tue 10 Nov 2026, added 0:30 on Wed 11 Nov 2026.").waitFor();
  const tuesday = await entriesOn(page, "2026-11-09T23:00:00Z", "2026-11-10T23:00:00Z");
  assert.deepEqual(tuesday.map((e) => e.duration_seconds), [5400]);

  // the project has its own row now; typing there moves every total, saving nothing yet
  const row = page.getByRole("row", { name: /Website/ });
  await row.getByRole("textbox", { name: "Website, Tue 10 Nov" }).fill("2:15");
  assert.equal(await row.locator("[data-row-total]").textContent(), "2:45");
  assert.equal(await dayTotals.nth(1).textContent(), "2:15");
  assert.equal(await total("tfoot [data-week-total]"), "2:45");
  await page.reload();
  assert.equal(await total("tfoot [data-week-total]"), "2:00");
  await page.close();
  await expectNoProblems(owner);
});

test("long words wrap and a phone-sized window shows whole words", async () => {
  const page = await owner.newPage();
  const long = "Supercalifragilistic".repeat(12);
  // today in the person's zone, so the home page lists them
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(new Date());
  await addEntry(page, { description: long, date: today, start: "06:00", end: "06:30" });
  await addEntry(page, { description: "Quarterly planning meeting with the whole team", date: today, start: "06:30", end: "07:00" });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    await page.goto(`${home}/entries?from=${today}&to=${today}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `entries page at ${width} px is ${overflow} px wider than the window`);
  }
  // the home page's list at 390 px: every word of a normal description on one line
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(home);
  const broken = await page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll(".entry .what strong")) {
      const text = el.firstChild;
      if (!text || text.nodeType !== Node.TEXT_NODE) continue;
      const words = text.textContent.split(" ");
      let offset = 0;
      for (const word of words) {
        const range = document.createRange();
        range.setStart(text, offset);
        range.setEnd(text, offset + word.length);
        const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (word.length < 20 && lines.size > 1) found.push(word);
        offset += word.length + 1;
      }
    }
    return found;
  });
  assert.deepEqual(broken, [], "no word broken across lines");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  await page.close();
  await expectNoProblems(owner);
});

test("every page has an icon, and /favicon.ico answers", async () => {
  const page = await owner.newPage();
  const missing = [];
  page.on("response", (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await page.goto(home);
  const href = await page.locator("link[rel=icon]").getAttribute("href");
  const icon = await page.request.get(href);
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()["content-type"], "image/svg+xml");
  const ico = await page.request.get("/favicon.ico");
  assert.equal(ico.status(), 200);
  assert.equal(ico.headers()["content-type"], "image/x-icon");
  assert.deepEqual(missing, []);
  await page.close();
});
