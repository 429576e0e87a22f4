// Two-factor sign-in in a real browser, under the real Content Security Policy: the setup page
// with its server-drawn QR code, turning it on with a code from an independent implementation
// (Python's pyotp), and signing in with the code step after the password; and an organization that
// requires it sending a member who has none to the guided setup, then letting them in.

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

/// Registers `name` with a new organization `org` (the first account sets GoGoTime up); leaves
/// `page` on the organization's home.
async function register(page, name, email, org, { first = false } = {}) {
  await page.goto(first ? "/" : "/register");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill(org);
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: first ? "Create account and organization" : "Create account" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
}

/// Turns two-factor sign-in on from the account menu, as a person does; the secret.
async function turnOnTwoFactor(page) {
  await page.locator("details.menu summary").click();
  await page.getByRole("link", { name: "Two-factor" }).click();
  return setUp(page);
}

/// On the two-factor page: sets it up, first with a wrong code, then a right one; the secret.
async function setUp(page) {
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
  return secret;
}

test("two-factor is set up from the account page and asked for after the password", async () => {
  const owner = await newContext(browser, server.base);
  const page = await owner.newPage();
  await register(page, "Grace Hopper", EMAIL, "Compilers", { first: true });
  const secret = await turnOnTwoFactor(page);
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

test("an organization that requires two-factor walks a member through setting it up", async () => {
  const owner = await newContext(browser, server.base);
  const page = await owner.newPage();
  await register(page, "Ada Lovelace", "ada@example.org", "Engines");
  const home = new URL(page.url()).pathname;
  await turnOnTwoFactor(page);
  await page.goto(`${home}/members`);
  await page.locator("#email").fill("bob@example.org");
  await page.locator("#role").selectOption("member");
  await page.getByRole("button", { name: "Create invitation" }).click();
  const link = (await page.locator("#invite-link").textContent()).trim();

  const member = await newContext(browser, server.base);
  const bob = await member.newPage();
  await bob.goto(new URL(link).pathname);
  await bob.getByLabel("Your name").fill("Bob");
  await bob.getByLabel("Password").fill(PASSWORD);
  await bob.getByRole("button", { name: "Create account and join" }).click();
  await bob.waitForURL(new RegExp(`${home}$`));

  await page.goto(`${home}/settings`);
  await page.getByLabel("Require two-factor sign-in of every member").check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.waitForURL(new RegExp(`${home}/settings`));
  assert.equal(await page.getByLabel("Require two-factor sign-in of every member").isChecked(), true);

  // Bob's next page in the organization sends him to set it up, saying why
  await bob.goto(`${home}/entries`);
  await bob.waitForURL(/\/account\/two-factor$/);
  assert.equal(
    (await bob.locator("#two-factor-required").textContent()).replace(/\s+/g, " ").trim(),
    "Engines requires two-factor sign-in of its members. Set it up here to continue; until then it stays closed to you.",
  );
  await setUp(bob);
  await bob.locator("#continue").click();
  await bob.goto(`${home}/entries`);
  await bob.waitForURL(new RegExp(`${home}/entries$`));
  await bob.locator("#entries-title").waitFor();
  assert.deepEqual(unexpectedProblems(owner), [], "no CSP violation, script error or foreign request");
  assert.deepEqual(unexpectedProblems(member), [], "no CSP violation, script error or foreign request");
  await owner.close();
  await member.close();
});
