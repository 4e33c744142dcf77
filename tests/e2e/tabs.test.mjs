// Tabs of one origin: what a duplicated tab, and what one XSS on another page of the origin, can do
// to a session. A duplicated tab (or window.open) copies sessionStorage, and with it the refresh
// token: the tabs must redeem it once, whether or not both are open at the time. Another document
// of the origin can read localStorage, post on any BroadcastChannel and take any Web Lock: it must
// learn no token, make no tab adopt what it writes, and keep no call waiting without a limit.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, sandbox, signIn, launchWith, eventsOf, ageTokens, DEMO, FHIR } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

/** A copy of `page` made by window.open: it starts with the same sessionStorage, and restores the session. */
async function duplicate() {
  const [copy] = await Promise.all([page.context().waitForEvent('page'), page.evaluate(() => { window.open(location.href); })]);
  await copy.waitForFunction(() => window.smartClient && !document.getElementById('banner').hidden, null, { timeout: 20_000 });
  return copy;
}

/** Another document of the origin that never loads the library (a page an XSS could run in). */
async function otherDocument() {
  const other = await page.context().newPage();
  await other.goto(`${DEMO}/not-the-app.html`);
  return other;
}

const tokensOf = (p) => p.evaluate(() => { const s = window.smartClient.getState().tokenResponse; return [s.access_token, s.refresh_token]; });
const refreshGrants = async () => (await eventsOf('token')).filter((g) => g.grantType === 'refresh_token');

test('no token reaches another document of the origin: no BroadcastChannel message, nothing readable in localStorage', async () => {
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const other = await otherDocument();
  await other.evaluate(() => { window.heard = []; new BroadcastChannel('smart-wasm').onmessage = (e) => window.heard.push(e.data); });
  const seen = [await tokensOf(page)];
  for (let i = 0; i < 2; i++) {
    await page.evaluate(() => window.smartClient.refresh());
    seen.push(await tokensOf(page));
  }
  await page.waitForTimeout(200);
  const { heard, shared } = await other.evaluate(() => ({ heard: window.heard, shared: JSON.stringify({ ...localStorage }) }));
  assert.deepEqual(heard, [], 'nothing was announced');
  for (const secret of seen.flat()) assert.ok(!shared.includes(secret), 'no access or refresh token, old or new, in localStorage');
  const relayKey = await page.evaluate(() => JSON.parse(sessionStorage.getItem(`smart-wasm:session:${JSON.parse(sessionStorage.getItem('smart-wasm:session'))}`)).relayKey);
  assert.ok(relayKey && !shared.includes(relayKey), 'nor the key that seals the relay records');
  assert.match(shared, /smart-wasm:relay:/, 'the sealed relay records are there');
});

test('a duplicated tab and its opener share one session: each refresh token is redeemed once, and both keep working', async () => {
  await sandbox.setTokenTTL(5); // once 5 s old, a token is about to expire: the next request refreshes it
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const copy = await duplicate();
  for (let round = 0; round < 3; round++) {
    await Promise.all([ageTokens(page), ageTokens(copy)]);
    const ids = await Promise.all([page, copy].map((p) => p.evaluate(() => window.smartClient.request('Patient/amy').then((r) => r.id, (e) => `${e.code} ${e.error ?? ''}`))));
    assert.deepEqual(ids, ['amy', 'amy'], `round ${round}`);
  }
  const grants = await refreshGrants();
  assert.deepEqual(grants.map((g) => g.status), [200, 200, 200], 'one refresh per round: the other tab took its successor');
  assert.deepEqual(await tokensOf(copy), await tokensOf(page));
});

test('a duplicated tab reloaded after its opener refreshed (five times) takes the opener\'s tokens instead of redeeming a spent one', async () => {
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const copy = await duplicate();
  // The copy's refresh token is now spent, and so are the four after it.
  for (let i = 0; i < 5; i++) await page.evaluate(() => window.smartClient.refresh());
  await copy.reload();
  await copy.waitForFunction(() => window.smartClient && !document.getElementById('banner').hidden, null, { timeout: 20_000 });
  const copied = await copy.evaluate(() => window.smartClient.refresh().then(() => 'ok', (e) => `${e.code} ${e.message}`));
  assert.equal(copied, 'ok');
  assert.deepEqual(await tokensOf(copy), await tokensOf(page), 'the copy took the successor its opener recorded');
  // The opener goes on refreshing with its rotated token: the grant was never revoked.
  assert.equal(await page.evaluate(() => window.smartClient.refresh().then(() => 'ok', (e) => `${e.code} ${e.message}`)), 'ok');
  assert.deepEqual((await refreshGrants()).map((g) => g.status), [200, 200, 200, 200, 200, 200], 'the server saw no reuse');
});

test('what another document of the origin forges is not adopted: BroadcastChannel announcements (20,000 of them) and relay records', async () => {
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const copy = await duplicate();
  const [, spent] = await tokensOf(copy);
  const cdp = await copy.context().newCDPSession(copy);
  const heap = async () => { await cdp.send('HeapProfiler.collectGarbage'); return (await cdp.send('Runtime.getHeapUsage')).usedSize; };
  const heapBefore = await heap();
  const other = await otherDocument();
  // Announcements in the shape earlier versions trusted, one of them naming the copy's own refresh
  // token (as a listener that heard an earlier refresh would know it) with another server and patient.
  await other.evaluate(async (rt) => {
    const ch = new BroadcastChannel('smart-wasm');
    const forged = (old) => ({ old, session: { binding: { iss: 'http://127.0.0.1:9/evil/fhir', clientId: 'demo-public', auth: 'none', tokenEndpoint: 'http://127.0.0.1:9/evil/token', epicClientIdHeader: false, refreshMargin: 30, timeoutMs: 30000 },
      accessToken: 'forged', basic: false, refreshToken: 'forged-rt', expiresAt: null, scope: 'patient/*.read', tokenResponse: { access_token: 'forged', token_type: 'bearer', patient: 'someone-else' }, pad: 'x'.repeat(8000) } });
    ch.postMessage(forged(rt));
    for (let i = 0; i < 20000; i++) ch.postMessage(forged(`rt-${i}`));
    await new Promise((r) => setTimeout(r, 500));
  }, spent);
  // The opener refreshes (the copy's token is spent; a sealed record names its successor), then
  // the other document overwrites that record with one it sealed under its own key.
  await page.evaluate(() => window.smartClient.refresh());
  await other.evaluate(async () => {
    for (const key of Object.keys(localStorage).filter((k) => k.startsWith('smart-wasm:relay:'))) {
      const doc = JSON.parse(localStorage.getItem(key));
      const k = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const b64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      // A later generation than any tab holds, sealed with the other document's own key and
      // bound (as additional data) the way genuine records are.
      doc.generation += 1;
      const session = JSON.stringify({ binding: { iss: 'http://127.0.0.1:9/evil/fhir' }, accessToken: 'forged', refreshToken: 'forged-rt', generation: doc.generation });
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`${key.slice(17)}\n${doc.generation}`) }, k, new TextEncoder().encode(session));
      doc.sealed = `${b64(iv)}.${b64(sealed)}`;
      localStorage.setItem(key, JSON.stringify(doc));
    }
  });
  const result = await copy.evaluate(() => window.smartClient.refresh().then(() => 'refreshed', (e) => e.code));
  const state = await copy.evaluate(() => { const s = window.smartClient.getState(); return { server: s.serverUrl, patient: window.smartClient.getPatientId(), token: s.tokenResponse.access_token }; });
  assert.deepEqual({ server: state.server, patient: state.patient }, { server: FHIR, patient: 'amy' }, 'still this server and patient');
  assert.notEqual(state.token, 'forged');
  // Without the genuine record the copy redeemed its spent token, and the server refused it: the
  // damage one XSS can always do (delete the records) — a failed refresh, never a forged session.
  assert.equal(result, 'token_error');
  const grown = (await heap()) - heapBefore;
  assert.ok(grown < 16 * 1024 * 1024, `the copy's heap grew by ${(grown / 1048576).toFixed(1)} MB after 20,000 announcements`);
});

test('a refresh answer nested 10,000 levels deep settles, and leaves the lock free for the next refresh in any tab', async () => {
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const copy = await duplicate();
  await sandbox.settings({ nestRefresh: 10000 });
  const settle = (p) => p.evaluate(() => Promise.race([
    window.smartClient.refresh().then(() => 'ok', (e) => e.code),
    new Promise((r) => setTimeout(() => r('never settled'), 15000)),
  ]));
  const first = await settle(page);
  assert.ok(first !== 'never settled', first);
  assert.equal(await settle(page), 'ok', 'the next refresh runs');
  assert.equal(await settle(copy), 'ok', 'and another tab of the session is not kept waiting');
  assert.equal((await eventsOf('token')).find((g) => g.nested)?.nested, 10000, 'the nested answer was sent');
});

test('Web Locks another document takes bound refresh(), requests and forgetRegistration() by their time limits', async () => {
  await sandbox.setTokenTTL(5); // once 5 s old, a request refreshes first
  const shown = await launchWith(page, { timeout: 800 });
  assert.equal(shown.error, null, shown.message);
  await page.evaluate(() => window.smartClient.refresh()); // its relay record now names the session's lock
  const other = await otherDocument();
  await other.evaluate((fhir) => {
    const names = Object.keys(localStorage).filter((k) => k.startsWith('smart-wasm:relay:')).map((k) => `smart-wasm:refresh:${k.slice(17)}`);
    // And the names earlier versions used.
    names.push(`smart-wasm:refresh ${fhir} demo-public`, `smart-wasm:registration ${fhir}`);
    for (const name of names) navigator.locks.request(name, () => new Promise(() => {}));
  }, FHIR);
  await other.waitForFunction(() => navigator.locks.query().then((q) => q.held.length >= 3));
  await ageTokens(page);
  const r = await page.evaluate(async (fhir) => {
    const bounded = async (p) => { const t = performance.now(); const v = await Promise.race([p.then(() => 'ok', (e) => e.code), new Promise((r) => setTimeout(() => r('never settled'), 15000))]); return [v, Math.round(performance.now() - t)]; };
    const S = await import('smart-wasm/identity');
    return {
      refresh: await bounded(window.smartClient.refresh()),
      request: await bounded(window.smartClient.request('Patient/amy', { timeout: 300 })),
      forget: await bounded(S.forgetRegistration({ iss: fhir, timeout: 500 })),
    };
  }, FHIR);
  assert.equal(r.refresh[0], 'timeout');
  assert.ok(r.refresh[1] < 5000, `refresh: ${r.refresh[1]} ms`);
  assert.equal(r.request[0], 'timeout');
  assert.ok(r.request[1] < 5000, `request: ${r.request[1]} ms`);
  assert.deepEqual(r.forget[0], 'timeout');
  await other.close(); // the locks go with their document
  assert.equal(await page.evaluate(() => window.smartClient.request('Patient/amy').then((p) => p.id, (e) => e.code)), 'amy');
});
