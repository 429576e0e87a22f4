// Passkeys in a real browser, under the real Content Security Policy, with Chromium's virtual
// authenticator (DevTools WebAuthn domain: CTAP2, internal transport, resident keys, user
// verification): add one on the profile, sign out, sign in with it and no password, remove it;
// then use one as the second factor after the password. The server is named "localhost": a
// passkey's relying party id must be a domain, not an IP address.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { PASSWORD, newContext, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const EMAIL = "grace@example.org";
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

/// Serious or critical accessibility findings on the open page (axe through DevTools, so the
/// page's CSP stays on).
async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help}`);
  });
}

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
  assert.deepEqual(await axe(page), [], "the passkeys page passes axe");

  // password-less: no email, no password
  await signOut(page);
  assert.deepEqual(await axe(page), [], "the sign-in page passes axe");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);

  await page.goto("/account/passkeys");
  await page.getByLabel("Current password to remove Laptop").fill(PASSWORD);
  await page.getByRole("button", { name: "Remove Laptop" }).click();
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
  assert.deepEqual(await axe(page), [], "the second-factor page passes axe");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  const cookies = await context.cookies();
  assert.equal(cookies.find((c) => c.name === "gogotime_sign_in"), undefined, "the challenge is over");
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();
});
