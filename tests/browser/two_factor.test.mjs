// Two-factor sign-in in a real browser, under the real Content Security Policy: the setup page
// with its server-drawn QR code, turning it on with a code from an independent implementation
// (Python's pyotp), and signing in with the code step after the password.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { PASSWORD, newContext, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const EMAIL = "grace@example.org";
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

/// The code of `secret` `offset` seconds from now, as pyotp computes it.
function code(secret, offset = 0) {
  const at = Math.floor(Date.now() / 1000) + offset;
  const script = "import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))";
  return execFileSync("python3", ["-c", script, secret, String(at)]).toString().trim();
}

test("two-factor is set up from the account page and asked for after the password", async () => {
  const owner = await newContext(browser, server.base);
  const page = await owner.newPage();
  await page.goto("/");
  await page.getByLabel("Your name").fill("Grace Hopper");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill("Compilers");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Create account and organization" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);

  // the account menu in the header leads there
  await page.locator("details.menu summary").click();
  await page.getByRole("link", { name: "Two-factor" }).click();
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const qr = page.locator("figure.qr svg");
  await qr.waitFor();
  const box = await qr.boundingBox();
  assert.ok(box && box.width >= 100, `the QR code is drawn large enough to scan: ${JSON.stringify(box)}`);
  const secret = (await page.locator("#totp-secret").textContent()).trim();
  await page.getByLabel("Code from the app").fill(code(secret, 600));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.locator("#code-error").waitFor();
  await page.getByLabel("Code from the app").fill(code(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.locator("#recovery-codes").waitFor();
  assert.equal(await page.locator("#recovery-codes li").count(), 10);
  assert.deepEqual(unexpectedProblems(owner), [], "no CSP violation, script error or foreign request");
  await owner.close();

  const later = await newContext(browser, server.base);
  const signIn = await later.newPage();
  await signIn.goto("/sign-in");
  await signIn.getByLabel("Email").fill(EMAIL);
  await signIn.getByLabel("Password").fill(PASSWORD);
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await signIn.waitForURL(/\/sign-in\/two-factor/);
  await signIn.getByLabel("Code", { exact: true }).fill(code(secret, 600));
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await signIn.locator("#code-error").waitFor();
  // the step after the one that turned it on: within the accepted window, and not used yet
  await signIn.getByLabel("Code", { exact: true }).fill(code(secret, 30));
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await signIn.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  const cookies = await later.cookies();
  const challenge = cookies.find((c) => c.name === "gogotime_sign_in");
  assert.equal(challenge, undefined, "the challenge cookie is gone once signed in");
  assert.deepEqual(unexpectedProblems(later), [], "no CSP violation, script error or foreign request");
  await later.close();
});
