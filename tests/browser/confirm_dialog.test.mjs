// Destructive buttons ask in an in-page dialog, not the browser's confirm() box: Cancel is
// focused, Escape cancels and gives focus back to the button, the action button does what the
// button would have done. After an action the page comes back on the row it touched.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { PASSWORD, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

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

/// Serious and critical axe findings (evaluated through the DevTools protocol: the CSP stays on).
async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
}

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return { tag: e.tagName, id: e.id, text: e.textContent.replace(/\s+/g, " ").trim() };
});

test("deleting a tag asks in a dialog: Escape keeps it, confirming deletes it", async () => {
  const context = await newContext(browser, server.base);
  const page = await context.newPage();
  page.on("dialog", () => assert.fail("no browser confirm() box"));
  await setUp(page);
  const home = new URL(page.url()).pathname;
  const org = home.split("/")[2];
  const tagNames = () => page.evaluate(async (url) => (await (await fetch(url)).json()).map((t) => t.name),
    `/api/v1/organizations/${org}/tags`);

  // the empty list says what tags are for and leads to the form
  await page.goto(`${home}/tags`);
  await page.getByRole("link", { name: "Create your first tag" }).click();
  assert.equal(new URL(page.url()).hash, "#new-name");
  await page.locator("#new-name").fill("urgent");
  await page.getByRole("button", { name: "Create tag" }).click();

  // back on the new row, named in the notice, focus on the row
  await page.getByRole("status").filter({ hasText: "Tag “urgent” created." }).waitFor();
  const hash = new URL(page.url()).hash;
  assert.match(hash, /^#tag-[0-9a-f-]{36}$/);
  assert.equal((await focused(page)).id, hash.slice(1));
  assert.equal(await page.locator(".empty-state").count(), 0);

  // Delete opens the dialog with the question; Cancel has the focus
  const remove = page.getByRole("button", { name: "Delete urgent" });
  await remove.click();
  const dialog = page.getByRole("dialog", { name: "Delete tag urgent?" });
  await dialog.waitFor();
  assert.deepEqual(await focused(page), { tag: "BUTTON", id: "", text: "Cancel" });
  assert.equal(await dialog.getByRole("button").count(), 2);
  await dialog.getByRole("button", { name: "Delete urgent" }).waitFor();
  const findings = [];
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const v of await axe(page)) findings.push(`[${scheme}] ${v}`);
  }
  assert.deepEqual(findings, [], "no serious or critical accessibility finding with the dialog open");

  // Escape cancels: the tag stays, focus is back on its Delete button
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.deepEqual(await focused(page), { tag: "BUTTON", id: "", text: "Delete urgent" });
  assert.deepEqual(await tagNames(), ["urgent"]);
  assert.equal(await page.locator("tbody#tag-rows tr").count(), 1);

  // Cancel by its button too
  await remove.click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  assert.deepEqual(await tagNames(), ["urgent"]);

  // confirming deletes it
  await remove.click();
  await dialog.getByRole("button", { name: "Delete urgent" }).click();
  await page.getByRole("status").filter({ hasText: "Tag “urgent” deleted." }).waitFor();
  assert.equal(new URL(page.url()).hash, "#tags-title");
  assert.deepEqual(await tagNames(), []);
  await page.getByText("No tags yet.").waitFor();
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();

  // without JavaScript the button simply submits
  const plain = await newContext(browser, server.base, { javaScriptEnabled: false });
  const still = await plain.newPage();
  await still.goto("/sign-in");
  await still.getByLabel("Email").fill("ada@example.org");
  await still.getByLabel("Password").fill(PASSWORD);
  await still.getByRole("button", { name: "Sign in", exact: true }).click();
  await still.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  await still.goto(`${home}/tags`);
  await still.locator("#new-name").fill("later");
  await still.getByRole("button", { name: "Create tag" }).click();
  await still.getByText("Tag “later” created.").waitFor();
  await still.getByRole("button", { name: "Delete later" }).click();
  await still.getByText("Tag “later” deleted.").waitFor();
  await plain.close();
});
