// Passkeys in a real browser, under the real Content Security Policy, with Chromium's virtual
// authenticator (DevTools WebAuthn domain: CTAP2, internal transport, resident keys, user
// verification): add one on the profile, rename it, sign out, sign in with it and no password,
// remove it; then use one as the second factor after the password (no code field when it is the
// only one). Then the same ceremonies in a browser without the WebAuthn JSON helpers (older
// Safari and Firefox), where static/passkeys.js converts the options and the answer itself. The server is named "localhost": a
// passkey's relying party id must be a domain, not an IP address.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PASSWORD, axeViolations, newContext, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const EMAIL = "grace@example.org";
const OLD_BROWSER_EMAIL = "katherine@example.org";
let server;
let browser;

before(async () => {
  server = await startServer({}, { host: "localhost" });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/// A virtual platform authenticator for `page`, as a phone or laptop with a screen lock has.
async function virtualAuthenticator(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    async credentials() {
      return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
    },
  };
}

async function addPasskey(page, name) {
  await page.goto("/account/passkeys");
  await page.getByLabel("Name of the new passkey").fill(name);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByRole("cell", { name, exact: true }).waitFor();
}

async function signOut(page) {
  await page.locator("details.menu summary").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in/);
}

test("a passkey is added, signs in without a password, is removed, and is a second factor", async () => {
  const context = await newContext(browser, server.base);
  const page = await context.newPage();
  const device = await virtualAuthenticator(context, page);
  await page.goto("/");
  await page.getByLabel("Your name").fill("Grace Hopper");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill("Compilers");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByRole("button", { name: "Create account and organization" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);

  await page.locator("details.menu summary").click();
  await page.getByRole("link", { name: "Passkeys" }).click();
  await page.getByText("You have no passkey yet.").waitFor();
  await addPasskey(page, "Laptop");
  const stored = await device.credentials();
  assert.equal(stored.length, 1, "the authenticator keeps one credential");
  assert.equal(stored[0].isResidentCredential, true, "a discoverable credential (a passkey)");
  assert.deepEqual(await axeViolations(page), [], "the passkeys page passes axe");
  await page.getByLabel("New name for Laptop").fill("Work laptop");
  await page.getByRole("button", { name: "Rename Laptop" }).click();
  await page.getByText('Passkey renamed to "Work laptop".').waitFor();
  assert.deepEqual(await page.locator("table.data tbody td:first-child").allTextContents(), ["Work laptop"]);

  // password-less: no email, no password
  await signOut(page);
  assert.deepEqual(await axeViolations(page), [], "the sign-in page passes axe");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);

  await page.goto("/account/passkeys");
  await page.getByLabel("Current password to remove Work laptop").fill(PASSWORD);
  await page.getByRole("button", { name: "Remove Work laptop" }).click();
  await page.getByText("You have no passkey yet.").waitFor();

  // removed: the authenticator still offers it, the server refuses it
  await signOut(page);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await page.getByText("That passkey did not sign you in").waitFor();

  // the second factor after the password
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  await addPasskey(page, "Phone");
  await signOut(page);
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/sign-in\/two-factor/);
  // a passkey is her only second factor: no code to ask for
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Confirm with your passkey");
  assert.equal(await page.getByLabel("Code").count(), 0);
  assert.deepEqual(await axeViolations(page), [], "the second-factor page passes axe");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  const cookies = await context.cookies();
  assert.equal(cookies.find((c) => c.name === "gogotime_sign_in"), undefined, "the challenge is over");
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();
});

test("browsers without the WebAuthn JSON helpers register and sign in with a passkey", async () => {
  const context = await newContext(browser, server.base);
  // as Safari before 17.4 and Firefox before 119: no parse…FromJSON, no credential.toJSON()
  await context.addInitScript(() => {
    if (!window.PublicKeyCredential) return; // about:blank is no secure context
    delete PublicKeyCredential.parseCreationOptionsFromJSON;
    delete PublicKeyCredential.parseRequestOptionsFromJSON;
    delete PublicKeyCredential.prototype.toJSON;
  });
  const page = await context.newPage();
  const device = await virtualAuthenticator(context, page);
  // the set-up form when this test runs alone, else the registration form
  await page.goto("/");
  const first = !page.url().includes("/sign-in");
  if (!first) await page.goto("/register");
  await page.getByLabel("Your name").fill("Katherine Johnson");
  await page.getByLabel("Email").fill(OLD_BROWSER_EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill("Trajectories");
  await page.getByLabel("Time zone").fill("America/New_York");
  await page.getByRole("button", { name: first ? "Create account and organization" : "Create account" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  const helpers = () => [PublicKeyCredential.parseCreationOptionsFromJSON, PublicKeyCredential.parseRequestOptionsFromJSON, PublicKeyCredential.prototype.toJSON].map((f) => typeof f);
  assert.deepEqual(await page.evaluate(helpers), ["undefined", "undefined", "undefined"]);

  await addPasskey(page, "Old laptop");
  assert.equal((await device.credentials()).length, 1);
  await signOut(page);
  assert.deepEqual(await page.evaluate(helpers), ["undefined", "undefined", "undefined"]);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  await page.goto("/account/passkeys");
  assert.notEqual(await page.locator("table.data tbody td:nth-child(3)").textContent(), "Never", "the sign-in used it");
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();
});
