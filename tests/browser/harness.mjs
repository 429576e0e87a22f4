// Starts the real gogotime binary on a free loopback port and a headless Chromium (Debian's,
// driven by playwright-core), and collects what must never happen in a page: CSP violations,
// console errors and requests to any other origin.

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
export const PASSWORD = "correct horse battery staple";
const BINARY = process.env.GOGOTIME_BIN || join(ROOT, "target/debug/gogotime");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/// The database for one server: a fresh SQLite file, or a fresh database on the PostgreSQL
/// server named by GOGOTIME_TEST_DATABASE_URL when BROWSER_BACKEND=postgres.
async function freshDatabase(dir) {
  if (process.env.BROWSER_BACKEND !== "postgres") {
    return { url: `sqlite://${join(dir, "gogotime.db")}`, drop: async () => {} };
  }
  const admin = process.env.GOGOTIME_TEST_DATABASE_URL;
  if (!admin) throw new Error("BROWSER_BACKEND=postgres needs GOGOTIME_TEST_DATABASE_URL");
  const name = `browser_${process.pid}_${Date.now()}`;
  await psql(admin, `create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => psql(admin, `drop database if exists ${name} with (force)`) };
}

function psql(url, sql) {
  return new Promise((ok, fail) => {
    const child = spawn("psql", [url, "-v", "ON_ERROR_STOP=1", "-qc", sql], { stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`psql exited ${code}: ${sql}`))));
  });
}

/// `env` adds to (or replaces) the server's environment, e.g. an SMTP server for email.
/// `host` names the server in its public URL: passkeys need a domain ("localhost"), not an
/// IP address, as their relying party id.
/// `port`: one the caller reserved with `freePort`, when something started before the server
/// must know its address (the instance's OpenID provider registers its redirect URI).
export async function startServer(env = {}, { host = "127.0.0.1", port: chosen } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gogotime-browser-"));
  const port = chosen ?? (await freePort());
  const db = await freshDatabase(dir);
  const base = `http://${host}:${port}`;
  const child = spawn(BINARY, ["serve"], {
    env: {
      PATH: process.env.PATH,
      GOGOTIME_ENV: "development",
      DATABASE_URL: db.url,
      GOGOTIME_BIND: `127.0.0.1:${port}`,
      GOGOTIME_PUBLIC_URL: base,
      GOGOTIME_METRICS_BIND: "",
      JWT_SECRET: "browser-test-secret-that-is-long-enough-for-hs256",
      GOGOTIME_LOG: "warn",
      GOGOTIME_SHUTDOWN_DELAY_SECONDS: "0",
      GOGOTIME_REGISTRATION: "open",
      ...env,
    },
    stdio: ["ignore", "inherit", "pipe"],
  });
  // the server's log is passed through and kept: a panic while serving fails the run even when
  // every page looked right (a streamed download once died that way after its headers)
  const log = [];
  child.stderr.on("data", (chunk) => {
    process.stderr.write(chunk);
    log.push(chunk.toString());
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gogotime exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/system/health/live`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("gogotime did not start within 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    /// Lines of the server's log that report a panic.
    panics() {
      return log.join("").split("\n").filter((line) => line.includes("panicked"));
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
      const panics = this.panics();
      if (panics.length) throw new Error(`the server panicked while serving:\n${panics.join("\n")}`);
    },
  };
}

export async function startBrowser() {
  // BROWSER_HEADED=1 shows the window (on a display) and slows each action down to be followed
  const headed = process.env.BROWSER_HEADED === "1";
  // playwright gives the browser a fresh temporary profile of its own
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: !headed,
    slowMo: headed ? 250 : 0,
    args: [
      ...(headed ? [] : ["--headless"]),
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/// A fresh browser context (its own cookies) whose pages are watched for CSP violations,
/// console errors, failed same-origin requests and requests to other origins.
export async function newContext(browser, base, options = {}) {
  const context = await browser.newContext({ baseURL: base, ...options });
  const problems = [];
  const origin = new URL(base).origin;
  context.on("page", (page) => watch(page, origin, problems));
  context.problems = problems;
  return context;
}

function watch(page, origin, problems) {
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`script error on ${page.url()}: ${err.message}`));
  page.on("request", (req) => {
    const url = req.url();
    if (url.startsWith("data:")) return;
    if (new URL(url).origin !== origin) problems.push(`request to another origin: ${url}`);
  });
}

/// Expected 4xx answers (e.g. a 422 form) also log a console error in Chromium; drop those.
export function unexpectedProblems(context) {
  return context.problems.filter((p) => !/Failed to load resource: the server responded with a status of (4\d\d)/.test(p));
}

export const SCREENSHOTS = join(ROOT, "target/screenshots");
mkdirSync(SCREENSHOTS, { recursive: true });

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/// The serious and critical axe violations of the open page, one line each (axe is evaluated
/// through DevTools, so the page's CSP stays on).
export async function axeViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  });
}

/// First-run setup through its page, as a newcomer does it: the owner's account and their
/// organization. Leaves `page` on the organization's home page and returns its path (`/o/<id>`).
export async function setUp(page, { name = "Ada Lovelace", email = "ada@example.org", organization = "Analytical Engines", timeZone = "Europe/Berlin" } = {}) {
  await page.goto("/setup");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill(organization);
  await page.getByLabel("Time zone").fill(timeZone);
  await page.getByRole("button", { name: "Create account and organization" }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname;
}
