// Browser-bound app identity end to end (smart-wasm/identity): launch, register a WebCrypto key,
// JWT bearer grant, silent sign-in on a later visit, two servers side by side, forgetting, and
// each fault of an assertion answered invalid_grant and surfaced as a typed error.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { useBrowser, sandbox, launchFromDemo, loginAndConsent, outcome, eventsOf, storedSession, startSecondSandbox, launchByHand, ageTokens, PATIENT_SCOPE, DEMO, FHIR, AS } from './helpers.mjs';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

let page;
let browser;
useBrowser({ before, after, beforeEach }, (p, b) => { page = p; browser = b; });

/** Launches from the demo with "stay signed in on this device" and returns what the browser sent. */
async function launchAndRegister({ alg = 'ES384', iss } = {}) {
  const sent = { registration: null, jwtBearer: [], launchToken: null };
  // Every value the page writes to web storage, to show the launch's token never lands there.
  await page.addInitScript(() => {
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      const written = JSON.parse(window.name || '[]');
      written.push(String(v));
      window.name = JSON.stringify(written);
      return set.call(this, k, v);
    };
  });
  page.on('request', (r) => {
    if (r.method() !== 'POST') return;
    if (r.url().endsWith('/reg')) {
      sent.registration = JSON.parse(r.postData());
      // The registration's Bearer is the launch's access token (the one-time initial access token).
      // Read from the request: a response body may already be gone when Playwright asks for it.
      sent.launchToken = /^Bearer (.+)$/.exec(r.headers().authorization || '')?.[1] ?? null;
    }
    const body = new URLSearchParams(r.postData() || '');
    if (body.get('grant_type') === JWT_BEARER) sent.jwtBearer.push(body);
  });
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  if (iss) await page.fill('#iss', iss);
  await page.fill('#scope', PATIENT_SCOPE);
  await page.check('#stay');
  await page.selectOption('#alg', alg);
  await page.click('#launch-button');
  await loginAndConsent(page);
  await page.waitForURL(`${DEMO}/index.html**`);
  const shown = await outcome(page);
  assert.equal(shown.error, null, shown.message);
  // The portal's own requests (after the banner) are over before a test counts anything.
  await page.waitForSelector('#records[data-loaded=true]', { timeout: 20_000 });
  return sent;
}

for (const alg of ['ES384', 'RS384']) {
  test(`${alg}: launch, register, JWT bearer grant, FHIR read; the assertion verifies with a JWT library`, async () => {
    const sent = await launchAndRegister({ alg });
    assert.match(await page.textContent('#status'), /sign in by itself/);
    const [code, bearer] = await eventsOf('token');
    assert.equal(code.grantType, 'authorization_code');
    assert.equal(code.clientId, 'demo-public');
    const [reg] = await eventsOf('register');
    assert.equal(reg.status, 201);
    assert.equal(reg.softwareId, 'demo-public', 'software_id is the app client id');
    assert.equal(bearer.grantType, JWT_BEARER);
    assert.equal(bearer.status, 200);
    assert.equal(bearer.clientId, reg.clientId);
    const [read] = await eventsOf('fhir');
    assert.equal(read.jti, bearer.jti, 'the FHIR read used the JWT bearer token');

    // What went over the wire: a public JWK only, and an RFC 7523 assertion a standard library accepts.
    assert.deepEqual(Object.keys(sent.registration).sort(), ['client_name', 'grant_types', 'jwks', 'redirect_uris', 'response_types',
      'software_id', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg'], 'RFC 7591 metadata by default');
    assert.deepEqual(sent.registration.redirect_uris, [`${DEMO}/index.html`], "the launch's exact redirect URI");
    assert.equal(sent.registration.token_endpoint_auth_signing_alg, alg);
    const [jwk] = sent.registration.jwks.keys;
    assert.equal(jwk.alg, alg);
    for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.ok(!(priv in jwk), `no ${priv} in the registered key`);
    assert.equal(jwk.kid, await jose.calculateJwkThumbprint(jwk), 'kid is the RFC 7638 thumbprint');
    const assertion = sent.jwtBearer[0].get('assertion');
    assert.equal(sent.jwtBearer[0].get('client_id'), reg.clientId);
    const { payload, protectedHeader } = await jose.jwtVerify(assertion, jose.createLocalJWKSet({ keys: [jwk] }), {
      issuer: reg.clientId, subject: reg.clientId, audience: `${AS}/token`, algorithms: [alg],
    });
    assert.deepEqual(protectedHeader, { alg, kid: jwk.kid, typ: 'JWT' });
    assert.ok(payload.exp - payload.iat <= 300 && payload.nbf === payload.iat && payload.jti.length >= 43);

    const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`));
    assert.deepEqual(stored, [`demo:device-sign-in=${FHIR}`], 'no token or key in localStorage, only which server');
    // The launch's token was the one-time initial access token: used for the registration (it was
    // its Bearer) and never written to web storage; the tab's session holds the JWT bearer token.
    const session = await storedSession(page);
    assert.equal(jose.decodeJwt(session.accessToken).jti, bearer.jti);
    assert.equal(session.binding.clientId, reg.clientId);
    assert.equal(jose.decodeJwt(sent.launchToken).jti, code.jti);
    const written = await page.evaluate(() => JSON.parse(window.name || '[]'));
    assert.ok(written.some((v) => v.includes(session.accessToken)), 'the recorder saw the session being stored');
    assert.ok(written.every((v) => !v.includes(sent.launchToken)), 'no stored value holds the launch token');
    const [registration] = await page.evaluate(() => window.SMART.listRegistrations());
    assert.equal(registration.clientId, reg.clientId);
    assert.equal(registration.iss, FHIR);
    assert.equal(registration.alg, alg);
  });
}

test('a later visit (new tab) signs in by the JWT bearer grant without a login page', async () => {
  await launchAndRegister();
  await sandbox.reset();
  const tab = await page.context().newPage();
  const visited = [];
  tab.on('request', (r) => visited.push(r.url()));
  await tab.goto(`${DEMO}/index.html`);
  const shown = await outcome(tab);
  assert.equal(shown.error, null, shown.message);
  assert.equal(shown.name, 'Amy V. Shaw');
  assert.equal(await tab.textContent('#status'), 'Signed in silently on this device.');
  assert.ok(!visited.some((u) => u.startsWith(`${AS}/auth`) || u.startsWith(`${AS}/interaction`)), 'no login page');
  const tokens = await eventsOf('token');
  assert.deepEqual(tokens.map((e) => [e.grantType, e.status]), [[JWT_BEARER, 200]]);
});

test('an expired token of a key-bound session is replaced by a new JWT bearer grant', async () => {
  await sandbox.setTokenTTL(5);
  await launchAndRegister();
  await sandbox.reset();
  await ageTokens(page);
  assert.equal(await page.evaluate(() => window.smartClient.patient.read().then((p) => p.id)), 'amy');
  const tokens = await eventsOf('token');
  assert.deepEqual(tokens.map((e) => e.grantType), [JWT_BEARER]);
  assert.equal((await eventsOf('fhir'))[0].jti, tokens[0].jti);
});

test('two servers registered side by side, each signs in with its own client', async () => {
  const second = await startSecondSandbox();
  try {
    await launchAndRegister();
    // A new tab session, and the demo told to show its launch form instead of signing in silently;
    // the first registration stays in IndexedDB.
    await page.evaluate(() => { sessionStorage.clear(); localStorage.clear(); });
    await launchAndRegister({ iss: second.fhirBase });
    const regs = await page.evaluate(() => window.SMART.listRegistrations());
    assert.deepEqual(regs.map((r) => r.iss).sort(), [FHIR, second.fhirBase].sort());
    assert.notEqual(regs[0].clientId, regs[1].clientId);
    assert.equal(regs[0].softwareId, regs[1].softwareId);
    for (const iss of [FHIR, second.fhirBase]) {
      const id = await page.evaluate((i) => window.SMART.resume({ iss: i }).then((c) => c.patient.read()).then((p) => p.id), iss);
      assert.equal(id, 'amy', iss);
    }
    assert.ok((await second.events()).some((e) => e.grantType === JWT_BEARER && e.status === 200));
  } finally {
    await second.stop();
  }
});

test('the demo: sign out stays signed out with a registered device, offers the silent sign-in, and actions say what they did', async () => {
  await launchAndRegister();
  await page.click('#refresh');
  await page.waitForFunction(() => /^Token refreshed; it now expires at /.test(document.getElementById('status').textContent));
  await page.click('#reload');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'Patient read again.');
  await page.click('#signout');
  await page.waitForSelector('#launch:not([hidden])');
  assert.equal(await page.textContent('#status'), 'Signed out.');
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('smart-wasm:')).length), 0, 'no session left');
  assert.match(await page.textContent('#device'), new RegExp(`registered with ${FHIR.replace(/[./]/g, '\\$&')}: it can sign in silently`));
  await page.reload();
  await page.waitForSelector('#launch:not([hidden])');
  assert.equal(await page.textContent('#status'), 'Signed out.', 'a reload does not sign back in');
  await sandbox.reset();
  await page.click('#device-signin');
  const shown = await outcome(page);
  assert.equal(shown.error, null, shown.message);
  assert.equal(await page.textContent('#status'), 'Signed in silently on this device.');
  assert.deepEqual((await eventsOf('token')).map((e) => e.grantType), [JWT_BEARER], 'by the JWT bearer grant, no login');
});

test('forgetting the registration deletes it; the next visit needs a login', async () => {
  await launchAndRegister();
  await page.click('#forget');
  await page.waitForSelector('#launch:not([hidden])');
  assert.equal(await page.textContent('#status'), 'Signed out; this device is forgotten (its key is deleted): the next launch needs a login.');
  assert.ok(await page.isHidden('#device'), 'no silent sign-in offered');
  const tab = await page.context().newPage();
  await tab.goto(`${DEMO}/index.html`);
  await tab.waitForSelector('#launch:not([hidden])');
  assert.equal(await tab.evaluate(() => localStorage.length), 0);
  const result = await tab.evaluate(async (iss) => {
    const SMART = await import('smart-wasm/identity');
    const list = await SMART.listRegistrations();
    return SMART.resume({ iss }).then(() => 'signed in', (e) => ({ code: e.code, list: list.length }));
  }, FHIR);
  assert.deepEqual(result, { code: 'no_registration', list: 0 });
});

test('confidential-asymmetric: code exchange and every refresh authenticate with a client assertion', async () => {
  await launchAndRegister();
  const [reg] = await eventsOf('register');
  await sandbox.reset();
  const assertions = [];
  page.on('request', (r) => {
    const body = new URLSearchParams(r.postData() || '');
    if (r.url() === `${AS}/token` && body.get('client_assertion')) assertions.push(body);
  });
  // Seed 004 step 3b: the standalone launch again, as the registered client; the user logs in again.
  await page.evaluate(async (iss) => {
    sessionStorage.clear();
    localStorage.clear();
    sessionStorage.setItem('demo:choices', JSON.stringify({ identity: true }));
    const SMART = await import('smart-wasm/identity');
    await SMART.authorize({ iss, clientId: 'demo-public', scope: 'openid fhirUser launch/patient patient/Patient.read offline_access',
      redirectUri: `${location.origin}/index.html`, useRegistration: true });
  }, FHIR);
  await loginAndConsent(page);
  await page.waitForURL(`${DEMO}/index.html**`);
  const shown = await outcome(page);
  assert.equal(shown.error, null, shown.message);
  const state = await page.evaluate(() => window.smartClient.refresh());
  assert.equal(state.clientId, reg.clientId);
  const grants = await eventsOf('token');
  assert.deepEqual(grants.map((e) => [e.grantType, e.clientId, e.authMethod, e.status]), [
    ['authorization_code', reg.clientId, 'private_key_jwt', 200],
    ['refresh_token', reg.clientId, 'private_key_jwt', 200],
  ]);
  assert.equal(grants[0].refreshTokenIssued, true);
  assert.equal(assertions.length, 2);
  assert.ok(assertions.every((b) => b.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'));
  assert.notEqual(jose.decodeJwt(assertions[0].get('client_assertion')).jti, jose.decodeJwt(assertions[1].get('client_assertion')).jti);
  assert.ok(assertions[0].get('code_verifier'), 'PKCE too');
});

/** Runs `fn(SMART, arg)` in the demo page with the identity entry loaded; errors come back as `{ code, status }`. */
async function withIdentity(fn, arg) {
  if (!page.url().startsWith(DEMO)) await page.goto(`${DEMO}/index.html`);
  return page.evaluate(async ([src, a]) => {
    const SMART = await import('smart-wasm/identity');
    return new Function('SMART', 'arg', `return (${src})(SMART, arg)`)(SMART, a).catch((e) => ({ code: e.code, status: e.status, error: e.error }));
  }, [fn.toString(), arg]);
}

test('non-interactive: client credentials with a client secret (seed 003) reads any patient', async () => {
  const name = await withIdentity(async (SMART, fhir) => {
    const client = await SMART.clientCredentials({ iss: fhir, clientId: 'tool-basic', clientSecret: 'tool-secret/1', scope: 'system/Patient.read' });
    const p = await client.request('Patient/daniel');
    return p.name[0].family;
  }, FHIR);
  assert.equal(name, 'Adams');
  const [grant] = await eventsOf('token');
  assert.deepEqual([grant.grantType, grant.clientId, grant.basicAuth, grant.status], ['client_credentials', 'tool-basic', true, 200]);
  assert.equal((await eventsOf('fhir'))[0].jti, grant.jti);
});

test('non-interactive: client credentials with the registered key (Backend Services style)', async () => {
  await launchAndRegister();
  const [reg] = await eventsOf('register');
  await sandbox.reset();
  const id = await withIdentity(async (SMART, fhir) => {
    const client = await SMART.clientCredentials({ iss: fhir, clientId: 'demo-public', scope: 'system/Patient.read', useRegistration: true });
    return (await client.request('Patient/kim')).id;
  }, FHIR);
  assert.equal(id, 'kim');
  const [grant] = await eventsOf('token');
  assert.deepEqual([grant.grantType, grant.clientId, grant.authMethod, grant.status], ['client_credentials', reg.clientId, 'private_key_jwt', 200]);
});

test('client credentials sessions renew by the same grant when the token expires (with the key, and with a secret)', async () => {
  await launchAndRegister();
  const [reg] = await eventsOf('register');
  await sandbox.reset();
  await sandbox.setTokenTTL(5); // inside the 30 s refresh margin: once 5 s old, a token is renewed before a request
  await withIdentity(async (SMART, fhir) => {
    window.keyed = await SMART.clientCredentials({ iss: fhir, clientId: 'demo-public', scope: 'system/Patient.read', useRegistration: true });
    window.withSecret = await SMART.clientCredentials({ iss: fhir, clientId: 'tool-basic', clientSecret: 'tool-secret/1', scope: 'system/Patient.read' });
  }, FHIR);
  await ageTokens(page);
  const ids = await page.evaluate(async () => {
    const out = [];
    for (const c of [window.keyed, window.keyed, window.withSecret, window.withSecret]) out.push((await c.request('Patient/kim')).id);
    await window.keyed.refresh();
    return out;
  });
  assert.deepEqual(ids, ['kim', 'kim', 'kim', 'kim']);
  const grants = (await eventsOf('token')).map((g) => [g.grantType, g.clientId, g.status]);
  const keyedGrants = grants.filter((g) => g[1] === reg.clientId);
  assert.equal(keyedGrants.length, 3, `initial + one renewal (the second request finds a fresh token) + refresh(): ${JSON.stringify(grants)}`);
  assert.ok(grants.every(([type, , status]) => type === 'client_credentials' && status === 200), JSON.stringify(grants));
  assert.equal(grants.filter((g) => g[1] === 'tool-basic').length, 2);
});

test('non-interactive: FHIR requests with HTTP Basic client credentials (seed 002)', async () => {
  const result = await withIdentity(async (SMART, fhir) => {
    const client = await SMART.basicClient({ iss: fhir, clientId: 'tool-basic', clientSecret: 'tool-secret/1' });
    const bundle = await client.request('Patient?family=Lee');
    const write = await client.request('Patient', { method: 'POST', body: { resourceType: 'Patient' } }).catch((e) => e.code);
    const wrong = await (await SMART.basicClient({ iss: fhir, clientId: 'tool-basic', clientSecret: 'nope' })).request('Patient/kim').catch((e) => e.code);
    return { total: bundle.total, write, wrong, refresh: await client.refresh().catch((e) => e.code) };
  }, FHIR);
  assert.deepEqual(result, { total: 1, write: 'insufficient_scope', wrong: 'unauthorized', refresh: 'no_refresh_token' });
  const reads = await eventsOf('fhir');
  assert.equal(reads[0].basicClient, 'tool-basic');
  assert.equal((await eventsOf('token')).length, 0, 'no token endpoint involved');
});

/** Signs JWTs in the page with the registered, non-extractable key, read from IndexedDB. */
async function forgeAssertions() {
  return page.evaluate(async () => {
    const entry = await new Promise((resolve, reject) => {
      const r = indexedDB.open('smart-wasm');
      r.onsuccess = () => { const g = r.result.transaction('registrations').objectStore('registrations').getAll(); g.onsuccess = () => resolve(g.result[0]); g.onerror = reject; };
      r.onerror = reject;
    });
    const { binding, kid } = entry.record;
    const rec = { ...binding, kid };
    const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const text = (o) => b64(new TextEncoder().encode(JSON.stringify(o)));
    const sign = async (key, claims) => {
      const input = `${text({ alg: 'ES384', kid: rec.kid, typ: 'JWT' })}.${text(claims)}`;
      const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, key, new TextEncoder().encode(input));
      return `${input}.${b64(sig)}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const claims = (over) => ({ iss: rec.clientId, sub: rec.clientId, aud: rec.tokenEndpoint, jti: crypto.randomUUID(), iat: now, nbf: now, exp: now + 300, ...over });
    const stranger = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign']);
    return {
      iss: rec.iss,
      wrongAud: await sign(entry.keys.privateKey, claims({ aud: 'http://127.0.0.1:9000/other' })),
      expired: await sign(entry.keys.privateKey, claims({ iat: now - 400, nbf: now - 400, exp: now - 100 })),
      unknownKey: await sign(stranger.privateKey, claims({})),
    };
  });
}

test('assertion faults are invalid_grant, and the client surfaces each as token_error', async () => {
  await launchAndRegister({ alg: 'ES384' });
  const forged = await forgeAssertions();
  let replace = null;
  let captured = null;
  await page.route(`${AS}/token`, (route) => {
    const body = new URLSearchParams(route.request().postData());
    if (body.get('grant_type') === JWT_BEARER) {
      captured ??= body.get('assertion');
      if (replace) body.set('assertion', replace);
    }
    return route.continue({ postData: body.toString() });
  });
  const resume = () => page.evaluate((iss) => window.SMART.resume({ iss }).then(() => 'ok', (e) => ({ code: e.code, error: e.error, status: e.status })), forged.iss);
  assert.equal(await resume(), 'ok', 'an honest assertion passes');
  for (const [fault, assertion] of [['replayed jti', captured], ['wrong aud', forged.wrongAud], ['expired', forged.expired], ['unknown key', forged.unknownKey]]) {
    replace = assertion;
    assert.deepEqual(await resume(), { code: 'token_error', error: 'invalid_grant', status: 400 }, fault);
  }
  const refused = (await eventsOf('token')).filter((e) => e.status === 400);
  assert.equal(refused.length, 4);
  assert.ok(refused.every((e) => e.error === 'invalid_grant'));
});

test("the README's device sign-in call works as printed: ready({ registerDevice: { alg: 'ES384' } })", async () => {
  await launchByHand(page, { iss: FHIR, clientId: 'demo-public', scope: 'openid fhirUser launch/patient patient/Patient.read',
    redirectUri: `${DEMO}/index.html` }, 'smart-wasm/identity');
  const result = await page.evaluate(async () => {
    const SMART = (await import('smart-wasm/identity')).default;
    const client = await SMART.oauth2.ready({ registerDevice: { alg: 'ES384' } });
    const [registration] = await SMART.listRegistrations();
    return { patient: (await client.patient.read()).id, clientId: client.getState().clientId, registered: registration.clientId };
  });
  assert.equal(result.patient, 'amy');
  assert.equal(result.clientId, result.registered, 'the client returned is the registered one');
  assert.notEqual(result.clientId, 'demo-public');
});

test('ready({ registerDevice }) keeps the launch when IndexedDB fails, and reports the registration failure', async () => {
  await page.addInitScript(() => {
    IDBObjectStore.prototype.put = function put() { throw new DOMException('the disk is full', 'QuotaExceededError'); };
  });
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  await page.check('#stay');
  await page.click('#launch-button');
  await loginAndConsent(page);
  await page.waitForURL(`${DEMO}/index.html**`);
  const shown = await outcome(page);
  assert.equal(shown.error, null, shown.message);
  assert.equal(shown.name, 'Amy V. Shaw', 'the launch was not thrown away');
  const state = await page.evaluate(() => ({
    code: window.smartClient.registrationError?.code,
    message: window.smartClient.registrationError?.message,
    session: Boolean(sessionStorage.getItem('smart-wasm:session')),
    device: localStorage.getItem('demo:device-sign-in'),
    status: document.getElementById('status').textContent,
  }));
  assert.equal(state.code, 'storage_error');
  assert.match(state.message, /QuotaExceededError/);
  assert.ok(state.session, 'the launch session is kept for the tab');
  assert.equal(state.device, null, 'the demo does not claim the device is registered');
  assert.match(state.status, /could not be registered/);
});

/** Registers `client_id` with `jwks` at the sandbox out of band (as an administrator would). */
const registerOutOfBand = (clientId, jwks) => fetch(`${AS}/_sandbox/clients`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: clientId, jwks }),
}).then((r) => { if (!r.ok) throw new Error(`out-of-band registration: ${r.status}`); });

/** Launches as `clientId` with the key bound to it, refreshes once; returns the grants the sandbox saw. */
async function launchWithOwnKey(clientId) {
  await launchByHand(page, { iss: FHIR, clientId, scope: 'openid launch/patient patient/Patient.read offline_access',
    redirectUri: `${DEMO}/index.html`, useRegistration: true }, 'smart-wasm/identity');
  const result = await page.evaluate(async () => {
    const S = await import('smart-wasm/identity');
    const client = await S.ready();
    await client.refresh();
    const entry = await new Promise((resolve, reject) => {
      const r = indexedDB.open('smart-wasm');
      r.onsuccess = () => { const g = r.result.transaction('registrations').objectStore('registrations').getAll(); g.onsuccess = () => resolve(g.result[0]); g.onerror = reject; };
      r.onerror = reject;
    });
    return { patient: (await client.patient.read()).id, extractable: entry.keys.privateKey.extractable };
  });
  return { ...result, grants: (await eventsOf('token')).map((g) => [g.grantType, g.clientId, g.authMethod, g.status]) };
}

for (const alg of ['ES384', 'RS384']) {
  test(`${alg}: a key made in this browser for a client registered out of band (createClientKey), then a launch with it`, async () => {
    await page.goto(`${DEMO}/index.html`);
    const bound = await page.evaluate(([fhir, a]) => import('smart-wasm/identity').then((S) => S.createClientKey({ iss: fhir, clientId: `oob-made-${a}`, alg: a })), [FHIR, alg]);
    assert.equal(bound.jwks.keys.length, 1);
    const [jwk] = bound.jwks.keys;
    assert.equal(jwk.alg, alg);
    assert.equal(jwk.kid, await jose.calculateJwkThumbprint(jwk));
    for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.ok(!(priv in jwk));
    await registerOutOfBand(`oob-made-${alg}`, bound.jwks);
    const result = await launchWithOwnKey(`oob-made-${alg}`);
    assert.equal(result.patient, 'amy');
    assert.equal(result.extractable, false, 'the private key cannot be read');
    assert.deepEqual(result.grants, [
      ['authorization_code', `oob-made-${alg}`, 'private_key_jwt', 200],
      ['refresh_token', `oob-made-${alg}`, 'private_key_jwt', 200],
    ]);
  });

  test(`${alg}: an imported private JWK (importClientKey) is kept non-extractable and signs the launch`, async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
    const privateJwk = { ...(await jose.exportJWK(privateKey)), alg, kid: `app-key-${alg}` };
    const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), alg, use: 'sig', kid: `app-key-${alg}` }] };
    await registerOutOfBand(`oob-imported-${alg}`, jwks);
    await page.goto(`${DEMO}/index.html`);
    const bound = await page.evaluate(([fhir, a, p]) => import('smart-wasm/identity').then((S) => S.importClientKey({ iss: fhir, clientId: `oob-imported-${a}`, alg: a, privateJwk: p })),
      [FHIR, alg, privateJwk]);
    assert.equal(bound.jwks.keys[0].kid, `app-key-${alg}`, "the app's own kid, as its registered JWKS names it");
    assert.equal(await jose.calculateJwkThumbprint(bound.jwks.keys[0]), await jose.calculateJwkThumbprint(jwks.keys[0]), 'the same public key');
    const result = await launchWithOwnKey(`oob-imported-${alg}`);
    assert.equal(result.patient, 'amy');
    assert.equal(result.extractable, false);
    assert.deepEqual(result.grants.map((g) => g[2]), ['private_key_jwt', 'private_key_jwt']);
  });
}

test('importClientKey takes its algorithm from the JWK (kty, crv, alg); an explicit alg must agree', async () => {
  const rsa = await jose.generateKeyPair('RS384', { extractable: true });
  const ec = await jose.generateKeyPair('ES384', { extractable: true });
  const p256 = await jose.generateKeyPair('ES256', { extractable: true });
  // Private JWKs as a key tool writes them: no alg member.
  const rsaJwk = { ...(await jose.exportJWK(rsa.privateKey)), kid: 'rsa-no-alg' };
  const ecJwk = { ...(await jose.exportJWK(ec.privateKey)), kid: 'ec-no-alg' };
  await registerOutOfBand('oob-rsa-no-alg', { keys: [{ ...(await jose.exportJWK(rsa.publicKey)), kid: 'rsa-no-alg', use: 'sig' }] });
  await page.goto(`${DEMO}/index.html`);
  const r = await page.evaluate(([fhir, rsaJ, ecJ, p256J]) => import('smart-wasm/identity').then(async (S) => {
    const fail = (e) => [e.code, e.message];
    // (One record per server: the RSA key imported last is the one the launch below uses.)
    const ec = (await S.importClientKey({ iss: fhir, clientId: 'x', privateJwk: ecJ })).alg;
    const rsa256 = (await S.importClientKey({ iss: fhir, clientId: 'x', alg: 'RS256', privateJwk: rsaJ })).alg;
    const mismatch = await S.importClientKey({ iss: fhir, clientId: 'x', alg: 'ES384', privateJwk: rsaJ }).catch(fail);
    const mismatchAlg = await S.importClientKey({ iss: fhir, clientId: 'x', alg: 'RS256', privateJwk: { ...rsaJ, alg: 'RS384' } }).catch(fail);
    const p256 = await S.importClientKey({ iss: fhir, clientId: 'x', privateJwk: p256J }).catch(fail);
    const rsa = (await S.importClientKey({ iss: fhir, clientId: 'oob-rsa-no-alg', privateJwk: rsaJ })).alg;
    return { rsa, ec, rsa256, mismatch, mismatchAlg, p256 };
  }), [FHIR, rsaJwk, ecJwk, await jose.exportJWK(p256.privateKey)]);
  assert.deepEqual([r.rsa, r.ec, r.rsa256], ['RS384', 'ES384', 'RS256']);
  assert.equal(r.mismatch[0], 'invalid_option');
  assert.match(r.mismatch[1], /alg.*differs from the key/);
  assert.equal(r.mismatchAlg[0], 'invalid_option');
  assert.equal(r.p256[0], 'invalid_option');
  assert.match(r.p256[1], /P-384/);
  // The RSA key imported without an alg signs the launch (RS384).
  const result = await launchWithOwnKey('oob-rsa-no-alg');
  assert.equal(result.patient, 'amy');
  assert.deepEqual(result.grants.map((g) => g[2]), ['private_key_jwt', 'private_key_jwt']);
});

test('importClientKey refuses what is not a usable private key', async () => {
  await page.goto(`${DEMO}/index.html`);
  const codes = await page.evaluate((fhir) => import('smart-wasm/identity').then(async (S) => [
    await S.importClientKey({ iss: fhir, clientId: 'x', alg: 'ES384', privateJwk: { kty: 'EC', crv: 'P-384', x: 'AA', y: 'AA', d: 'AA' } }).catch((e) => e.code),
    await S.importClientKey({ iss: fhir, clientId: 'x', alg: 'ES384' }).catch((e) => e.code),
    await S.createClientKey({ iss: fhir, clientId: 'x', alg: 'HS256' }).catch((e) => e.code),
  ]), FHIR);
  assert.deepEqual(codes, ['crypto_error', 'invalid_option', 'invalid_option']);
});

test('forgetRegistration() during a resume() keeps the registration forgotten (resume and forget never interleave)', async () => {
  await launchAndRegister();
  const result = await page.evaluate(async (fhir) => {
    const SMART = await import('smart-wasm/identity');
    const resumed = SMART.resume({ iss: fhir }).then((c) => c.getState().clientId, (e) => e.code);
    const forgotten = SMART.forgetRegistration(fhir).then(() => 'forgotten', (e) => e.code);
    const outcomes = await Promise.all([resumed, forgotten]);
    const left = await SMART.listRegistrations();
    const again = await SMART.resume({ iss: fhir }).then(() => 'resumed', (e) => e.code);
    return { outcomes, left: left.length, again };
  }, FHIR);
  assert.equal(result.outcomes[1], 'forgotten');
  assert.equal(result.left, 0, 'the key and record did not come back');
  assert.equal(result.again, 'no_registration');
});

// Issue 15, item 1: the RFC 7592 registration access token is a lasting credential (with it, a
// registration can be re-keyed and the device impersonated from anywhere), so it is never kept.
test('the registration access token the server offers is kept nowhere one XSS could read it', async () => {
  await launchAndRegister();
  // The token the server handed the browser (the sandbox's log of its answer).
  const registrationAccessToken = (await eventsOf('register')).find((e) => e.status === 201)?.registrationAccessToken ?? null;
  assert.ok(registrationAccessToken, 'the sandbox offers RFC 7592 management');
  // What a script on the page (or any page of the origin) can read: IndexedDB, web storage.
  const readable = await page.evaluate(async () => {
    const entries = await new Promise((resolve, reject) => {
      const r = indexedDB.open('smart-wasm');
      r.onsuccess = () => { const g = r.result.transaction('registrations').objectStore('registrations').getAll(); g.onsuccess = () => resolve(g.result); g.onerror = reject; };
      r.onerror = reject;
    });
    const text = (v) => JSON.stringify(v, (k, x) => (x instanceof CryptoKey ? `CryptoKey(${x.type})` : x));
    return [text(entries), JSON.stringify({ ...sessionStorage }), JSON.stringify({ ...localStorage })].join('\n');
  });
  assert.ok(!readable.includes(registrationAccessToken), 'not in IndexedDB, sessionStorage or localStorage');
  assert.ok(!readable.includes('registration_client_uri') && !readable.includes('"management"'));
  // Forgetting sends it nowhere: the key and record go, the server sees no management request.
  const before = await eventsOf('unregister');
  await page.evaluate((fhir) => import('smart-wasm/identity').then((S) => S.forgetRegistration(fhir)), FHIR);
  assert.deepEqual(await eventsOf('unregister'), before);
  assert.equal((await page.evaluate(() => import('smart-wasm/identity').then((S) => S.listRegistrations()))).length, 0);
});

test('a client key is not bound over a dynamic registration: that would orphan the registration at the server', async () => {
  await launchAndRegister();
  const r = await page.evaluate(async (fhir) => {
    const S = await import('smart-wasm/identity');
    const fail = (e) => [e.code, e.message];
    const [registered] = await S.listRegistrations();
    return {
      made: await S.createClientKey({ iss: fhir, clientId: 'oob-client' }).then(() => 'bound', fail),
      imported: await S.importClientKey({ iss: fhir, clientId: 'oob-client', privateJwk: await crypto.subtle.exportKey('jwk', (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign'])).privateKey) }).then(() => 'bound', fail),
      kept: (await S.listRegistrations()).map((x) => x.clientId),
      registered: registered.clientId,
      afterForget: await S.forgetRegistration(fhir).then(() => S.createClientKey({ iss: fhir, clientId: 'oob-client' })).then((b) => b.clientId, fail),
    };
  }, FHIR);
  assert.equal(r.made[0], 'invalid_option');
  assert.match(r.made[1], /forgetRegistration\(\) first/);
  assert.equal(r.imported[0], 'invalid_option');
  assert.deepEqual(r.kept, [r.registered], 'the registration and its key are untouched');
  assert.equal(r.afterForget, 'oob-client', 'once forgotten on purpose, a key can be bound');
});
