// Attacks and refusals: tampered and replayed callbacks, an error callback, and EHR launches with
// an iss that is or is not on the app's allow-list.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, sandbox, launchFromDemo, loginAndConsent, outcome, storage, eventsOf, startSecondSandbox, DEMO, FHIR, AS } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

/** Runs login and consent, but the demo's script is blocked when the browser comes back, so the
 * code is left unused; returns the callback URL. */
async function captureCallback() {
  await launchFromDemo(page);
  await page.waitForURL(`${AS}/interaction/**`);
  await page.route(`${DEMO}/app.js`, (route) => route.abort());
  await loginAndConsent(page);
  await page.waitForURL((url) => url.origin === DEMO && url.searchParams.has('code'));
  await page.unrouteAll();
  return new URL(page.url());
}

test('a callback with a tampered state is refused and stores no token', async () => {
  const real = await captureCallback();
  const forged = new URL(real);
  forged.searchParams.set('state', 'attacker-chosen-state');
  await page.goto(forged.href);
  const shown = await outcome(page);
  assert.equal(shown.error, 'unknown_state');
  assert.equal((await storage(page)).session, null, 'no session stored');
  assert.equal((await eventsOf('token')).length, 0, 'the code was not exchanged');

  // The genuine callback still completes: the forged one consumed nothing.
  await page.goto(real.href);
  assert.equal((await outcome(page)).name, 'Amy V. Shaw');
});

test('a replayed callback is refused: state is single use', async () => {
  const real = await captureCallback();
  await page.goto(real.href);
  assert.equal((await outcome(page)).error, null);
  await page.evaluate(() => sessionStorage.removeItem('smart-wasm:session'));
  await page.goto(real.href);
  assert.equal((await outcome(page)).error, 'unknown_state');
  assert.equal((await eventsOf('token')).length, 1, 'the code was exchanged once');
});

test('cancelling at the authorization server comes back as authorization_error', async () => {
  await launchFromDemo(page);
  await page.waitForURL(`${AS}/interaction/**`);
  await page.click('text=[ Cancel ]');
  await page.waitForURL(`${DEMO}/index.html**`);
  const shown = await outcome(page);
  assert.equal(shown.error, 'authorization_error');
  assert.match(shown.message, /access_denied/);
  assert.equal((await storage(page)).session, null);
});

test('an EHR launch with an iss that is not on the allow-list is refused before any request', async () => {
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(`${DEMO}/launch.html?iss=${encodeURIComponent('http://127.0.0.1:9/evil/fhir')}&launch=abc`);
  await page.waitForSelector('#error:not([hidden])');
  assert.equal(await page.textContent('#error-code'), 'iss_not_allowed');
  assert.equal(new URL(page.url()).origin, DEMO, 'still on the app');
  assert.ok(requested.every((u) => new URL(u).origin === DEMO), `requests: ${requested.join(', ')}`);
  assert.equal((await storage(page)).launches, 0, 'no launch started');
});

test('an EHR launch from a configured server sends launch and completes', async () => {
  const authorizeUrls = [];
  page.on('request', (r) => { if (r.url().startsWith(`${AS}/auth?`)) authorizeUrls.push(new URL(r.url())); });
  await page.goto(`${DEMO}/launch.html?iss=${encodeURIComponent(`${FHIR}/`)}&launch=ehr-context-42`);
  await loginAndConsent(page, 'daniel');
  await page.waitForURL(`${DEMO}/index.html**`);
  const shown = await outcome(page);
  assert.equal(shown.error, null, shown.message);
  assert.equal(shown.name, 'Daniel X. Adams');
  const q = authorizeUrls[0].searchParams;
  assert.equal(q.get('launch'), 'ehr-context-42');
  assert.equal(q.get('aud'), FHIR);
  assert.ok(q.get('scope').split(' ').includes('launch'), 'launch scope added for an EHR launch');
});

test('an option this library does not know is refused by name, not ignored', async () => {
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  const result = await page.evaluate(async (fhir) => {
    const SMART = await import('smart-wasm');
    const base = { iss: fhir, clientId: 'demo-public', scope: 'openid', redirectUri: `${location.origin}/index.html`, noRedirect: true };
    const refused = await SMART.authorize({ ...base, privateJwk: { kty: 'EC' } }).then(() => null, (e) => ({ code: e.code, message: e.message }));
    const nested = await SMART.authorize({ servers: [{ iss: fhir, clientId: 'demo-public', clientSecrets: 'x' }], scope: 'openid', noRedirect: true })
      .then(() => null, (e) => e.message);
    const notObject = await SMART.authorize('http://example.org').then(() => null, (e) => e.code);
    const accepted = await SMART.authorize(base);
    return { refused, nested, notObject, accepted };
  }, FHIR);
  assert.equal(result.refused.code, 'invalid_option');
  assert.match(result.refused.message, /privateJwk/);
  assert.match(result.nested, /servers\[0\]\.clientSecrets/);
  assert.equal(result.notObject, 'invalid_option');
  assert.ok(result.accepted.startsWith(`${AS}/auth?`), 'the same options without the unknown name launch');
  assert.equal((await storage(page)).launches, 1, 'only the accepted call started a launch');
});

// A configured server that is hostile publishes the honest server's authorization endpoint beside its
// own token endpoint, naming the honest issuer or no issuer at all, so that the user signs in at the
// honest server and the code and PKCE verifier go to it. With `aud: false` nothing else ties the
// token to the hostile server. The mix-up rule (both endpoints on one origin unless the app pins them)
// refuses the launch before anyone is sent anywhere, without asking the issuer anything.
for (const [variant, env] of [['naming the honest issuer', {}], ['naming no issuer', { SANDBOX_MIXUP_ISSUER: 'none' }]]) {
  test(`mix-up ${variant}: refused before any redirect, also with aud: false`, async () => {
    const hostile = await startSecondSandbox({ env: { SANDBOX_MIXUP_OF: AS, ...env } });
    try {
      await page.goto(`${DEMO}/index.html`);
      await page.waitForSelector('#launch:not([hidden])');
      const requested = [];
      page.on('request', (r) => requested.push(r.url()));
      const result = await page.evaluate(async ([honest, evil]) => {
        const SMART = await import('smart-wasm');
        const options = { servers: [{ iss: honest }, { iss: evil }], clientId: 'demo-public', scope: 'openid launch/patient patient/Patient.read',
          redirectUri: `${location.origin}/index.html`, noRedirect: true };
        const refused = await SMART.authorize({ ...options, fhirServiceUrl: evil }).then((u) => u, (e) => ({ code: e.code, message: e.message }));
        const noAud = await SMART.authorize({ ...options, fhirServiceUrl: evil, aud: false }).then((u) => u, (e) => ({ code: e.code }));
        const honestUrl = await SMART.authorize({ ...options, fhirServiceUrl: honest }).then((u) => u, (e) => ({ code: e.code }));
        return { refused, noAud, honestUrl };
      }, [FHIR, hostile.fhirBase]);
      assert.equal(result.refused.code, 'endpoint_mismatch');
      assert.match(result.refused.message, /token_endpoint/);
      assert.equal(result.noAud.code, 'endpoint_mismatch');
      assert.ok(String(result.honestUrl).startsWith(`${AS}/auth?`), 'the honest server still launches');
      assert.ok(requested.every((u) => !u.includes('/.well-known/openid-configuration') && !u.includes('oauth-authorization-server')),
        'nothing was asked of any issuer');
      assert.ok(requested.every((u) => !u.startsWith(hostile.issuer)), 'the hostile token endpoint never saw a request');
      assert.equal((await storage(page)).launches, 1, 'only the honest launch was started');
    } finally {
      await hostile.stop();
    }
  });
}

test('an app that pins a server\'s endpoints launches with them on two origins, and refuses a document that names others', async () => {
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  const r = await page.evaluate(async ([fhir, as]) => {
    const SMART = await import('smart-wasm');
    const base = { iss: fhir, clientId: 'demo-public', scope: 'openid', redirectUri: `${location.origin}/index.html`, noRedirect: true };
    const pinned = await SMART.authorize({ ...base, authorizationEndpoint: `${as}/auth`, tokenEndpoint: `${as}/token` });
    const other = await SMART.authorize({ ...base, tokenEndpoint: `${as}/elsewhere` }).then(() => null, (e) => [e.code, e.message]);
    return { pinned, other };
  }, [FHIR, AS]);
  assert.ok(r.pinned.startsWith(`${AS}/auth?`));
  assert.equal(r.other[0], 'endpoint_mismatch');
  assert.match(r.other[1], /token_endpoint.*pinned/);
});
