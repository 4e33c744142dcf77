// Servers that never answer: every call the library makes has a time limit (`timeout`, 30 s by
// default), request() takes an AbortSignal, both end in typed errors, and a refresh that times out
// releases every request waiting on it.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, sandbox, signIn, launchByHand, launchWith, ageTokens, DEMO, FHIR, AS } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

/**
 * In the page: `request(path)` with a 300 ms timeout, then with a signal the app aborts after
 * 50 ms; what each ended with, and how long they took.
 */
const timeoutThenAbort = (path) => page.evaluate(async (p) => {
  const c = window.smartClient;
  const t = performance.now();
  const timedOut = await c.request(p, { timeout: 300 }).then(() => 'answered', (e) => [e.code, e.message]);
  const took = performance.now() - t;
  const ctrl = new AbortController();
  const pending = c.request(p, { signal: ctrl.signal }).then(() => 'answered', (e) => e.code);
  setTimeout(() => ctrl.abort('the user left the page'), 50);
  return { timedOut, took, aborted: await pending, tookAll: performance.now() - t };
}, path);

/** Never answers the requests to `url` (a server that hangs). */
const hang = (url) => page.route(url, () => {});

test('a FHIR server that never answers: timeout per request, and the app can abort', async () => {
  await signIn(page);
  await hang(`${FHIR}/Patient/hangs`);
  const result = await timeoutThenAbort('Patient/hangs');
  Object.assign(result, await page.evaluate(async () => {
    const client = window.smartClient;
    const already = await client.request('Patient/amy', { signal: AbortSignal.abort() }).then(() => 'answered', (e) => e.code);
    const badSignal = await client.request('Patient/amy', { signal: 'stop' }).then(() => 'answered', (e) => e.code);
    const after = (await client.request('Patient/amy')).id;
    return { already, badSignal, after };
  }));
  assert.equal(result.timedOut[0], 'timeout');
  assert.match(result.timedOut[1], /300 ms/);
  assert.ok(result.took >= 250 && result.took < 5000, `took ${result.took} ms`);
  assert.equal(result.aborted, 'aborted');
  assert.equal(result.already, 'aborted');
  assert.equal(result.badSignal, 'invalid_option');
  assert.equal(result.after, 'amy', 'the client works after timeouts and aborts');
});

test('a token endpoint that never answers: the code exchange times out', async () => {
  await hang(`${AS}/token`);
  await launchByHand(page, { iss: FHIR, clientId: 'demo-public', scope: 'openid launch/patient patient/Patient.read',
    redirectUri: `${DEMO}/index.html`, timeout: 500 });
  const code = await page.evaluate(() => import('smart-wasm').then((S) => S.ready()).then(() => 'ready', (e) => e.code));
  assert.equal(code, 'timeout');
});

test('a refresh that never answers releases every request waiting on it', async () => {
  await sandbox.setTokenTTL(5); // once 5 s old, every request finds the token about to expire
  const shown = await launchWith(page, { timeout: 800 });
  assert.equal(shown.error, null, shown.message);
  await ageTokens(page);
  await hang(`${AS}/token`);
  const codes = await page.evaluate(() => Promise.all([1, 2, 3].map(() => window.smartClient.request('Patient/amy').then(() => 'answered', (e) => e.code))));
  assert.deepEqual(codes, ['timeout', 'timeout', 'timeout']);
  // The requests gave up at their own limit; the refresh they shared ends at its own (the same
  // 800 ms, started a moment later). Only then is the route lifted: Playwright would otherwise
  // let the hung request through, and the server would rotate a token the page no longer awaits.
  assert.equal(await page.evaluate(() => window.smartClient.refresh().then(() => 'answered', (e) => e.code)), 'timeout');
  await page.unroute(`${AS}/token`);
  const id = await page.evaluate(() => window.smartClient.request('Patient/amy').then((p) => p.id, (e) => e.code));
  assert.equal(id, 'amy', 'a later request refreshes again and succeeds');
});

test("a request's own timeout and signal bound the refresh it waits for (the refresh goes on for the others)", async () => {
  await sandbox.setTokenTTL(5);
  const shown = await signIn(page); // the session's time limit: 30 s
  assert.equal(shown.error, null, shown.message);
  await ageTokens(page);
  await hang(`${AS}/token`);
  const r = await timeoutThenAbort('Patient/amy');
  assert.deepEqual(r.timedOut, ['timeout', 'token refresh: no complete answer within 300 ms']);
  assert.ok(r.took < 5000, `took ${r.took} ms (the refresh's own limit is 30 s)`);
  assert.equal(r.aborted, 'aborted');
  assert.ok(r.tookAll < 5000, `took ${r.tookAll} ms`);
});

test('a fetch that fails names the request and its likely cause (unreachable, or no CORS)', async () => {
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  const r = await page.evaluate(async (as) => {
    const S = await import('smart-wasm');
    const fail = (e) => ({ code: e.code, message: e.message });
    const base = { clientId: 'demo-public', scope: 'openid', redirectUri: `${location.origin}/index.html`, noRedirect: true };
    return {
      // Nothing listens on port 1.
      unreachable: await S.authorize({ ...base, iss: 'http://127.0.0.1:1/fhir' }).catch(fail),
      // The authorization server answers an unknown path without CORS headers.
      noCors: await S.authorize({ ...base, iss: `${as}/fhir` }).catch(fail),
    };
  }, AS);
  assert.equal(r.unreachable.code, 'network_error');
  assert.match(r.unreachable.message, /^GET http:\/\/127\.0\.0\.1:1\/fhir\/\.well-known\/smart-configuration failed \(TypeError: .*\): the server is unreachable, or it does not allow this page's origin \(CORS\)$/);
  assert.equal(r.noCors.code, 'network_error');
  assert.ok(r.noCors.message.startsWith(`GET ${AS}/fhir/.well-known/smart-configuration failed (TypeError`), r.noCors.message);
  assert.match(r.noCors.message, /CORS/);
});
