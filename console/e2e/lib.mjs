// What the console's browser scripts share: their settings, Chromium,
// the control server, steps that say what failed, screenshots.
//
// The scripts are run by cmd/carepath/console_browser_test.go, which starts
// `carepath dev` with a fake Twilio and a control server and passes:
//   CONSOLE_URL     http://127.0.0.1:port/console
//   CONTROL_URL     the control server (POST /seed, POST /reply, GET /sent, GET /api)
//   ADMIN_EMAIL, ADMIN_PASSWORD   the bootstrap admin
//   SCREENSHOT_DIR  where each page's screenshot goes
//   CHROMIUM        the browser (default /usr/bin/chromium)
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (the Go test sets it: go test -run TestConsoleBrowser ./cmd/carepath)`);
  return v;
}

export const env = {
  console: need('CONSOLE_URL').replace(/\/$/, ''),
  control: need('CONTROL_URL').replace(/\/$/, ''),
  adminEmail: need('ADMIN_EMAIL'),
  adminPassword: need('ADMIN_PASSWORD'),
  shots: process.env.SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'carepath-console-')),
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};
mkdirSync(env.shots, { recursive: true });

// The desktop viewport every screenshot is taken at; TABLET is the width
// the issue asks the console to work at.
export const DESKTOP = { width: 1280, height: 800 };
export const TABLET = { width: 820, height: 1180 };

// How long a wait for the page may take before the step fails: the console
// polls every 5 s and journeys answer within a second or two.
export const WAIT = 20_000;

// launch starts Debian's Chromium headless. playwright's launch gives every
// browser a fresh temporary profile (user-data dir) and removes it on close.
export async function launch() {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// newPage opens a page in a fresh context (no cookies) and records what
// would otherwise go unnoticed: uncaught errors and Content-Security-Policy
// violations (an inline script or style the console's CSP refuses).
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`uncaught error on ${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
      page.problems.push(`CSP violation on ${page.url()}: ${m.text()}`);
    }
  });
  return page;
}

// control calls the control server and returns its JSON answer.
export async function control(method, path, body) {
  const res = await fetch(env.control + path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// api reads carepath's API (admin key) through the control server.
export const api = (path) => control('GET', '/api?path=' + encodeURIComponent(path));

// sent lists what the fake Twilio received for a number.
export const sent = (to) => control('GET', '/sent?to=' + encodeURIComponent(to));

// waitUntil polls cond (async) until it returns a truthy value, which it
// returns, or fails after timeout naming what it waited for.
export async function waitUntil(what, cond, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// shot saves the page as SCREENSHOT_DIR/<name>.png. The notices a page
// leaves for 10 s (saved, acknowledged...) are hidden unless asked for, so
// each picture shows its own page.
export async function shot(page, name, { notices = false } = {}) {
  const hide = (on) => page.evaluate((h) => {
    const n = document.getElementById('notices');
    if (n) n.hidden = h;
  }, on);
  if (!notices) await hide(true);
  // The pointer off the nav and buttons: no hover colours in the picture.
  const vp = page.viewportSize();
  await page.mouse.move(vp.width / 2, vp.height - 1);
  await page.screenshot({ path: join(env.shots, name + '.png') });
  if (!notices) await hide(false);
}

// heading waits for the page's one <h1> with this exact name.
export async function heading(page, name, timeout = WAIT) {
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout });
}

// nav follows a link in the main navigation.
export async function nav(page, name) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

export async function signIn(page, email, password) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

// run runs a script's steps in order, printing each; the first failure
// stops the script with the step's name, the page's address and a
// screenshot (FAIL-<step>.png), and the process exits 1.
export async function run(name, steps) {
  const browser = await launch();
  const ctx = { browser, pages: [] };
  let failed = false;
  const t0 = Date.now();
  try {
    for (const [step, fn] of steps) {
      const s0 = Date.now();
      try {
        await fn(ctx);
      } catch (e) {
        failed = true;
        console.log(`FAIL ${name}: ${step}\n  ${e.stack || e}`);
        for (const p of ctx.pages) {
          if (p.isClosed()) continue;
          console.log(`  page: ${p.url()}`);
          const file = 'FAIL-' + step.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
          await shot(p, file).then(() => console.log(`  screenshot: ${join(env.shots, file)}.png`), () => {});
          const text = await p.locator('body').innerText({ timeout: 2000 }).catch(() => '');
          console.log('  page text: ' + text.slice(0, 1500).replace(/\n+/g, ' | '));
        }
        break;
      }
      console.log(`ok   ${step} (${((Date.now() - s0) / 1000).toFixed(1)}s)`);
    }
    const problems = ctx.pages.flatMap((p) => p.problems);
    if (!failed && problems.length) {
      failed = true;
      console.log(`FAIL ${name}: the pages reported problems\n  ` + problems.join('\n  '));
    }
  } finally {
    await browser.close();
  }
  console.log(`${failed ? 'FAIL' : 'PASS'} ${name} in ${((Date.now() - t0) / 1000).toFixed(1)}s; screenshots in ${env.shots}`);
  process.exitCode = failed ? 1 : 0;
}
