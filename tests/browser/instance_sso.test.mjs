// The instance-wide OpenID provider in a real browser, under the app's Content Security Policy:
// the operator configured it (GOGOTIME_SSO_*) for example.com; someone new signs in through the
// "Sign in with Corp SSO" button and the provider's own login page (panva's oidc-provider,
// tests/fixtures/oidc_provider), gets an account in no organization and lands on "create an
// organization"; an address in another domain is refused with a page that says so. The pages
// pass the same axe scan as every other page.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { ROOT, axeViolations, freePort, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const CLIENT_ID = "gogotime-instance";
const CLIENT_SECRET = "instance-fixture-client-secret-0123456789";
let server;
let browser;
let provider;
let issuer;

/// Starts the provider fixture for the instance's redirect URI; resolves to its issuer.
async function startProvider(redirectUri) {
  provider = spawn("node", ["provider.mjs"], {
    cwd: join(ROOT, "tests/fixtures/oidc_provider"),
    env: {
      PATH: process.env.PATH,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URIS: redirectUri,
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const lines = createInterface({ input: provider.stdout });
  for await (const line of lines) return JSON.parse(line).issuer;
  throw new Error("the provider fixture printed no issuer");
}

before(async () => {
  // the provider must know the redirect URI, and the server the provider's issuer
  const port = await freePort();
  issuer = await startProvider(`http://127.0.0.1:${port}/sso/instance/callback`);
  server = await startServer(
    {
      GOGOTIME_SSO_ISSUER: issuer,
      GOGOTIME_SSO_CLIENT_ID: CLIENT_ID,
      GOGOTIME_SSO_CLIENT_SECRET: CLIENT_SECRET,
      GOGOTIME_SSO_ALLOWED_DOMAINS: "example.com",
      GOGOTIME_SSO_DISPLAY_NAME: "Corp SSO",
    },
    { port },
  );
  browser = await startBrowser();
});

after(async () => {
  provider?.kill("SIGTERM");
  await browser?.close();
  await server?.stop();
});

/// The app's own problems: the provider's pages are another origin on purpose, and its
/// development login page links a Google font (unreachable here, and none of ours).
function appProblems(context) {
  return unexpectedProblems(context).filter((p) => !p.includes(issuer) && !p.includes("https://fonts.googleapis.com/"));
}

/// Signs in at the provider's own login page (any login name is an account there).
async function providerLogin(page, login) {
  await page.locator("input[name=login]").waitFor();
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("anything");
  await page.locator("button[type=submit]").click();
}

test("instance single sign-on: the sign-in page's button makes an account in no organization, and refuses another domain", async () => {
  const findings = [];
  // someone set the instance up first: the sign-in page shows only once it has been
  const owner = await newContext(browser, server.base);
  const setup = await owner.newPage();
  await setUp(setup);

  const newcomer = await newContext(browser, server.base);
  const tab = await newcomer.newPage();
  await tab.goto("/sign-in");
  findings.push(...(await axeViolations(tab)).map((v) => `sign-in: ${v}`));
  await tab.getByRole("link", { name: "Sign in with single sign-on" }).waitFor();
  await tab.getByRole("link", { name: "Sign in with Corp SSO" }).click();
  await providerLogin(tab, "grace@example.com");
  await tab.waitForURL(`${server.base}/orgs/new`);
  findings.push(...(await axeViolations(tab)).map((v) => `new organization: ${v}`));
  await tab.goto("/account/identities");
  await tab.getByText(issuer).first().waitFor();
  const cookies = await newcomer.cookies(server.base);
  assert.ok(cookies.some((c) => c.name === "gogotime_session"), "signed in");
  assert.equal(cookies.find((c) => c.name === "gogotime_sso"), undefined, "the sign-in's cookie is used up");
  assert.deepEqual(appProblems(newcomer), [], "no CSP violation, script error or foreign request");

  // a domain the operator did not allow: a page that says so, and a way to start again
  const stranger = await newContext(browser, server.base);
  const refused = await stranger.newPage();
  await refused.goto("/sign-in");
  await refused.getByRole("link", { name: "Sign in with Corp SSO" }).click();
  await providerLogin(refused, "eve@elsewhere.net");
  await refused.getByRole("heading", { name: "Sign-in refused" }).waitFor();
  await refused.getByText("eve@elsewhere.net is not in an email domain GoGoTime accepts").waitFor();
  assert.equal(
    await refused.getByRole("link", { name: "Start the single sign-on again" }).getAttribute("href"),
    "/sso/instance",
  );
  findings.push(...(await axeViolations(refused)).map((v) => `refused: ${v}`));
  const strangerCookies = await stranger.cookies(server.base);
  assert.ok(!strangerCookies.some((c) => c.name === "gogotime_session"), "not signed in");
  assert.deepEqual(appProblems(stranger), [], "no CSP violation, script error or foreign request");

  assert.deepEqual(findings, [], "no serious or critical accessibility violation");
});
