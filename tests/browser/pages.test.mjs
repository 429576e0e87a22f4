// Every main page: an axe-core accessibility scan (no serious or critical violation, in light
// and dark mode) and screenshots at phone and desktop sizes, light and dark, written to
// target/screenshots/ on each run.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PASSWORD, SCREENSHOTS, axeViolations, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const SIZES = [
  [390, 844],
  [1280, 800],
];
const SCHEMES = ["light", "dark"];
const shoot = process.env.BROWSER_SCREENSHOTS !== "0";

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

/// Scans and photographs the page open at `path` under `name`, which must answer `status`: a
/// refusal or an error page would pass the scan while the real page went unchecked.
async function check(page, name, path, status = 200) {
  const findings = [];
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height });
      const response = await page.goto(path);
      assert.equal(response.status(), status, `${path} answered ${response.status()}`);
      if (width === 1280) {
        for (const v of await axeViolations(page)) findings.push(`${name} [${scheme}]: ${v}`);
      }
      if (shoot) {
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}x${height}-${scheme}.png`), fullPage: true });
      }
    }
  }
  return findings;
}

test("every main page passes axe and is photographed", async () => {
  const findings = [];
  const anonymous = await newContext(browser, server.base);
  const visitor = await anonymous.newPage();
  findings.push(...(await check(visitor, "setup", "/setup")));

  const ctx = await newContext(browser, server.base);
  const page = await ctx.newPage();
  await setUp(page);
  const home = new URL(page.url()).pathname;

  // something on every page: a client, a project with a task, a tag, entries, an invitation, a token
  await page.goto(`${home}/clients`);
  await page.locator("#new-name").fill("Acme");
  await page.getByRole("button", { name: "Create client" }).click();
  await page.goto(`${home}/projects`);
  await page.locator("#new-name").fill("Website");
  await page.locator("#new-client").selectOption({ label: "Acme" });
  await page.getByRole("button", { name: "Create project" }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  const project = new URL(page.url()).pathname;
  await page.goto(`${home}/tags`);
  await page.locator("#new-name").fill("meeting");
  await page.getByRole("button", { name: /Create tag/ }).click();
  await page.goto(`${home}/week`);
  await page.locator("#add-duration").fill("2:30");
  await page.locator("#add-description").fill("Planning");
  await page.locator("#add-project").selectOption({ label: "Acme · Website" });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText(/Added 2:30/).waitFor();
  await page.goto(home);
  await page.getByLabel("What are you working on?").fill("Writing the notes");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("heading", { name: /Running/ }).waitFor();
  await page.goto(`${home}/members`);
  await page.locator("#email").fill("bob@example.org");
  await page.getByRole("button", { name: "Create invitation" }).click();
  const invite = new URL((await page.locator("#invite-link").textContent()).trim()).pathname;
  findings.push(...(await check(visitor, "invitation", invite)));
  findings.push(...(await check(visitor, "sign-in", "/sign-in")));
  findings.push(...(await check(visitor, "register", "/register")));

  await page.goto(`${home}/entries`);
  const entryId = await page.locator("input[name=entry_id]").first().getAttribute("value");

  const pages = [
    ["timer", home],
    ["entries", `${home}/entries`],
    ["entry-edit", `${home}/entries/${entryId}/edit`],
    ["entries-inline-edit", `${home}/entries?edit=${entryId}`],
    ["timer-inline-edit", `${home}?edit=${entryId}`],
    ["week", `${home}/week`],
    ["reports", `${home}/reports?group=project&subgroup=day`],
    ["import", `${home}/import`],
    ["projects", `${home}/projects`],
    ["project", project],
    ["clients", `${home}/clients`],
    ["tags", `${home}/tags`],
    ["members", `${home}/members`],
    ["settings", `${home}/settings`],
    ["new-organization", "/orgs/new"],
    ["profile", "/account/profile"],
    ["password", "/account/password"],
    ["two-factor", "/account/two-factor"],
    ["passkeys", "/account/passkeys"],
    ["tokens", "/account/tokens"],
    ["sessions", "/account/sessions"],
    ["not-found", "/no/such/page", 404],
    ["status", "/system/status"],
  ];
  for (const [name, path, status] of pages) findings.push(...(await check(page, name, path, status)));

  assert.deepEqual(findings, [], "no serious or critical accessibility violation");
  assert.deepEqual(unexpectedProblems(ctx), []);
  assert.deepEqual(unexpectedProblems(anonymous), []);
  await ctx.close();
  await anonymous.close();
});

/// The computed fill of the project dot in the first entry row naming `project`.
async function dotFill(page, project) {
  const row = page.locator("li.entry").filter({ hasText: project }).first();
  return row.locator("svg.dot circle").evaluate((circle) => getComputedStyle(circle).fill);
}

test("project colours: a swatch picked in the form colours the entry rows' dots, in both themes", async () => {
  // builds on the account the test above set up
  const ctx = await newContext(browser, server.base);
  const page = await ctx.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("ada@example.org");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  const home = new URL(page.url()).pathname;

  await page.goto(`${home}/projects`);
  await page.locator("#new-name").fill("Research");
  await page.getByRole("radio", { name: "Teal #0b8c7b" }).check();
  await page.getByRole("button", { name: "Create project" }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  await page.goto(`${home}/week`);
  await page.locator("#add-duration").fill("1:15");
  await page.locator("#add-description").fill("Reading papers");
  await page.locator("#add-project").selectOption({ label: "Research" });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText(/Added 1:15/).waitFor();

  const findings = [];
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(home);
    // Website took the palette's first colour, which the form offered; Research the one picked
    assert.equal(await dotFill(page, "Acme · Website"), "rgb(35, 122, 237)", `Website's dot, ${scheme}`);
    assert.equal(await dotFill(page, "Research"), "rgb(11, 140, 123)", `Research's dot, ${scheme}`);
    for (const v of await axeViolations(page)) findings.push(`timer [${scheme}]: ${v}`);
    await page.goto(`${home}/projects`);
    for (const v of await axeViolations(page)) findings.push(`projects [${scheme}]: ${v}`);
  }
  assert.deepEqual(findings, [], "no serious or critical accessibility violation");
  assert.deepEqual(unexpectedProblems(ctx), []);
  await ctx.close();
});
