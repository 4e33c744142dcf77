// The sandbox as app teams use it (tests/sandbox/index.mjs, packed as smart-wasm-sandbox): started
// by a function on free ports, with the app's client given at start; headless sign-in; EHR launches
// and standalone launches with a chosen patient; the test controls; a token for a unit test; TLS;
// the command line. An app of a few lines, served on its own origin, is launched against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { launchBrowser } from './helpers.mjs';
import { startSandbox } from '../sandbox/index.mjs';
import { signIn } from '../sandbox/playwright.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT = 'sandbox-test-app';
const SCOPE = 'openid fhirUser launch launch/patient patient/*.rs offline_access';

// The app: launches against `?fhir=` (standalone) or `?iss=&launch=` (EHR), and on the redirect
// shows the patient read with the token.
const APP = `<!doctype html><meta charset="utf-8"><title>app</title><p id="out">…</p>
<script type="importmap">{ "imports": { "smart-wasm": "/pkg/index.js" } }</script>
<script type="module">
import SMART from 'smart-wasm';
const out = document.getElementById('out');
const p = new URLSearchParams(location.search);
const fhir = p.get('fhir') ?? (p.has('launch') ? p.get('iss') : null);
try {
  if (fhir) {
    await SMART.authorize({ iss: fhir, clientId: '${CLIENT}', scope: '${SCOPE}', redirectUri: location.origin + location.pathname });
  } else {
    const client = await SMART.ready();
    window.client = client;
    const patient = await client.patient.read();
    Object.assign(out.dataset, { patient: patient.id, user: client.getFhirUser(), verified: client.getIdTokenVerification(),
      kid: JSON.parse(atob(client.getState().tokenResponse.id_token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).kid });
    out.textContent = patient.name[0].family;
  }
} catch (e) { out.dataset.error = e.code; out.textContent = e.message; }
</script>`;

let app; // { origin, close }
let browser;
before(async () => {
  browser = await launchBrowser();
  app = await new Promise((resolve) => {
    const server = express()
      .get('/app.html', (req, res) => res.type('html').send(APP))
      .use('/pkg', express.static(path.join(root, 'pkg')))
      .listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }));
  });
});
after(async () => { await browser?.close(); await app?.close(); });

/** Opens `url` in a fresh context and waits for the app to show a patient or an error. */
async function launch(url, { onPage, contextOptions } = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const hosts = new Set();
  page.on('request', (r) => hosts.add(new URL(r.url()).hostname));
  await page.goto(url);
  if (onPage) await onPage(page);
  await page.waitForFunction(() => document.getElementById('out')?.dataset.patient || document.getElementById('out')?.dataset.error, null, { timeout: 20_000 })
    .catch(async (e) => { throw new Error(`the app showed nothing: at ${page.url()}: ${(await page.textContent('body').catch(() => '')).slice(0, 400)}`, { cause: e }); });
  const shown = await page.evaluate(() => ({ ...document.getElementById('out').dataset, text: document.getElementById('out').textContent }));
  return { page, context, shown, hosts };
}

test('started by one function on free ports, the app given at start, headless: a launch signs in with no page and nothing from the internet', async () => {
  const sandbox = await startSandbox({ clients: [{ clientId: CLIENT, redirectUris: [`${app.origin}/app.html`] }], headless: 'daniel' });
  try {
    assert.match(sandbox.fhirBase, /^http:\/\/127\.0\.0\.1:\d+\/4_0_0$/);
    assert.deepEqual(sandbox.users.map((u) => u.login), ['amy', 'daniel', 'kim', 'dr-smith']);
    const seen = [];
    const { shown, hosts, context } = await launch(`${app.origin}/app.html?fhir=${encodeURIComponent(sandbox.fhirBase)}`, {
      onPage: (page) => page.on('framenavigated', (f) => seen.push(f.url())),
    });
    await context.close();
    assert.deepEqual([shown.patient, shown.user, shown.verified], ['daniel', 'Patient/daniel', 'signature'], JSON.stringify(shown));
    assert.ok(!seen.some((u) => u.includes('/interaction/')), 'no sign-in page was shown');
    assert.deepEqual([...hosts], ['127.0.0.1'], 'every request stayed on this machine');
    // Two sandboxes side by side, on their own ports; the second plays a real EHR's shape (an
    // identity provider's issuer on another host behind the EHR's gateway) and the launch works.
    const second = await startSandbox({ clients: [{ clientId: CLIENT, redirectUris: [`${app.origin}/app.html`] }], headless: 'kim', profile: 'idp-gateway' });
    try {
      assert.notEqual(second.fhirBase, sandbox.fhirBase);
      const config = await (await fetch(`${second.fhirBase}/.well-known/smart-configuration`)).json();
      assert.notEqual(new URL(config.issuer).origin, new URL(config.authorization_endpoint).origin, 'the issuer is on another host');
      const gateway = await launch(`${app.origin}/app.html?fhir=${encodeURIComponent(second.fhirBase)}`);
      await gateway.context.close();
      assert.deepEqual([gateway.shown.patient, gateway.shown.verified], ['kim', 'signature'], JSON.stringify(gateway.shown));
    } finally {
      await second.stop();
    }
  } finally {
    await sandbox.stop();
  }
});

test('launches with a chosen patient: an EHR launch URL, and a clinician preselected for a standalone launch (filled by the Playwright helper)', async () => {
  const sandbox = await startSandbox({ clients: [{ clientId: CLIENT, redirectUris: [`${app.origin}/app.html`] }] });
  try {
    await sandbox.setHeadless('dr-smith');
    const ehr = await launch(await sandbox.ehrLaunchUrl(`${app.origin}/app.html`, { patient: 'kim' }));
    await ehr.context.close();
    assert.deepEqual([ehr.shown.patient, ehr.shown.user], ['kim', 'Practitioner/smith']);
    await sandbox.setHeadless(null);
    await sandbox.preselect({ user: 'dr-smith', patient: 'daniel' });
    const shown = await launch(`${app.origin}/app.html?fhir=${encodeURIComponent(sandbox.fhirBase)}`, {
      onPage: async (page) => {
        await page.waitForSelector('input[name=login]');
        assert.equal(await page.inputValue('input[name=login]'), 'dr-smith', 'the preselected user is filled in');
        await signIn(page, { user: 'dr-smith', patient: 'daniel' });
      },
    });
    await shown.context.close();
    assert.deepEqual([shown.shown.patient, shown.shown.user], ['daniel', 'Practitioner/smith']);
  } finally {
    await sandbox.stop();
  }
});

test('test controls: expired tokens, injected errors, revoked refresh tokens, rotated keys', async () => {
  const sandbox = await startSandbox({ clients: [{ clientId: CLIENT, redirectUris: [`${app.origin}/app.html`] }], headless: 'amy' });
  try {
    const { page, context, shown } = await launch(`${app.origin}/app.html?fhir=${encodeURIComponent(sandbox.fhirBase)}`);
    assert.equal(shown.patient, 'amy');
    const read = () => page.evaluate(() => window.client.request('Patient/amy').then((p) => p.id, (e) => `${e.code} ${e.status ?? ''}`.trim()));
    await sandbox.expireAccessTokens();
    assert.equal(await read(), 'amy', 'a 401 for the expired token, a refresh, a retry');
    const grants = (await sandbox.events()).filter((e) => e.type === 'token').map((e) => e.grantType);
    assert.deepEqual(grants, ['authorization_code', 'refresh_token']);
    await sandbox.failNext({ status: 500 });
    assert.equal(await read(), 'http_error 500');
    assert.equal(await read(), 'amy', 'only the next request');
    await sandbox.failNext({ status: 403, count: 2 });
    assert.equal(await read(), 'insufficient_scope 403');
    assert.equal(await read(), 'insufficient_scope 403');
    assert.equal(await read(), 'amy');
    await sandbox.revokeRefreshTokens();
    assert.equal(await page.evaluate(() => window.client.refresh().then(() => 'refreshed', (e) => `${e.code} ${e.error}`)), 'token_error invalid_grant');
    await context.close();
    await sandbox.rotateKeys();
    const again = await launch(`${app.origin}/app.html?fhir=${encodeURIComponent(sandbox.fhirBase)}`);
    await again.context.close();
    assert.deepEqual([again.shown.patient, again.shown.verified, again.shown.kid], ['amy', 'signature', 'sandbox-2'], 'signed with the new key, verified');
  } finally {
    await sandbox.stop();
  }
});

test('a token for a unit test, without a launch: issueToken() and SMART.client(state)', async () => {
  const sandbox = await startSandbox();
  try {
    const tokenResponse = await sandbox.issueToken({ user: 'kim', scope: 'patient/*.rs' });
    assert.equal(tokenResponse.patient, 'kim');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.origin}/pkg/package.json`);
    const r = await page.evaluate(async ([serverUrl, tokenResponse]) => {
      const SMART = await import('/pkg/index.js');
      const client = await SMART.client({ serverUrl, tokenResponse });
      return [(await client.patient.read()).id, await client.request('Patient/amy').catch((e) => e.code)];
    }, [sandbox.fhirBase, tokenResponse]);
    await context.close();
    assert.deepEqual(r, ['kim', 'http_error'], "the patient in context, and not another one's record");
  } finally {
    await sandbox.stop();
  }
});

test('TLS: https everywhere with a certificate made at start; the launch works for a browser told to trust it', async () => {
  const sandbox = await startSandbox({ clients: [{ clientId: CLIENT, redirectUris: [`${app.origin}/app.html`] }], headless: 'amy', tls: true });
  try {
    assert.match(sandbox.fhirBase, /^https:\/\/127\.0\.0\.1:\d+\/4_0_0$/);
    assert.match((await import('node:fs')).readFileSync(sandbox.certificate, 'utf8'), /BEGIN CERTIFICATE/);
    const { shown, context } = await launch(`${app.origin}/app.html?fhir=${encodeURIComponent(sandbox.fhirBase)}`, { contextOptions: { ignoreHTTPSErrors: true } });
    await context.close();
    assert.deepEqual([shown.patient, shown.error], ['amy', undefined]);
    assert.equal((await sandbox.events()).find((e) => e.type === 'token')?.status, 200, 'the control API trusts its own certificate');
  } finally {
    await sandbox.stop();
  }
});

test('the command line prints the URLs as one line of JSON and runs until stopped', async () => {
  const child = spawn(process.execPath, [path.join(root, 'tests/sandbox/cli.mjs'), '--client', 'cli-app=http://127.0.0.1:1/a.html,http://127.0.0.1:1/b.html', '--headless', 'kim'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; const l = out.split('\n').find((x) => x.startsWith('{')); if (l) resolve(l); });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(line);
    assert.equal(info.ready, true);
    assert.deepEqual(info.clients, ['cli-app', 'demo-public']);
    const config = await (await fetch(`${info.fhirBase}/.well-known/smart-configuration`)).json();
    assert.equal(config.token_endpoint, `${info.as}/token`);
    const bad = spawn(process.execPath, [path.join(root, 'tests/sandbox/cli.mjs'), '--nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    bad.stderr.on('data', (d) => { err += d; });
    assert.equal(await new Promise((r) => bad.on('exit', r)), 2);
    assert.match(err, /unknown option --nope/);
  } finally {
    child.kill();
  }
});
