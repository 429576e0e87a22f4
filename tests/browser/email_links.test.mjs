// Links that arrive by email, followed in a real browser: the app sends through a real SMTP
// server (aiosmtpd, tests/fixtures/smtp_server.py), the test reads the messages it captured and
// opens their links in Chromium. Registration → verification link → "Confirm this address" →
// verified; forgotten password → reset link → new password → signed in; invitation → link → joined.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { PASSWORD, ROOT, newContext, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

const OWNER = "ada@example.org";
const NEW_PASSWORD = "an entirely new passphrase 9";
let smtp;
let server;
let browser;

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/// The SMTP fixture: started, ready, and its captured messages readable.
async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), "gogotime-mail-"));
  const port = await freePort();
  const child = spawn("python3", [join(ROOT, "tests/fixtures/smtp_server.py"), dir, String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("the SMTP server did not start (pip install aiosmtpd)")), 20_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      line === `ready ${port}` ? ok() : fail(new Error(`unexpected: ${line}`));
    });
  });
  return {
    port,
    messages() {
      return readdirSync(dir)
        .filter((n) => n.endsWith(".json") && !n.startsWith("."))
        .sort()
        .map((n) => JSON.parse(readFileSync(join(dir, n), "utf8")));
    },
    /// The first message to `to` whose subject matches, waiting up to 20 s for it.
    async waitFor(to, subject) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = this.messages().find((m) => m.rcpt_tos.includes(to) && subject.test(m.subject));
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`no message to ${to} matching ${subject}; got ${JSON.stringify(this.messages().map((m) => [m.rcpt_tos, m.subject]))}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/// The link starting with `prefix` in the message's text part; the HTML part links to it too.
function linkIn(message, prefix) {
  const start = message.text.indexOf(prefix);
  assert.ok(start >= 0, `no ${prefix} in ${message.text}`);
  const link = message.text.slice(start).split(/\s/)[0];
  assert.ok(message.html.includes(`href="${link}"`), message.html);
  return link;
}

before(async () => {
  smtp = await startSmtp();
  server = await startServer({
    GOGOTIME_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    GOGOTIME_MAIL_FROM: "GoGoTime <time@example.org>",
    GOGOTIME_MAIL_RETRY_MAX_SECONDS: "1",
  });
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  smtp?.stop();
});

async function signIn(context, email, password) {
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  return page;
}

test("the link a registration sends verifies the address", async () => {
  const context = await newContext(browser, server.base);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("Your name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(OWNER);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill("Engines");
  await page.getByLabel("Time zone").fill("Europe/London");
  await page.getByRole("button", { name: "Create account and organization" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  await page.goto("/account/profile");
  assert.equal((await page.locator("#email-state").textContent()).replace(/\s+/g, " ").trim(), `${OWNER} — not verified`);

  const message = await smtp.waitFor(OWNER, /^Confirm your GoGoTime email address$/);
  const link = linkIn(message, `${server.base}/verify-email/`);
  // opening the link only asks: a mail scanner that opens it proves nothing
  await page.goto(link);
  assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Confirm your email address");
  assert.equal((await page.locator("main p").first().textContent()).replace(/\s+/g, " ").trim(), `Confirm that ${OWNER} is the address of your GoGoTime account.`);
  await page.reload();
  await page.getByRole("button", { name: "Confirm this address" }).click();
  await page.getByRole("heading", { level: 1, name: "Email address verified" }).waitFor();
  assert.equal((await page.locator("main p").first().textContent()).trim(), `${OWNER} is verified: it is the address of your account.`);

  await page.goto("/account/profile");
  assert.equal((await page.locator("#email-state").textContent()).replace(/\s+/g, " ").trim(), `${OWNER} — verified`);
  assert.equal(await page.getByRole("button", { name: "Send the link again" }).count(), 0);
  const activity = await page.locator("#security-activity tbody td:first-child").allTextContents();
  assert.ok(activity.includes("email.verified"), JSON.stringify(activity));

  // the link worked once
  await page.goto(link);
  assert.match(await page.locator("main").textContent(), /This verification link is not valid/);
  assert.equal(await page.getByRole("button", { name: "Confirm this address" }).count(), 0);
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();
});

test("a forgotten password is set again through the emailed link", async () => {
  const context = await newContext(browser, server.base);
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(OWNER);
  await page.getByRole("button", { name: "Send me a link" }).click();
  await page.getByText("If an account uses that address, we sent it a link").waitFor();

  const message = await smtp.waitFor(OWNER, /^Reset your GoGoTime password$/);
  await page.goto(linkIn(message, `${server.base}/reset-password/`));
  await page.locator("#password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL(/\/sign-in$/);
  await page.getByLabel("Email").fill(OWNER);
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);

  const notice = await smtp.waitFor(OWNER, /^Your GoGoTime password was changed$/);
  assert.match(notice.text, /changed with a reset link/);
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();
});

test("an emailed invitation's link lets the invitee join", async () => {
  const admin = await newContext(browser, server.base);
  const home = await signIn(admin, OWNER, NEW_PASSWORD);
  const org = new URL(home.url()).pathname;
  await home.goto(`${org}/members`);
  const form = home.locator(`form[action="${org}/invitations"]`);
  await form.getByLabel("Email").fill("bea@example.org");
  await form.getByLabel("Role").selectOption("member");
  await form.getByRole("button", { name: "Create invitation" }).click();
  await home.getByText("Invitation created and emailed to").waitFor();

  const message = await smtp.waitFor("bea@example.org", /^You are invited to join Engines on GoGoTime$/);
  const invitee = await newContext(browser, server.base);
  const page = await invitee.newPage();
  await page.goto(linkIn(message, `${server.base}/invite/`));
  await page.getByLabel("Your name").fill("Bea");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await page.waitForURL(new RegExp(`${org}$`));

  // following the emailed link proved the address: no verification message was needed
  await page.goto("/account/profile");
  assert.equal((await page.locator("#email-state").textContent()).replace(/\s+/g, " ").trim(), "bea@example.org — verified");
  assert.equal(smtp.messages().filter((m) => m.rcpt_tos.includes("bea@example.org")).length, 1);
  await home.goto(`${org}/members`);
  assert.ok((await home.locator("main").textContent()).includes("bea@example.org"));
  assert.deepEqual(unexpectedProblems(admin), [], "no CSP violation, script error or foreign request");
  assert.deepEqual(unexpectedProblems(invitee), [], "no CSP violation, script error or foreign request");
  await admin.close();
  await invitee.close();
});
