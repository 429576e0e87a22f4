// The home page's timer bar in a real browser: the empty state of a new organization, a
// manual entry from the bar (and its inline error), a timer started with the keyboard only
// (a recent description, "@" to the picker, arrows, Enter), the fewest keys from a fresh page
// to a running timer on a project, the plain form without JavaScript, a stop in another tab,
// and axe plus screenshots at phone and desktop sizes in light and dark.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PASSWORD, SCREENSHOTS, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const shoot = process.env.BROWSER_SCREENSHOTS !== "0";

let server;
let browser;
let owner;
let home;
let org;
const ids = {};

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  owner = await newContext(browser, server.base);
  const page = await owner.newPage();
  await setUp(page);
  home = new URL(page.url()).pathname;
  org = home.slice(3);
  await page.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function expectNoProblems(context) {
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
}

async function api(page, path) {
  const response = await page.request.get(`/api/v1/organizations/${org}${path}`);
  return { status: response.status(), body: response.status() === 200 ? await response.json() : null };
}

const items = (body) => (Array.isArray(body) ? body : body.items);

async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
}

test("a new organization's home page leads to creating a project or importing", async () => {
  const page = await owner.newPage();
  await page.goto(home);
  await page.getByRole("heading", { name: "No projects yet" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Create your first project" }).getAttribute("href"), `${home}/projects`);
  assert.equal(await page.getByRole("link", { name: "Import from Toggl or Clockify" }).getAttribute("href"), `${home}/import`);
  await page.getByText("Nothing tracked this week yet.").waitFor();
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await axe(page), [], `axe, empty home page, ${scheme}`);
  }

  // the catalog the rest of the tests use: Acme › Website with a task, Backend without client
  await page.goto(`${home}/clients`);
  await page.locator("#new-name").fill("Acme");
  await page.getByRole("button", { name: "Create client" }).click();
  await page.getByText("Acme").first().waitFor();
  for (const [name, client] of [["Website", "Acme"], ["Backend", null]]) {
    await page.goto(`${home}/projects`);
    await page.locator("#new-name").fill(name);
    if (client) await page.locator("#new-client").selectOption({ label: client });
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    ids[name] = page.url().split("/").pop();
  }
  await page.goto(`${home}/projects/${ids.Website}`);
  await page.locator("#new-task-name").fill("Design");
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByRole("cell", { name: "Design" }).first().waitFor();
  for (const tag of ["meeting", "deep-work"]) {
    await page.goto(`${home}/tags`);
    await page.locator("#new-name").fill(tag);
    await page.getByRole("button", { name: /Create tag/ }).click();
  }
  const tasks = await api(page, `/projects/${ids.Website}/tasks`);
  ids.Design = items(tasks.body).find((t) => t.name === "Design").id;
  const tags = items((await api(page, "/tags")).body);
  ids.meeting = tags.find((t) => t.name === "meeting").id;
  ids["deep-work"] = tags.find((t) => t.name === "deep-work").id;

  await page.goto(home);
  assert.equal(await page.getByRole("heading", { name: "No projects yet" }).count(), 0, "gone once a project exists");
  await page.close();
  await expectNoProblems(owner);
});

test("Manual in the bar adds a finished entry; an end before the start is shown at the field", async () => {
  const page = await owner.newPage();
  await page.goto(home);
  const toggle = page.getByRole("switch", { name: "Manual" });
  assert.equal(await toggle.getAttribute("aria-checked"), "false");
  assert.equal(await page.locator("#bar-date").isVisible(), false);
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-checked"), "true");
  assert.match(page.url(), /\?mode=manual$/);
  await page.getByLabel("What are you working on?").fill("Design review");
  const picker = page.getByRole("combobox", { name: /^Project/ });
  await picker.click();
  await picker.fill("desi");
  await page.getByRole("option", { name: /Design/ }).click();
  assert.equal(await picker.inputValue(), "Acme · Website › Design");
  await page.locator("#bar-date").fill("2026-11-20");
  await page.locator("#bar-start").fill("09:15");
  await page.locator("#bar-end").fill("08:00");
  await page.getByRole("checkbox", { name: "meeting" }).check();
  await page.getByRole("checkbox", { name: "Billable" }).check();
  await page.getByRole("button", { name: "Add entry" }).click();

  const error = page.locator("#end-error");
  await error.waitFor();
  assert.equal(await error.textContent(), "The end is before the start. For an entry that goes past midnight, give its end date.");
  assert.equal(await page.locator("#bar-end").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator("#bar-end").getAttribute("aria-describedby"), "end-error");
  // everything typed is still there, the bar still in Manual
  assert.equal(await page.getByLabel("What are you working on?").inputValue(), "Design review");
  assert.equal(await page.locator("#bar-start").inputValue(), "09:15");
  assert.equal(await page.locator("#bar-end").inputValue(), "08:00");
  assert.equal(await page.getByRole("switch", { name: "Manual" }).getAttribute("aria-checked"), "true");
  assert.equal(await picker.inputValue(), "Acme · Website › Design");
  assert.equal(await page.getByRole("checkbox", { name: "meeting" }).isChecked(), true);
  assert.equal(await page.getByRole("checkbox", { name: "Billable" }).isChecked(), true);

  await page.locator("#bar-end").fill("10:45");
  await page.getByRole("button", { name: "Add entry" }).click();
  await page.getByText("Entry added: 1:30.").waitFor();
  const listed = await api(page, "/time-entries?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z");
  const entry = items(listed.body).find((e) => e.description === "Design review");
  assert.equal(Date.parse(entry.start), Date.parse("2026-11-20T08:15:00Z"), "09:15 in Berlin");
  assert.equal(Date.parse(entry.end), Date.parse("2026-11-20T09:45:00Z"), "10:45 in Berlin");
  assert.equal(entry.project_id, ids.Website);
  assert.equal(entry.task_id, ids.Design);
  assert.deepEqual(entry.tags, [ids.meeting]);
  assert.equal(entry.billable, true);
  await page.close();
  await expectNoProblems(owner);
});

test("keyboard only: a recent description, @ to the picker, arrows, Enter, Enter starts", async () => {
  const page = await owner.newPage();
  await page.goto(home);
  let keys = 0;
  const press = async (key) => { keys += 1; await page.keyboard.press(key); };
  const type = async (text) => { for (const key of text) await press(key); };

  await press("n");
  assert.equal(await page.evaluate(() => document.activeElement.id), "start-description");
  await type("revi");
  const suggestion = page.getByRole("option", { name: /Design review/ });
  await suggestion.waitFor();
  assert.equal(await page.locator("#start-description").getAttribute("aria-expanded"), "true");
  await press("ArrowDown");
  assert.equal(await page.locator("#start-description").getAttribute("aria-activedescendant"), await suggestion.getAttribute("id"));
  await press("Enter");
  // the suggestion repeats the last entry: project, task, tags, billable
  assert.equal(await page.locator("#start-description").inputValue(), "Design review");
  assert.equal(await page.locator("#start-what-search").inputValue(), "Acme · Website › Design");
  assert.equal(await page.getByRole("checkbox", { name: "meeting" }).isChecked(), true);
  assert.equal(await page.getByRole("checkbox", { name: "Billable" }).isChecked(), true);

  await press("@");
  assert.equal(await page.locator("#start-description").inputValue(), "Design review", "the @ is not typed");
  assert.equal(await page.evaluate(() => document.activeElement.id), "start-what-search");
  assert.equal(await page.locator("#start-what-search").getAttribute("aria-expanded"), "true");
  await type("back");
  const shown = await page.locator("#start-what-list [role=option]:not([hidden])").allTextContents();
  assert.deepEqual(shown, ["Backend"]);
  await press("Backspace");
  await press("Backspace");
  await press("Backspace");
  await press("Backspace");
  await type("web");
  // "web" matches the project and its task: the first is active, the arrow moves to the task
  assert.deepEqual(await page.locator("#start-what-list [role=option]:not([hidden])").allTextContents(), ["Website Acme", "Website › Design"]);
  await press("ArrowDown");
  assert.equal(await page.locator("#start-what-search").getAttribute("aria-activedescendant"), `what-${ids.Website}/${ids.Design}`);
  await press("Escape");
  assert.equal(await page.locator("#start-what-search").getAttribute("aria-expanded"), "false");
  // closed, the arrow opens the list on its first option; the next one moves to the task
  await press("ArrowDown");
  assert.equal(await page.locator("#start-what-search").getAttribute("aria-activedescendant"), `what-${ids.Website}`);
  await press("ArrowDown");
  await press("Enter");
  assert.equal(await page.locator("#start-what-search").getAttribute("aria-expanded"), "false");
  await press("Enter");
  await page.getByRole("heading", { name: "Running: Design review" }).waitFor();
  const running = await api(page, "/timer");
  assert.equal(running.status, 200);
  assert.equal(running.body.description, "Design review");
  assert.equal(running.body.project_id, ids.Website);
  assert.equal(running.body.task_id, ids.Design);
  assert.deepEqual(running.body.tags, [ids.meeting]);
  assert.equal(running.body.billable, true);
  console.log(`keyboard-only start with a suggestion, @, a filter and arrows: ${keys} keystrokes`);
  await page.keyboard.press("s");
  await page.getByText(/Timer stopped at/).waitFor();
  await page.close();
  await expectNoProblems(owner);
});

test("the fewest keys from a fresh page to a timer running on a project", async () => {
  const page = await owner.newPage();
  await page.goto(home);
  // n: the description; @: the picker; w: "Website" is the first match; Enter chooses; Enter starts
  const keys = ["n", "@", "w", "Enter", "Enter"];
  for (const key of keys) await page.keyboard.press(key);
  await page.getByRole("heading", { name: "Running: (no description)" }).waitFor();
  const running = await api(page, "/timer");
  assert.equal(running.body.project_id, ids.Website);
  assert.equal(running.body.task_id, null);
  console.log(`fewest keystrokes from a fresh page load to a timer on a project: ${keys.length}`);
  await page.getByRole("button", { name: /^Stop/ }).click();
  await page.getByText(/Timer stopped at/).waitFor();
  await page.close();
  await expectNoProblems(owner);
});

test("without JavaScript the bar is a plain form: one select of projects and tasks", async () => {
  const context = await newContext(browser, server.base, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("ada@example.org");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator("#start-what-search").isVisible(), false);
  await page.getByLabel("What are you working on?").fill("Plain form");
  await page.locator("#start-what").selectOption({ label: "Website › Design" });
  await page.getByRole("checkbox", { name: "deep-work" }).check();
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("heading", { name: "Running: Plain form" }).waitFor();
  const running = await api(page, "/timer");
  assert.equal(running.body.project_id, ids.Website);
  assert.equal(running.body.task_id, ids.Design);
  assert.deepEqual(running.body.tags, [ids["deep-work"]]);
  await page.getByRole("button", { name: /^Stop/ }).click();
  await page.getByText(/Timer stopped at/).waitFor();
  // Manual is a link to the same page in manual mode
  await page.getByRole("switch", { name: "Manual" }).click();
  await page.waitForURL(/\?mode=manual$/);
  assert.equal(await page.locator("#bar-start").isVisible(), true);
  assert.equal(await page.getByRole("button", { name: "Add entry" }).count(), 1);
  await context.close();
});

test("a timer stopped in another tab: this tab shows no running timer and no error", async () => {
  const here = await owner.newPage();
  await here.goto(home);
  await here.getByLabel("What are you working on?").fill("Cross-tab");
  await here.getByRole("button", { name: "Start", exact: true }).click();
  await here.getByRole("heading", { name: "Running: Cross-tab" }).waitFor();
  const there = await owner.newPage();
  await there.goto(home);
  await there.getByRole("button", { name: /^Stop/ }).click();
  await there.getByText(/Timer stopped at/).waitFor();

  await Promise.all([here.waitForEvent("load"), here.evaluate(() => document.dispatchEvent(new Event("visibilitychange")))]);
  assert.equal(await here.getByRole("timer").count(), 0);
  assert.equal(await here.getByRole("button", { name: "Start", exact: true }).count(), 1);
  assert.equal(await here.getByRole("alert").count(), 0, "no error shown");
  assert.equal((await api(here, "/timer")).status, 204);
  await here.close();
  await there.close();
  await expectNoProblems(owner);
});

test("the bar passes axe and is photographed at phone and desktop sizes, light and dark", async () => {
  const page = await owner.newPage();
  for (const [width, height] of [[390, 844], [1280, 800]]) {
    await page.setViewportSize({ width, height });
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(home);
      await page.locator("#start-description").focus();
      await page.keyboard.type("Des");
      await page.getByRole("option", { name: /Design review/ }).waitFor();
      assert.deepEqual(await axe(page), [], `axe, suggestions open, ${width}×${height} ${scheme}`);
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      assert.ok(fits, `nothing scrolls sideways at ${width}px`);
      if (shoot) await page.screenshot({ path: join(SCREENSHOTS, `timer-bar-suggestions-${width}x${height}-${scheme}.png`) });
      await page.keyboard.press("@");
      assert.deepEqual(await axe(page), [], `axe, picker open, ${width}×${height} ${scheme}`);
      if (shoot) await page.screenshot({ path: join(SCREENSHOTS, `timer-bar-picker-${width}x${height}-${scheme}.png`) });
      await page.keyboard.press("Escape");
      await page.getByRole("switch", { name: "Manual" }).click();
      assert.deepEqual(await axe(page), [], `axe, manual, ${width}×${height} ${scheme}`);
      if (shoot) await page.screenshot({ path: join(SCREENSHOTS, `timer-bar-manual-${width}x${height}-${scheme}.png`) });
    }
  }
  await page.goto(home);
  await page.getByLabel("What are you working on?").fill("Photographed");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("heading", { name: "Running: Photographed" }).waitFor();
  for (const [width, height] of [[390, 844], [1280, 800]]) {
    await page.setViewportSize({ width, height });
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      assert.deepEqual(await axe(page), [], `axe, running, ${width}×${height} ${scheme}`);
      if (shoot) await page.screenshot({ path: join(SCREENSHOTS, `timer-bar-running-${width}x${height}-${scheme}.png`) });
    }
  }
  await page.getByRole("button", { name: /^Stop/ }).click();
  await page.getByText(/Timer stopped at/).waitFor();
  await page.close();
  await expectNoProblems(owner);
});
