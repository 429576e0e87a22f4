// Report presets: the reports page opens on "This week", and each named period (Today,
// Yesterday, This week, Last week, This month, Last month, This year) is a link that shows the
// report over exactly that range; "Custom" leads to the date fields. Checked against entries
// made through the API on known days, with the totals compared to the exact sums, and with axe
// (no serious or critical violation) in light and dark mode.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PASSWORD, axeViolations, newContext, setUp, startBrowser, startServer, unexpectedProblems } from "./harness.mjs";

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

const DAY = 86_400_000;
const iso = (date) => date.toISOString().slice(0, 10);

/// The days each preset covers, for `today` (a UTC midnight) and weeks starting on Monday, as
/// the person's profile says by default.
function ranges(today) {
  const monday = new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * DAY);
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  return {
    Today: [today, today],
    Yesterday: [new Date(today.getTime() - DAY), new Date(today.getTime() - DAY)],
    "This week": [monday, new Date(monday.getTime() + 6 * DAY)],
    "Last week": [new Date(monday.getTime() - 7 * DAY), new Date(monday.getTime() - DAY)],
    "This month": [new Date(Date.UTC(y, m, 1)), new Date(Date.UTC(y, m + 1, 0))],
    "Last month": [new Date(Date.UTC(y, m - 1, 1)), new Date(Date.UTC(y, m, 0))],
    "This year": [new Date(Date.UTC(y, 0, 1)), new Date(Date.UTC(y, 11, 31))],
  };
}

/// "H:MM" as the report prints a total.
const hm = (minutes) => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;

test("the report presets show exactly their ranges, This week first", async () => {
  const context = await newContext(browser, server.base);
  const page = await context.newPage();
  await setUp(page, { timeZone: "UTC" });
  const home = new URL(page.url()).pathname;
  const org = home.split("/")[2];

  const api = async (method, path, body) => {
    const response = await fetch(`${server.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  let token = "";
  token = (await api("POST", "/auth/token", { email: "ada@example.org", password: PASSWORD })).access_token;

  // entries of different lengths on days that fall in different presets, each in the past
  const now = new Date();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const days = [
    [new Date(today.getTime() - DAY), 10], // yesterday
    [new Date(today.getTime() - 7 * DAY), 20], // the same weekday last week
    [new Date(today.getTime() - 40 * DAY), 40], // last month or before
    [new Date(today.getTime() - 400 * DAY), 80], // last year: in no preset
  ];
  for (const [day, minutes] of days) {
    const start = new Date(day.getTime() + 9 * 3_600_000);
    await api("POST", `/organizations/${org}/time-entries`, {
      start: start.toISOString(),
      end: new Date(start.getTime() + minutes * 60_000).toISOString(),
      description: `${minutes} minutes`,
    });
  }
  const expected = (label) => {
    const [from, to] = ranges(today)[label];
    return days.filter(([day]) => day >= from && day <= to).reduce((sum, [, minutes]) => sum + minutes, 0);
  };
  const total = async () => (await page.locator("dl.totals dt", { hasText: "Total time" }).locator("+ dd").textContent()).trim();

  await page.goto(`${home}/reports`);
  const periods = page.getByRole("navigation", { name: "Period" });
  assert.equal(await periods.locator('[aria-current="true"]').textContent(), "This week");
  assert.equal(await page.locator("#r-from").inputValue(), iso(ranges(today)["This week"][0]));
  assert.equal(await total(), hm(expected("This week")));

  for (const label of ["Today", "Yesterday", "Last week", "This month", "Last month", "This year", "This week"]) {
    await periods.getByRole("link", { name: label, exact: true }).click();
    await page.waitForLoadState();
    assert.equal(await periods.locator('[aria-current="true"]').textContent(), label, `${label} is marked current`);
    const [from, to] = ranges(today)[label];
    assert.equal(await page.locator("#r-from").inputValue(), iso(from), `${label} starts on ${iso(from)}`);
    assert.equal(await page.locator("#r-to").inputValue(), iso(to), `${label} ends on ${iso(to)}`);
    assert.equal(await total(), hm(expected(label)), `${label}: the entries inside ${iso(from)}–${iso(to)}`);
  }

  // a range no preset names is "Custom", and Custom leads to the date fields
  // (27 days: no week, month or year is that long)
  const custom = [new Date(today.getTime() - 30 * DAY), new Date(today.getTime() - 4 * DAY)];
  await page.goto(`${home}/reports?from=${iso(custom[0])}&to=${iso(custom[1])}`);
  assert.equal(await periods.locator('[aria-current="true"]').textContent(), "Custom");
  assert.equal(await periods.getByRole("link", { name: "Custom" }).getAttribute("href"), "#r-from");

  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await axeViolations(page), [], `reports page in ${scheme}`);
  }
  assert.deepEqual(unexpectedProblems(context), [], "no CSP violation, script error or foreign request");
  await context.close();
});
