// Links and secrets shown once (an invitation, a shared report, the calendar feed, a new API
// token) have a copy button that puts exactly the shown text on the clipboard; without
// JavaScript the button is not there and the text is still shown.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PASSWORD, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

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

/// Clicks the copy button after the element `#id` and returns what the clipboard then holds,
/// checking the status the button announces.
async function copied(page, id, label) {
  const shown = (await page.locator(`#${id}`).textContent()).trim();
  assert.ok(shown.length > 20, `#${id} shows something: ${shown}`);
  const button = page.locator(`button[data-copy="${id}"]`);
  assert.equal(await button.textContent(), label);
  await page.evaluate(() => navigator.clipboard.writeText("nothing yet"));
  await button.click();
  await page.locator(`button[data-copy="${id}"] + .copy-status`).getByText("Copied.").waitFor();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clipboard, shown);
  return clipboard;
}

test("copy buttons put the invitation, shared report, feed and token on the clipboard", async () => {
  const context = await newContext(browser, server.base);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.base });
  const page = await context.newPage();
  await setUp(page);
  const home = new URL(page.url()).pathname;

  await page.goto(`${home}/members`);
  await page.locator("#email").fill("bob@example.org");
  await page.getByRole("button", { name: "Create invitation" }).click();
  assert.match(await copied(page, "invite-link", "Copy link"), /^http:\/\/[^/]+\/invite\/\S+$/);

  await page.goto(`${home}/reports`);
  await page.locator("#share-name").fill("For the client");
  await page.getByRole("button", { name: "Create link" }).click();
  assert.match(await copied(page, "share-link", "Copy link"), /^http:\/\/[^/]+\/shared\/ggp_\S+$/);

  await page.goto("/account/tokens");
  await page.getByRole("button", { name: "Create feed address" }).click();
  assert.match(await copied(page, "feed-url", "Copy address"), /^http:\/\/[^/]+\/feeds\/\S+\.ics$/);

  await page.locator("#name").fill("script");
  await page.getByRole("button", { name: "Create token" }).click();
  await copied(page, "new-token", "Copy token");
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();

  // without JavaScript: no dead button, the link is shown
  const plain = await newContext(browser, server.base, { javaScriptEnabled: false });
  const still = await plain.newPage();
  await still.goto("/sign-in");
  await still.getByLabel("Email").fill("ada@example.org");
  await still.getByLabel("Password").fill(PASSWORD);
  await still.getByRole("button", { name: "Sign in", exact: true }).click();
  await still.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  await still.goto(`${home}/members`);
  await still.locator("#email").fill("carol@example.org");
  await still.getByRole("button", { name: "Create invitation" }).click();
  assert.match((await still.locator("#invite-link").textContent()).trim(), /\/invite\/\S+$/);
  assert.equal(await still.locator('button[data-copy="invite-link"]').isVisible(), false);
  await plain.close();
});
