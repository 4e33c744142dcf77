// Shared pieces of the end-to-end tests: Debian's Chromium through playwright-core, the sandbox's
// control endpoints, and the sandbox's login and consent pages filled in as a person would.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import express from 'express';
import { chromium } from 'playwright-core';

// Where the sandbox listens (tests/sandbox/start.sh writes it; its servers take free ports).
const started = JSON.parse(readFileSync(new URL('../sandbox/sandbox.json', import.meta.url), 'utf8'));
export const DEMO = started.demo.replace(/\/$/, '');
export const FHIR = started.fhirBase;
/** Where the sandbox's authorization server routes are (its issuer, in the standard profile). */
export const AS = started.as ?? started.issuer;
export const STOCK = started.stock;

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** A free port on 127.0.0.1 (for a server that must be told its port: a dev server, a fixed origin). */
export const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Serves `dir` statically on 127.0.0.1 (`port`, or a free one); resolves to { origin, close }. */
export function serveStatic(dir, port = 0) {
  return new Promise((resolve) => {
    const server = express().use(express.static(dir)).listen(port, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)),
    }));
  });
}

export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/**
 * One browser per test file; before each test the sandbox's log and settings are reset and a fresh
 * context (empty sessionStorage) opens a page, handed to `onPage(page, browser)`.
 */
export function useBrowser({ before, after, beforeEach }, onPage) {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(() => browser?.close());
  beforeEach(async () => {
    await sandbox.reset();
    onPage(await (await browser.newContext()).newPage(), browser);
  });
}

async function control(path, body) {
  const res = await fetch(`${DEMO}/_sandbox/${path}`, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status}`);
  return res.json();
}

export const sandbox = {
  events: () => control('events'),
  reset: () => control('reset', {}),
  setTokenTTL: (seconds) => control('settings', { accessTokenTTL: seconds }),
  /** `{ idTokenMode }` (tests/sandbox/id-tokens.mjs), `{ nextLinkOrigin }` (Bundle next links elsewhere). */
  settings: (s) => control('settings', s),
  revokeAccessTokens: () => control('revoke', {}),
};

/** Fills the sandbox's sign-in page (when shown) and its consent page. */
export async function loginAndConsent(page, user = 'amy') {
  await page.waitForURL((url) => url.hostname === '127.0.0.1' && url.pathname.includes('/interaction/'));
  // A user still signed in at the authorization server sees only the consent page.
  await page.waitForSelector('input[name=login], button:has-text("Continue")');
  if (await page.isVisible('input[name=login]')) {
    await page.fill('input[name=login]', user);
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForSelector('button:has-text("Continue")');
  }
  await page.click('button:has-text("Continue")');
}

/**
 * The scope most tests launch with: the patient only. (The demo's own default adds the clinical
 * resources its portal loads, whose requests would mix with what those tests count.)
 */
export const PATIENT_SCOPE = 'openid fhirUser launch/patient patient/Patient.read offline_access';
/** The demo portal's scope: the patient's record, and writes. */
export const RECORD_SCOPE = 'openid fhirUser launch/patient launch/encounter patient/*.cruds offline_access';

/**
 * Starts a launch by hand, the demo's own app.js kept out of the page: `authorize(options)` of
 * `entry` on the demo origin, then sign-in and consent. Resolves at the redirect, its code unused.
 */
export async function launchByHand(page, options, entry = 'smart-wasm') {
  await page.route(`${DEMO}/app.js`, (route) => route.abort());
  await page.goto(`${DEMO}/index.html`);
  await page.evaluate(([o, e]) => import(e).then((S) => S.default.oauth2.authorize(o)), [options, entry]);
  await loginAndConsent(page);
  await page.waitForURL((u) => u.origin === DEMO && u.searchParams.has('code'));
}

/** A launch from the demo page with `extra` options (e.g. a timeout), completed by the demo. */
export async function launchWith(page, extra, scope = PATIENT_SCOPE) {
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  await page.evaluate(async ([o, s]) => {
    const { optionsFor } = await import('/config.js');
    const SMART = await import('smart-wasm');
    sessionStorage.setItem('demo:choices', '{}');
    SMART.authorize({ ...optionsFor({ scope: s }), ...o });
  }, [extra, scope]);
  await loginAndConsent(page);
  await page.waitForURL(`${DEMO}/index.html**`);
  return outcome(page);
}

/** Opens the demo and launches with the given form choices. */
export async function launchFromDemo(page, { client = 'public', scope = PATIENT_SCOPE, epic = false } = {}) {
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  await page.selectOption('#client', client);
  await page.fill('#scope', scope);
  if (epic) await page.check('#epic');
  await page.click('#launch-button');
}

/** Waits until the demo shows the patient banner or an error; returns which, with the text. */
export async function outcome(page) {
  await page.waitForFunction(() => !document.getElementById('banner').hidden || !document.getElementById('error').hidden, null, { timeout: 20_000 });
  const error = await page.evaluate(() => (document.getElementById('error').hidden ? null : document.getElementById('error-code').textContent));
  return {
    error,
    message: await page.textContent('#error-message'),
    name: await page.textContent('#patient-name'),
    birthDate: await page.textContent('#patient-birth'),
    gender: await page.textContent('#patient-gender'),
  };
}

/** The tab's stored session with the server of its latest launch (`smart-wasm:session` names it). */
export function storedSession(page) {
  return page.evaluate(() => {
    const iss = JSON.parse(sessionStorage.getItem('smart-wasm:session') ?? 'null');
    return iss && JSON.parse(sessionStorage.getItem(`smart-wasm:session:${iss}`));
  });
}

/** What this tab keeps in sessionStorage and localStorage. */
export function storage(page) {
  return page.evaluate(() => ({
    session: sessionStorage.getItem('smart-wasm:session'),
    launches: Object.keys(sessionStorage).filter((k) => k.startsWith('smart-wasm:launch:')).length,
    localStorageKeys: Object.keys(localStorage).length,
  }));
}

/**
 * Moves the clock `seconds` ahead (`Date.now()` and `performance.now()`; timers run on as before)
 * for every page of `p`'s browser context (Playwright's clock is the context's): access tokens age
 * past the 5 s before which the library never refreshes ahead of expiry, without a wait.
 */
export async function ageTokens(p, seconds = 6) {
  const now = await p.evaluate(() => Date.now());
  await p.clock.setSystemTime(now + seconds * 1000);
}

/** Sandbox events of one type. */
export async function eventsOf(type) {
  return (await sandbox.events()).filter((e) => e.type === type);
}

/** Runs a full standalone launch from the demo and returns the outcome. */
export async function signIn(page, choices = {}, user = 'amy') {
  await launchFromDemo(page, choices);
  await loginAndConsent(page, user);
  await page.waitForURL(`${DEMO}/index.html**`);
  return outcome(page);
}

/** Signs in to the demo portal with the record scope and waits until it has loaded the record. */
export async function signInToRecords(page, user = 'amy') {
  const shown = await signIn(page, { scope: RECORD_SCOPE }, user);
  if (shown.error) throw new Error(`sign-in failed: ${shown.error} ${shown.message}`);
  // The portal loads the record after the banner; let it finish so its requests are not counted.
  await page.waitForSelector('#records[data-loaded=true]', { timeout: 20_000 });
  return shown;
}

/**
 * Starts a second sandbox (free ports) whose clients redirect to the demo's origin, and offers it
 * to the demo as another health system; returns its URLs and a stop function.
 */
export async function startSecondSandbox({ env = {} } = {}) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [new URL('../sandbox/server.mjs', import.meta.url).pathname], {
    env: { ...process.env, SANDBOX_AS_PORT: '0', SANDBOX_FHIR_PORT: '0', SANDBOX_DEMO_PORT: '0', SANDBOX_STOCK_PORT: '0', SANDBOX_APP_ORIGIN: DEMO, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d) => { errors += String(d).split('\n').filter((l) => l && !l.includes('oidc-provider WARNING')).join('\n'); });
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.includes('"ready":true'));
      if (line) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`second sandbox exited ${code}: ${errors}`)));
  });
  await control('settings', { peers: [ready.fhirBase] });
  const demo = ready.demo.replace(/\/$/, '');
  return {
    fhirBase: ready.fhirBase,
    issuer: ready.issuer,
    demo,
    events: () => fetch(`${demo}/_sandbox/events`).then((r) => r.json()),
    stop: async () => {
      await control('settings', { peers: [] }).catch(() => {});
      await new Promise((resolve) => { child.removeAllListeners('exit'); child.once('exit', resolve); child.kill(); });
    },
  };
}
