// Single sign-on in a real browser, under the app's Content Security Policy: an owner sets up
// the organization's provider on the settings page, then someone new signs in through the
// provider's own login page (panva's oidc-provider, tests/fixtures/oidc_provider) and lands in
// the organization; an existing account is connected only after its password. With password
// sign-in turned off, a member's password session is refused the organization and offered the
// provider. The new pages pass the same axe scan as every other page.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { PASSWORD, ROOT, axeViolations, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const CLIENT_ID = "gogotime-browser";
const CLIENT_SECRET = "browser-fixture-client-secret-0123456789";
let server;
let browser;
let provider;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  provider?.kill("SIGTERM");
  await browser?.close();
  await server?.stop();
});

/// Starts the provider fixture for the organization's redirect URI; resolves to its issuer.
async function startProvider(org) {
  provider = spawn("node", ["provider.mjs"], {
    cwd: join(ROOT, "tests/fixtures/oidc_provider"),
    env: {
      PATH: process.env.PATH,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URIS: `${server.base}/sso/${org}/callback`,
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const lines = createInterface({ input: provider.stdout });
  for await (const line of lines) return JSON.parse(line).issuer;
  throw new Error("the provider fixture printed no issuer");
}

/// The app's own problems: the provider's pages are another origin on purpose, and its
/// development login page links a Google font (unreachable here, and none of ours).
function appProblems(context, issuer) {
  return unexpectedProblems(context).filter((p) => !p.includes(issuer) && !p.includes("https://fonts.googleapis.com/"));
}

/// Signs in at the provider's own login page (any login name is an account there).
async function providerLogin(page, login) {
  await page.locator("input[name=login]").waitFor();
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("anything");
  await page.locator("button[type=submit]").click();
}

test("single sign-on: set up by the owner, used by a newcomer, linked by an existing account, required of members", async () => {
  const findings = [];
  const owner = await newContext(browser, server.base);
  const page = await owner.newPage();
  await setUp(page);
  const home = new URL(page.url()).pathname;
  const org = home.split("/").pop();
  const issuer = await startProvider(org);

  await page.goto(`${home}/settings`);
  await page.getByRole("link", { name: "Single sign-on settings" }).click();
  findings.push(...(await axeViolations(page)).map((v) => `sso settings: ${v}`));
  await page.getByLabel(/Provider name/).fill("Test IdP");
  await page.getByLabel(/Issuer URL/).fill(issuer);
  await page.getByLabel("Client ID").fill(CLIENT_ID);
  await page.getByLabel(/Client secret/).fill(CLIENT_SECRET);
  await page.getByLabel(/Allowed email domains/).fill("example.com\nexample.org");
  await page.getByRole("button", { name: "Save single sign-on" }).click();
  await page.getByText("Single sign-on settings saved.").waitFor();
  assert.equal(await page.getByLabel(/Client secret/).inputValue(), "", "the secret is never shown back");
  assert.deepEqual(appProblems(owner, issuer), [], "no CSP violation, script error or foreign request");

  // someone new: from the sign-in page, by their work email, through the provider's login page
  const newcomer = await newContext(browser, server.base);
  const tab = await newcomer.newPage();
  await tab.goto("/sign-in");
  await tab.getByRole("link", { name: "Sign in with single sign-on" }).click();
  findings.push(...(await axeViolations(tab)).map((v) => `sso find: ${v}`));
  await tab.getByLabel("Work email").fill("grace@example.com");
  await tab.getByRole("button", { name: "Continue" }).click();
  findings.push(...(await axeViolations(tab)).map((v) => `sso choices: ${v}`));
  await tab.getByRole("link", { name: "Analytical Engines" }).click();
  await providerLogin(tab, "grace@example.com");
  await tab.waitForURL(`${server.base}${home}`);
  await tab.goto("/account/identities");
  await tab.getByText(issuer).first().waitFor();
  findings.push(...(await axeViolations(tab)).map((v) => `identities: ${v}`));
  const cookies = await newcomer.cookies(server.base);
  assert.ok(cookies.some((c) => c.name === "gogotime_session"), "signed in");
  const sso = cookies.find((c) => c.name === "gogotime_sso");
  assert.equal(sso, undefined, "the sign-in's cookie is used up");
  assert.deepEqual(appProblems(newcomer, issuer), [], "no CSP violation, script error or foreign request");

  // the owner's own address: asked for the password before anything is connected
  const returning = await newContext(browser, server.base);
  const again = await returning.newPage();
  await again.goto(`/sso/${org}`);
  await providerLogin(again, "ada@example.org");
  await again.waitForURL(/\/sso\/[0-9a-f-]{36}\/link$/);
  findings.push(...(await axeViolations(again)).map((v) => `link: ${v}`));
  await again.getByLabel(/Password of/).fill("not the password");
  await again.getByRole("button", { name: "Connect and sign in" }).click();
  await again.locator("#password-error").waitFor();
  await again.getByLabel(/Password of/).fill(PASSWORD);
  await again.getByRole("button", { name: "Connect and sign in" }).click();
  await again.waitForURL(`${server.base}${home}`);
  await again.getByText("Your single sign-on is connected").waitFor();

  // a domain the organization does not accept: a page that says so
  const stranger = await newContext(browser, server.base);
  const refused = await stranger.newPage();
  await refused.goto(`/sso/${org}`);
  await providerLogin(refused, "eve@elsewhere.net");
  await refused.getByRole("heading", { name: "Sign-in refused" }).waitFor();
  await refused.getByText("not in an email domain this organization accepts").waitFor();
  findings.push(...(await axeViolations(refused)).map((v) => `refused: ${v}`));

  // a member who joined with a password, before password sign-in is turned off
  await page.goto(`${home}/members`);
  await page.locator("#email").fill("bob@example.com");
  await page.locator("#role").selectOption("member");
  await page.getByRole("button", { name: "Create invitation" }).click();
  const invite = new URL((await page.locator("#invite-link").textContent()).trim()).pathname;
  const member = await newContext(browser, server.base);
  const bob = await member.newPage();
  await bob.goto(invite);
  await bob.getByLabel("Your name").fill("Bob");
  await bob.getByLabel("Password").fill(PASSWORD);
  await bob.getByRole("button", { name: "Create account and join" }).click();
  await bob.waitForURL(`${server.base}${home}`);

  // the owner turns password sign-in off (owners stay exempt: the way back in)
  await page.goto(`${home}/settings/sso`);
  await page.getByRole("button", { name: "Turn password sign-in off" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Turn password sign-in off" }).click();
  await page.getByText("Password sign-in is off").first().waitFor();
  findings.push(...(await axeViolations(page)).map((v) => `sso settings, passwords off: ${v}`));
  await page.goto(home);
  assert.equal(new URL(page.url()).pathname, home, "the owner still gets in with a password");

  // the member's password session is refused, and offered the provider
  await bob.goto(home);
  await bob.getByRole("heading", { name: "Analytical Engines uses single sign-on" }).waitFor();
  findings.push(...(await axeViolations(bob)).map((v) => `sso required: ${v}`));
  await bob.getByRole("link", { name: "Sign in with Test IdP" }).click();
  await providerLogin(bob, "bob@example.com");
  await bob.waitForURL(/\/sso\/[0-9a-f-]{36}\/link$/);
  await bob.getByLabel(/Password of/).fill(PASSWORD);
  await bob.getByRole("button", { name: "Connect and sign in" }).click();
  await bob.waitForURL(`${server.base}${home}`);
  await bob.getByText("Nothing tracked this week yet").waitFor();
  assert.deepEqual(appProblems(member, issuer), [], "no CSP violation, script error or foreign request");

  assert.deepEqual(findings, [], "no serious or critical accessibility violation");
});
