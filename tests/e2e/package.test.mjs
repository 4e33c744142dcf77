// The package as an app loads it: a module that cannot be loaded (answered with an HTML page, or
// 403) is a SmartError `module_load_failed` naming the file and the way out, and a later call loads
// it; both entries' wasm files are found by the names their glue uses; the inline entries need no
// file at all. And what app code meets first: `instanceof SmartError`, a second ready() while the
// first completes the redirect (React's StrictMode), a client from a known token response.
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, launchByHand, eventsOf, DEMO, FHIR, PATIENT_SCOPE } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

for (const [entry, wasm] of [['/node_modules/smart-wasm/index.js', 'smart_wasm_bg.wasm'], ['/node_modules/smart-wasm/identity.js', 'identity/smart_wasm_identity_bg.wasm']]) {
  test(`${entry}: a module that cannot be loaded is module_load_failed; the next call loads it`, async () => {
    await page.goto(`${DEMO}/_sandbox/config`); // a page of the demo origin that runs nothing
    const url = `${DEMO}/node_modules/smart-wasm/${wasm}`;
    await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>not here</p>' }));
    const failed = await page.evaluate(async (entry) => {
      const SMART = await import(entry);
      return SMART.default.loadModule().then(() => 'loaded', (e) => ({ name: e.name, code: e.code, message: e.message, cause: Boolean(e.cause) }));
    }, entry);
    assert.equal(failed.name, 'SmartError');
    assert.equal(failed.code, 'module_load_failed');
    assert.match(failed.message, new RegExp(wasm.replace('.', '\\.')));
    assert.match(failed.message, new RegExp(`HTTP 200 \\(text/html\\) instead of ${wasm.split('/').pop().replace('.', '\\.')}\\. .*smart-wasm/inline`), failed.message);
    assert.ok(failed.cause);
    const forbidden = await page.evaluate(async (entry) => (await import(entry)).ready().then(() => 'ready', (e) => e.code), entry);
    assert.equal(forbidden, 'module_load_failed', 'every call reports it');
    await page.unroute(url);
    const requested = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    const loaded = await page.evaluate(async (entry) => (await import(entry)).default.loadModule().then(() => 'loaded', (e) => e.code), entry);
    assert.equal(loaded, 'loaded');
    assert.ok(requested.includes(`/node_modules/smart-wasm/${wasm}`), `the glue's own file name: ${requested}`);
  });
}

for (const entry of ['/node_modules/smart-wasm/inline.js', '/node_modules/smart-wasm/identity/inline.js']) {
  test(`${entry}: the module is in the entry; no .wasm file is fetched`, async () => {
    await page.goto(`${DEMO}/_sandbox/config`);
    const wasm = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
    const r = await page.evaluate(async (e) => {
      const S = await import(e);
      await S.loadModule();
      return S.authorize({ iss: 'http://127.0.0.1:1/fhir', clientId: 'x', scope: 'openid', redirectUri: `${location.origin}/index.html`, noRedirect: true })
        .then(() => 'launched', (err) => [err.code, err instanceof S.SmartError]);
    }, entry);
    assert.deepEqual(r, ['network_error', true], 'the module ran (and reached for the unreachable server)');
    assert.deepEqual(wasm, []);
  });
}

test('every error is an instance of SmartError, of either entry', async () => {
  await page.goto(`${DEMO}/_sandbox/config`);
  const r = await page.evaluate(async () => {
    const S = await import('/node_modules/smart-wasm/index.js');
    const I = await import('/node_modules/smart-wasm/identity.js');
    const fromRust = await S.authorize({ iss: 'not a url', clientId: 'x', scope: 's' }).catch((e) => e);
    const fromJs = await S.client(null).catch((e) => e);
    const fromIdentity = await I.resume({ iss: 'http://127.0.0.1:1/fhir' }).catch((e) => e);
    const made = new S.SmartError('by the app', 'timeout');
    return {
      rust: [fromRust instanceof S.SmartError, fromRust instanceof Error, fromRust.name, fromRust.code],
      js: [fromJs instanceof S.SmartError, fromJs.code],
      identity: [fromIdentity instanceof S.SmartError, fromIdentity instanceof I.SmartError, fromIdentity.code],
      made: [made instanceof S.SmartError, made.name, made.code, made.message],
      plain: new Error('x') instanceof S.SmartError,
    };
  });
  assert.deepEqual(r.rust, [true, true, 'SmartError', 'invalid_url']);
  assert.deepEqual(r.js, [true, 'invalid_option']);
  assert.deepEqual(r.identity, [true, true, 'no_registration']);
  assert.deepEqual(r.made, [true, 'SmartError', 'timeout', 'by the app']);
  assert.equal(r.plain, false);
});

test("a second ready() while the first completes the redirect joins it (React's StrictMode runs an effect twice)", async () => {
  await launchByHand(page, { iss: FHIR, clientId: 'demo-public', scope: PATIENT_SCOPE, redirectUri: `${DEMO}/index.html` });
  const r = await page.evaluate(async () => {
    const S = (await import('smart-wasm')).default;
    const [a, b, c] = await Promise.all([S.ready(), S.ready(), S.init({ iss: 'x', clientId: 'y', scope: 'z' }).catch((e) => e.code)]);
    const later = await S.ready();
    return { same: a === b && b === c, patient: (await a.patient.read()).id, laterPatient: later.getPatientId() };
  });
  assert.deepEqual(r, { same: true, patient: 'amy', laterPatient: 'amy' });
  assert.equal((await eventsOf('token')).filter((g) => g.grantType === 'authorization_code').length, 1, 'the code was redeemed once');
});

test('client(state): a client from a known token response, for unit tests; nothing is stored', async () => {
  assert.equal((await signIn(page)).error, null);
  const { serverUrl, tokenResponse } = await page.evaluate(() => window.smartClient.getState());
  const other = await page.context().browser().newContext();
  const tab = await other.newPage();
  await tab.goto(`${DEMO}/_sandbox/config`);
  const r = await tab.evaluate(async ([serverUrl, tokenResponse]) => {
    const S = await import('/node_modules/smart-wasm/index.js');
    const fail = (e) => [e.code, e.message];
    const { refresh_token: _rt, ...noRefresh } = tokenResponse;
    const client = await S.client({ serverUrl, tokenResponse: noRefresh });
    return {
      patient: (await client.patient.read()).id,
      state: client.getState().serverUrl,
      stored: Object.keys(sessionStorage).filter((k) => k.startsWith('smart-wasm')).length,
      refreshNeedsUri: await S.client({ serverUrl, tokenResponse }).catch(fail),
      noServer: await S.client({ tokenResponse }).catch(fail),
      unknown: await S.client({ serverUrl, tokenResponse, iss: serverUrl }).catch(fail),
      noToken: await S.client({ serverUrl, tokenResponse: { token_type: 'bearer' } }).catch(fail),
      badTimeout: await S.client({ serverUrl, tokenResponse: noRefresh, timeout: 'soon' }).catch(fail),
      getter: await S.client({ serverUrl, get tokenResponse() { throw new Error('trap'); } }).catch(fail),
    };
  }, [serverUrl, tokenResponse]);
  await other.close();
  assert.equal(r.patient, 'amy');
  assert.equal(r.state, serverUrl);
  assert.equal(r.stored, 0, 'no session was written');
  assert.deepEqual(r.refreshNeedsUri, ['invalid_option', 'option `tokenUri` is required with a refresh_token']);
  assert.equal(r.noServer[0], 'invalid_option');
  assert.deepEqual(r.unknown, ['invalid_option', 'option `iss` is not an option of this library']);
  assert.equal(r.noToken[0], 'invalid_token_response');
  assert.equal(r.badTimeout[0], 'invalid_option');
  assert.equal(r.getter[0], 'invalid_option');
});

test('the sandbox names a port another program holds, instead of a raw EADDRINUSE stack', async () => {
  const net = await import('node:net');
  const { spawn } = await import('node:child_process');
  const holder = net.createServer();
  await new Promise((r) => holder.listen(0, '127.0.0.1', r));
  const busy = holder.address().port;
  try {
    const child = spawn(process.execPath, [new URL('../sandbox/server.mjs', import.meta.url).pathname], {
      env: { ...process.env, SANDBOX_AS_PORT: '0', SANDBOX_FHIR_PORT: String(busy), SANDBOX_DEMO_PORT: '0', SANDBOX_STOCK_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 1);
    assert.match(err, new RegExp(`port ${busy} on 127\\.0\\.0\\.1 is already in use by another program \\(set SANDBOX_FHIR_PORT`));
    assert.doesNotMatch(err, /at Server\.listen|EADDRINUSE:/);
  } finally {
    holder.close();
  }
});
