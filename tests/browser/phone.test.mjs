// The phone layout (390×844): every main page fits the screen's width (nothing scrolls
// sideways), the main links sit behind "Menu", the report filters behind "Filters", entries
// are full-width rows, and each page passes axe (no serious or critical violation) in light
// and dark mode at that size.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { PASSWORD, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { width: 390, height: 844 };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
}

/// What does not fit the phone on the open page: the page wider than the screen, or a table
/// cut off inside its scroll box (the week grid and the calendar may scroll sideways, but only
/// with the hint above them shown).
async function overflow(page) {
  return page.evaluate(() => {
    const found = [];
    const html = document.documentElement;
    if (html.scrollWidth > window.innerWidth) found.push(`page ${html.scrollWidth}px wide in ${window.innerWidth}px`);
    for (const wrap of document.querySelectorAll(".table-wrap")) {
      if (wrap.scrollWidth <= wrap.clientWidth) continue;
      const hint = wrap.querySelector("table.week") && document.getElementById("week-scroll-hint");
      if (!hint || hint.offsetParent === null) {
        found.push(`a table ${wrap.scrollWidth}px wide in ${wrap.clientWidth}px${hint ? ", its hint hidden" : ""}`);
      }
    }
    // the calendar's days may scroll sideways too, with their hint shown
    for (const wrap of document.querySelectorAll(".cal-scroll")) {
      if (wrap.scrollWidth <= wrap.clientWidth) continue;
      const hint = document.getElementById("calendar-scroll-hint");
      if (!hint || hint.offsetParent === null) found.push(`the calendar ${wrap.scrollWidth}px wide in ${wrap.clientWidth}px without its hint`);
    }
    return found;
  });
}

test("every main page fits a phone's width and passes axe in light and dark", async () => {
  const ctx = await newContext(browser, server.base, { viewport: PHONE });
  const page = await ctx.newPage();
  // long names: the places they show must wrap, not widen the page
  const home = await setUp(page, { name: "Ada Lovelace-Byron of a Rather Long Name", organization: "Analytical Engines and Difference Machines" });

  // data on every page: a client, a project, two tags, entries with long words, an invitation
  await page.goto(`${home}/clients`);
  await page.locator("#new-name").fill("Acme Corporation International");
  await page.getByRole("button", { name: "Create client" }).click();
  await page.goto(`${home}/projects`);
  await page.locator("#new-name").fill("Website relaunch and accessibility review");
  await page.locator("#new-client").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Create project" }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  const project = new URL(page.url()).pathname;
  for (const tag of ["meeting", "deep-work"]) {
    await page.goto(`${home}/tags`);
    await page.locator("#new-name").fill(tag);
    await page.getByRole("button", { name: /Create tag/ }).click();
  }
  await page.goto(`${home}/week`);
  await page.locator("#add-duration").fill("2:30");
  await page.locator("#add-description").fill("Planning the supercalifragilisticexpialidocious migration");
  await page.locator("#add-project").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText(/Added 2:30/).waitFor();
  await page.goto(home);
  await page.getByLabel("What are you working on?").fill("Writing the notes");
  await page.getByText("meeting", { exact: true }).click();
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("heading", { name: /Running/ }).waitFor();
  await page.goto(`${home}/members`);
  await page.locator("#email").fill("bob@example.org");
  await page.getByRole("button", { name: "Create invitation" }).click();
  await page.goto(`${home}/entries`);
  const entryId = await page.locator("input[name=entry_id]").first().getAttribute("value");

  const pages = [
    ["timer", home],
    ["entries", `${home}/entries`],
    ["entries-inline-edit", `${home}/entries?edit=${entryId}`],
    ["entry-edit", `${home}/entries/${entryId}/edit`],
    ["entry-delete", `${home}/entries/${entryId}/delete`],
    ["week", `${home}/week`],
    ["calendar", `${home}/calendar`],
    ["reports", `${home}/reports?group=project&subgroup=day`],
    ["import", `${home}/import`],
    ["projects", `${home}/projects`],
    ["project", project],
    ["clients", `${home}/clients`],
    ["tags", `${home}/tags`],
    ["members", `${home}/members`],
    ["settings", `${home}/settings`],
    ["profile", "/account/profile"],
    ["password", "/account/password"],
    ["two-factor", "/account/two-factor"],
    ["passkeys", "/account/passkeys"],
    ["tokens", "/account/tokens"],
    ["sessions", "/account/sessions"],
  ];
  const findings = [];
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, path] of pages) {
      const response = await page.goto(path);
      assert.equal(response.status(), 200, `${path} answered ${response.status()}`);
      for (const o of await overflow(page)) findings.push(`${name} [${scheme}]: ${o}`);
      for (const v of await axe(page)) findings.push(`${name} [${scheme}]: ${v}`);
    }
  }
  assert.deepEqual(findings, [], "every page fits and passes axe");
  assert.deepEqual(unexpectedProblems(ctx), []);
  await ctx.close();
});

test("on a phone the main links open from Menu, and report filters from Filters", async () => {
  const ctx = await newContext(browser, server.base, { viewport: PHONE });
  const page = await ctx.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("ada@example.org");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);

  // the links are not shown (nor scrolled off to the side) until the menu opens
  const reports = page.getByRole("link", { name: "Reports", exact: true });
  assert.equal(await reports.isVisible(), false);
  await page.getByText("Menu", { exact: true }).click();
  await reports.click();
  await page.waitForURL(/\/reports$/);
  assert.equal(await page.getByRole("link", { name: "Reports", exact: true }).isVisible(), false, "the menu is closed on the new page");

  // the filters fold behind their button; opened, they work
  const from = page.getByLabel("From");
  assert.equal(await from.isVisible(), false);
  await page.getByText("Filters", { exact: true }).click();
  assert.equal(await from.isVisible(), true);
  await page.getByLabel("Group by").selectOption("day");
  await page.getByRole("button", { name: "Show report" }).click();
  await page.waitForURL(/group=day/);
  assert.deepEqual(await overflow(page), []);

  // entries are full-width rows, their actions on a line of their own below the times
  await page.goto(new URL(page.url()).pathname.replace(/\/reports$/, "/entries"));
  const row = page.locator("tr[data-entry]").first();
  const rowBox = await row.boundingBox();
  const when = await row.locator("td.when").boundingBox();
  const actions = await row.locator("td.row-actions").boundingBox();
  assert.ok(rowBox.width >= PHONE.width - 60, `the row takes the width (${rowBox.width}px)`);
  assert.ok(actions.y >= when.y + when.height, "the actions sit below the times");
  assert.deepEqual(unexpectedProblems(ctx), []);
  await ctx.close();
});
