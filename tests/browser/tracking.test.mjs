// The everyday flows in a real browser: first-run setup, catalog, timer (with the mouse and
// the keyboard, and across two tabs), editing, the week grid, deleting, invitations, and an
// inline form error.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PASSWORD, newContext, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

let server;
let browser;
let owner; // the owner's browser context, signed in after setup
let home; // "/o/<org id>"

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function expectNoProblems(context) {
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
}

test("first-run setup → client and project → timer → stop → edit → week → delete", async () => {
  owner = await newContext(browser, server.base);
  const page = await owner.newPage();
  await page.goto("/");
  assert.match(page.url(), /\/setup$/);
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill("ada@example.org");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill("Analytical Engines");
  // the browser's own zone was filled in by app.js
  assert.notEqual(await page.getByLabel("Time zone").inputValue(), "");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Create account and organization" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  home = new URL(page.url()).pathname;

  await page.getByRole("link", { name: "Clients" }).click();
  await page.locator("#new-name").fill("Acme");
  await page.getByRole("button", { name: "Create client" }).click();
  await page.getByText("Acme").first().waitFor();

  await page.getByRole("link", { name: "Projects" }).click();
  await page.locator("#new-name").fill("Website");
  await page.locator("#new-client").selectOption({ label: "Acme" });
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByText("Website").first().waitFor();

  await page.getByRole("link", { name: "Timer" }).click();
  await page.getByLabel("What are you working on?").fill("Design review");
  // the bar's picker: type to search, Enter chooses
  const picker = page.getByRole("combobox", { name: /^Project/ });
  await picker.fill("webs");
  await picker.press("Enter");
  assert.equal(await picker.inputValue(), "Acme · Website");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("heading", { name: "Running: Design review" }).waitFor();

  // the timer ticks in the page and in the title
  const timer = page.getByRole("timer");
  const first = await timer.textContent();
  await page.waitForFunction((was) => document.querySelector("[data-elapsed]").textContent !== was, first);
  assert.match(await timer.textContent(), /^0:00:0\d$/);
  assert.match(await page.title(), /^0:00:0\d · Timer running/);

  await page.getByRole("button", { name: /^Stop/ }).click();
  const stopped = page.getByText(/Timer stopped at \d\d:\d\d: 0:00:\d\d\./);
  await stopped.waitFor();
  assert.equal(await page.getByRole("timer").count(), 0);
  const entry = page.locator(".entry").filter({ hasText: "Design review" });
  // under an hour, the entry shows its seconds, the same the notice said
  const length = (await stopped.textContent()).match(/: (0:00:\d\d)\./)[1];
  assert.equal(await entry.locator(".dur").textContent(), length);

  // edit it to 10:00–11:30 on the same day
  await entry.getByRole("link", { name: /^Edit/ }).click();
  const form = entry.locator("form.edit-form");
  await form.getByLabel("Description").fill("Design review, part 1");
  await form.getByLabel("Start").fill("10:00");
  await form.getByLabel("End", { exact: true }).fill("11:30");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByText("Entry saved.").waitFor();
  const edited = page.locator(".entry").filter({ hasText: "Design review, part 1" });
  assert.equal(await edited.locator(".dur").textContent(), "1:30");
  assert.equal((await edited.locator(".when").textContent()).trim(), "10:00–11:30");

  await page.getByRole("link", { name: "Week" }).click();
  const row = page.getByRole("row", { name: /Acme · Website/ });
  assert.match(await row.textContent(), /1:30/);

  await page.getByRole("link", { name: "Entries" }).click();
  const listed = page.getByRole("row", { name: /Design review, part 1/ });
  // the day is a header above its rows, with the day's total
  assert.match(await page.locator("tr.day-head").first().textContent(), /\w{3} \d+ \w{3} \d{4}\s+total 1:30/);

  // the bulk bar shows only while something is selected
  const bulk = page.locator("#bulk");
  assert.equal(await bulk.isVisible(), false);
  await listed.getByRole("checkbox").check();
  assert.equal(await bulk.isVisible(), true);
  assert.equal(await bulk.locator("[data-bulk-count]").textContent(), "(1 selected)");
  await listed.getByRole("checkbox").uncheck();
  assert.equal(await bulk.isVisible(), false);

  // delete at once, no confirm box; the notice offers Undo, which brings the same entry back
  page.on("dialog", () => assert.fail("no confirm() box for a delete"));
  const id = (await listed.getAttribute("id")).replace("row-", "");
  const api = `/api/v1/organizations/${home.split("/")[2]}/time-entries/${id}`;
  const fetchEntry = () => page.evaluate(async (url) => {
    const response = await fetch(url);
    return { status: response.status, body: response.status === 200 ? await response.json() : null };
  }, api);
  const before = await fetchEntry();
  assert.equal(before.status, 200);
  await listed.getByRole("button", { name: /^Delete/ }).click();
  const notice = page.getByRole("status").filter({ hasText: "Entry deleted." });
  await notice.waitFor();
  assert.equal(await listed.isVisible(), false, "the row is gone");
  assert.equal((await fetchEntry()).status, 404, "the API no longer has it");
  await notice.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("status").filter({ hasText: "Entry restored." }).waitFor();
  assert.equal(await listed.isVisible(), true, "the row is back");
  const after = await fetchEntry();
  assert.equal(after.status, 200);
  for (const field of ["id", "description", "start", "end", "project_id", "task_id", "billable", "tags", "user_id", "hourly_rate", "duration_seconds"]) {
    assert.deepEqual(after.body[field], before.body[field], field);
  }
  assert.equal(after.body.version, before.body.version + 2, "deleted and restored: two versions on");

  // deleted for good once the notice is gone
  await listed.getByRole("button", { name: /^Delete/ }).click();
  await notice.waitFor();
  await notice.waitFor({ state: "detached", timeout: 12000 });
  assert.equal(await page.getByRole("button", { name: "Undo" }).count(), 0, "the Undo lasts a few seconds");
  await page.reload();
  await page.getByText("No entries match.").waitFor();
  await expectNoProblems(owner);
});

test("without JavaScript, Delete asks on a page of its own and returns to the list", async () => {
  const context = await newContext(browser, server.base, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("ada@example.org");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  await page.goto(`${home}/entries?text=Filed`);
  await page.locator("#new-description").fill("Filed by hand");
  await page.locator("#new-start").fill("08:00");
  await page.locator("#new-end").fill("08:45");
  await page.getByRole("button", { name: "Add entry" }).click();
  await page.getByText("Entry added: 0:45:00.").waitFor();
  // without JavaScript the bulk bar stays in view
  assert.equal(await page.locator("#bulk").isVisible(), true);

  await page.goto(`${home}/entries?text=Filed`);
  const row = page.getByRole("row", { name: /Filed by hand/ });
  await row.getByRole("button", { name: /^Delete/ }).click();
  await page.getByRole("heading", { name: "Delete this entry?" }).waitFor();
  await page.getByText("Filed by hand").waitFor();
  await page.getByRole("button", { name: "Delete entry" }).click();
  await page.waitForURL(new RegExp(`${home}/entries\\?text=Filed$`));
  await page.getByText("Entry deleted.").waitFor();
  await page.getByText("No entries match.").waitFor();
  await context.close();
});

test("keyboard: n focuses the timer, Enter starts, s stops, shortcuts stay quiet in fields", async () => {
  const page = await owner.newPage();
  await page.goto(home);
  await page.keyboard.press("n");
  assert.equal(await page.evaluate(() => document.activeElement.id), "start-description");
  // typing "s" in the field types it, it does not stop anything
  await page.keyboard.type("sketches");
  assert.equal(await page.locator("#start-description").inputValue(), "sketches");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Running: sketches" }).waitFor();
  await page.keyboard.press("s");
  await page.getByText(/Timer stopped at/).waitFor();
  await page.keyboard.press("?");
  assert.equal(await page.locator("#shortcuts").evaluate((d) => d.open), true);
  await page.keyboard.press("Escape");
  await page.keyboard.press("g");
  await page.keyboard.press("w");
  await page.waitForURL(/\/week$/);
  await page.close();
  await expectNoProblems(owner);
});

test("a timer started or stopped in another tab shows when this tab is looked at again", async () => {
  const here = await owner.newPage();
  await here.goto(home);
  assert.equal(await here.getByRole("timer").count(), 0);
  const there = await owner.newPage();
  await there.goto(home);
  await there.getByLabel("What are you working on?").fill("Phone call");
  await there.getByRole("button", { name: "Start", exact: true }).click();
  await there.getByRole("heading", { name: "Running: Phone call" }).waitFor();

  // back in the first tab: the page asks the API and reloads to show the running timer
  const lookAgain = (page) => page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await Promise.all([here.waitForEvent("load"), lookAgain(here)]);
  await here.getByRole("heading", { name: "Running: Phone call" }).waitFor();

  // nothing changed elsewhere: looking again leaves the page alone
  await here.evaluate(() => { window.stillHere = true; });
  await lookAgain(here);
  await here.waitForTimeout(500);
  assert.equal(await here.evaluate(() => window.stillHere), true, "no reload when the same timer runs");

  await there.getByRole("button", { name: /^Stop/ }).click();
  await there.getByText(/Timer stopped at/).waitFor();
  await Promise.all([here.waitForEvent("load"), lookAgain(here)]);
  assert.equal(await here.getByRole("timer").count(), 0);
  await here.locator(".entry").filter({ hasText: "Phone call" }).first().waitFor();
  await here.close();
  await there.close();
  await expectNoProblems(owner);
});

test("the running entry, its day, the week and its project tick together", async () => {
  const page = await owner.newPage();
  await page.clock.install();
  await page.goto(home);
  await page.getByLabel("What are you working on?").fill("Ticking along");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("heading", { name: "Running: Ticking along" }).waitFor();
  await page.clock.fastForward("03:00");
  // read in one go: every figure comes from the same tick
  const seen = await page.evaluate(() => {
    const row = document.querySelector("[data-entry][data-running]");
    const day = row.closest("[data-day]");
    const shown = [...day.querySelectorAll("[data-entry]")].filter((r) => !r.hidden);
    return {
      base: Number(row.dataset.running),
      now: Number(row.dataset.seconds),
      length: row.querySelector("[data-live-length]").textContent,
      day: day.querySelector("[data-day-total]").textContent,
      daySum: shown.reduce((sum, r) => sum + Number(r.dataset.seconds), 0),
      totals: [...document.querySelectorAll("[data-ticks]")].map((el) => [Number(el.dataset.ticks), el.textContent]),
    };
  });
  const pad = (n) => String(n).padStart(2, "0");
  const hm = (s) => Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60);
  const since = seen.now - seen.base;
  assert.ok(since >= 180 && since < 240, `the row moved on by ${since} s`);
  assert.equal(seen.length, `0:${pad(Math.floor(seen.now / 60))}:${pad(seen.now % 60)}`);
  assert.equal(seen.day, hm(seen.daySum));
  // the week's total (heading and summary table) and the running project's row
  assert.equal(seen.totals.length, 3, JSON.stringify(seen.totals));
  for (const [base, text] of seen.totals) assert.equal(text, hm(base + since));
  await page.getByRole("button", { name: /^Stop/ }).click();
  await page.getByText(/Timer stopped at/).waitFor();
  await page.close();
  await expectNoProblems(owner);
});

test("a form error is shown next to its field and the input is kept", async () => {
  const page = await owner.newPage();
  await page.goto(`${home}/week`);
  await page.locator("#add-duration").fill("30:00");
  await page.locator("#add-description").fill("Marathon");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  const error = page.locator("#duration-error");
  await error.waitFor();
  assert.match(await error.textContent(), /allows at most 12 hours|allows at most \d+ hours/);
  assert.equal(await page.locator("#add-duration").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator("#add-duration").inputValue(), "30:00");
  assert.equal(await page.locator("#add-description").inputValue(), "Marathon");
  await page.close();
  await expectNoProblems(owner);
});

test("a manager invites a member, who joins and sees only what members may see", async () => {
  const page = await owner.newPage();
  await page.goto(`${home}/members`);
  await page.locator("#email").fill("bob@example.org");
  await page.locator("#role").selectOption("member");
  await page.getByRole("button", { name: /Create invitation|Invite/ }).click();
  const link = (await page.locator("#invite-link").textContent()).trim();
  assert.match(link, /\/invite\/\S+$/);
  await page.close();

  const bobContext = await newContext(browser, server.base);
  const bob = await bobContext.newPage();
  await bob.goto(new URL(link).pathname);
  await bob.getByRole("heading", { name: "Join Analytical Engines" }).waitFor();
  await bob.getByLabel("Your name").fill("Bob");
  await bob.getByLabel("Password").fill(PASSWORD);
  await bob.getByRole("button", { name: "Create account and join" }).click();
  await bob.waitForURL(new RegExp(`${home}$`));
  await bob.getByText("Nothing tracked this week yet").waitFor();
  // members do not get the administration pages
  assert.equal(await bob.getByRole("link", { name: "Settings" }).count(), 0);
  await bob.getByRole("link", { name: "Entries" }).click();
  assert.equal(await bob.locator("#f-user").count(), 0);
  assert.equal(await bob.getByText("sketches").count(), 0, "the owner's entries stay hidden");
  await bob.goto(`${home}/settings`);
  await bob.getByText("403").first().waitFor();
  await bobContext.close();
});
