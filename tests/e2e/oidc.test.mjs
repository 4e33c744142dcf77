// OpenID Connect identity, end to end: the sandbox's id_tokens verified with WebCrypto against the
// issuer's JWKS (RS256 from oidc-provider, every other asymmetric algorithm re-signed by the sandbox), the identity
// getters, and every failure the client must refuse: a wrong signature, alg none, HMAC, a wrong
// audience, an expired token, several audiences without azp, a foreign issuer, a replayed nonce, an
// unknown kid (refetched once), a key rotated since the JWKS was cached, and no fhirUser claim.
// Keys that cannot be had (a JWKS that hangs, is too large, is no key set) are no reason to lose a
// sign-in: the token is trusted over TLS and the client says so, unless the app requires a signature.
// (The server shapes of real EHRs, each a sandbox profile, are in profiles.test.mjs.)
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { useBrowser, sandbox, signIn, eventsOf, storedSession, launchByHand, AS, FHIR, DEMO } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

const SCOPE = 'openid fhirUser launch/patient patient/*.rs offline_access';

/** Signs in with the sandbox's next id_token replaced as `mode` says; returns what the demo shows. */
async function signInWith(mode, user = 'amy') {
  if (mode) await sandbox.settings({ idTokenMode: mode });
  const nonces = [];
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/auth') nonces.push(u.searchParams.get('nonce')); });
  const shown = await signIn(page, { scope: SCOPE }, user);
  return { shown, nonce: nonces[0] };
}

test('a verified id_token: getIdToken, getFhirUser, getUserId, getUserType, user.read', async () => {
  const { shown, nonce } = await signInWith(null);
  assert.equal(shown.error, null);
  const r = await page.evaluate(async () => ({
    claims: smartClient.getIdToken(), fhirUser: smartClient.getFhirUser(), id: smartClient.getUserId(),
    type: smartClient.getUserType(), user: await smartClient.user.read(), userApi: { ...smartClient.user, read: undefined },
    raw: smartClient.getState().tokenResponse.id_token,
  }));
  assert.equal(r.claims.iss, AS);
  assert.equal(r.claims.aud, 'demo-public');
  assert.equal(r.claims.sub, 'amy');
  assert.equal(r.claims.fhirUser, `${FHIR}/Patient/amy`);
  assert.ok(nonce && nonce.length >= 43, 'a nonce was sent on the authorize request');
  assert.equal(r.claims.nonce, nonce, 'and the id_token carries it');
  assert.deepEqual(r.claims, jose.decodeJwt(r.raw), 'the claims are those of the token the server signed');
  assert.deepEqual([r.fhirUser, r.id, r.type], ['Patient/amy', 'amy', 'Patient']);
  assert.deepEqual([r.user.resourceType, r.user.id], ['Patient', 'amy']);
  assert.deepEqual(r.userApi, { id: 'amy', resourceType: 'Patient', fhirUser: 'Patient/amy', read: undefined });
  assert.equal((await eventsOf('jwks')).length, 1, 'the issuer\'s JWKS was fetched once');
  assert.equal(await page.evaluate(() => smartClient.getIdTokenVerification()), 'signature');
});

test('a clinician login: fhirUser is a Practitioner, read with client.user.read()', async () => {
  const { shown } = await signInWith(null, 'dr-smith');
  assert.equal(shown.error, null);
  const r = await page.evaluate(async () => ({ type: smartClient.getUserType(), user: await smartClient.user.read() }));
  assert.equal(r.type, 'Practitioner');
  assert.deepEqual([r.user.resourceType, r.user.id, r.user.name[0].family], ['Practitioner', 'smith', 'Smith']);
});

// Every asymmetric JWS algorithm, verified by the browser's WebCrypto with the key the issuer
// publishes for it (RS256 is oidc-provider's own, above): an honest signature signs in, the same
// token with one signature byte changed is refused. A parameter the library got wrong (the PSS salt,
// the ECDSA signature form, the curve) fails the honest half.
for (const alg of ['RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
  test(`an id_token signed with ${alg} verifies with the issuer's ${alg} key; a tampered one is refused`, async () => {
    const { shown } = await signInWith(`alg:${alg}`);
    assert.equal(shown.error, null, shown.message);
    const r = await page.evaluate(() => [smartClient.getState().tokenResponse.id_token, smartClient.getFhirUser(), smartClient.getIdTokenVerification()]);
    assert.equal(jose.decodeProtectedHeader(r[0]).alg, alg);
    assert.deepEqual(r.slice(1), ['Patient/amy', 'signature']);
    await page.evaluate(() => sessionStorage.clear());
    const { shown: tampered } = await signInWith(`alg:${alg}:tampered`);
    assert.equal(tampered.error, 'invalid_id_token');
    assert.match(tampered.message, /signature does not verify with the server's key/);
    assert.equal(await storedSession(page), null, 'nothing stored');
  });
}

const REFUSED = [
  ['bad-signature', /signature does not verify/],
  ['none', /alg none and HMAC/],
  ['hs256', /alg none and HMAC/],
  ['wrong-aud', /aud does not name this client/],
  ['expired', /has expired/],
  ['multi-aud-no-azp', /azp is required/],
  ['wrong-iss', /iss is not the authorization server's issuer/],
  ['wrong-nonce', /nonce is not the one sent/],
  ['unknown-kid', /no key of the server's JWKS matches/],
];
for (const [mode, reason] of REFUSED) {
  test(`an id_token with ${mode} is refused (invalid_id_token) and no session is kept`, async () => {
    const { shown } = await signInWith(mode);
    assert.equal(shown.error, 'invalid_id_token');
    assert.match(shown.message, reason);
    assert.equal(await storedSession(page), null, 'nothing stored');
    assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('smart-wasm:session')).length), 0);
    assert.equal((await eventsOf('id_token'))[0]?.mode, mode, 'the sandbox did replace the id_token');
    if (mode === 'unknown-kid') assert.equal((await eventsOf('jwks')).length, 2, 'the JWKS was fetched once more for the unknown kid');
  });
}

test('several audiences with azp naming this client are accepted', async () => {
  const { shown } = await signInWith('multi-aud-azp');
  assert.equal(shown.error, null);
  assert.deepEqual(await page.evaluate(() => smartClient.getIdToken().aud), ['demo-public', 'another-client']);
});

test('a key rotated after the JWKS was cached: the unknown kid refetches the JWKS, then verifies', async () => {
  const { shown } = await signInWith('rotated');
  assert.equal(shown.error, null);
  const jwks = await eventsOf('jwks');
  assert.deepEqual(jwks.map((e) => e.stale), [true, false], 'a stale set without the new key, then the current one');
  const raw = await page.evaluate(() => smartClient.getState().tokenResponse.id_token);
  assert.equal(jose.decodeProtectedHeader(raw).kid, 'sandbox-2');
});

test('an id_token without fhirUser: signed in, getFhirUser() is null, user.read() is missing_context', async () => {
  const { shown } = await signInWith('no-fhiruser');
  assert.equal(shown.error, null);
  const r = await page.evaluate(async () => ({
    fhirUser: smartClient.getFhirUser(), id: smartClient.getUserId(), type: smartClient.getUserType(), sub: smartClient.getIdToken().sub,
    read: await smartClient.user.read().then(() => 'resolved', (e) => [e.name, e.code]),
  }));
  assert.deepEqual(r, { fhirUser: null, id: null, type: null, sub: 'amy', read: ['SmartError', 'missing_context'] });
});

test('a refresh\'s id_token is verified too: an honest one is adopted, a bad one is reported and the session kept', async () => {
  const { shown } = await signInWith(null);
  assert.equal(shown.error, null);
  const ok = await page.evaluate(() => smartClient.refresh().then(() => [smartClient.getIdToken().sub, smartClient.idTokenError]));
  assert.deepEqual(ok, ['amy', undefined]);
  assert.equal((await eventsOf('jwks')).length, 2, 'the refresh brought an id_token, verified with the issuer\'s keys');
  await sandbox.settings({ idTokenMode: 'wrong-aud' });
  const r = await page.evaluate(async () => {
    const before = smartClient.getIdToken();
    const refreshed = await smartClient.refresh().then(() => 'refreshed', (e) => e.code);
    const e = smartClient.idTokenError;
    return { refreshed, e: e && { name: e.name, code: e.code, message: e.message }, same: JSON.stringify(before) === JSON.stringify(smartClient.getIdToken()),
      read: await smartClient.request('Patient/amy').then((p) => p.id, (x) => x.code), stored: JSON.parse(sessionStorage.getItem(`smart-wasm:session:${smartClient.getState().serverUrl}`)).idClaims.aud };
  });
  assert.equal(r.refreshed, 'refreshed', 'the server rotated the refresh token: the new tokens are kept');
  assert.deepEqual([r.e?.name, r.e?.code], ['SmartError', 'invalid_id_token']);
  assert.match(r.e.message, /aud does not name this client/);
  assert.ok(r.same, 'the session keeps the claims it verified');
  assert.equal(r.read, 'amy');
  assert.equal(r.stored, 'demo-public', 'the stored claims are the verified ones');
  // The refresh token the server rotated in that answer was kept: the next refresh redeems it (the
  // sandbox refuses a spent one), and its honest id_token is adopted again.
  const again = await page.evaluate(() => smartClient.refresh().then(() => ['refreshed', smartClient.idTokenError, smartClient.getIdToken().sub], (e) => [e.code]));
  assert.deepEqual(again, ['refreshed', undefined, 'amy']);
  const refreshes = (await eventsOf('token')).filter((g) => g.grantType === 'refresh_token');
  assert.deepEqual(refreshes.map((g) => [g.status, g.refreshTokenIssued]), [[200, true], [200, true], [200, true]], 'three rotations, none refused');
});

test('a refresh whose id_token names another user ends the session', async () => {
  const { shown } = await signInWith(null);
  assert.equal(shown.error, null);
  await sandbox.settings({ idTokenMode: 'other-sub' });
  const r = await page.evaluate(async () => {
    const iss = smartClient.getState().serverUrl;
    const refreshed = await smartClient.refresh().then(() => 'refreshed', (e) => [e.code, e.message]);
    return { refreshed, stored: sessionStorage.getItem(`smart-wasm:session:${iss}`),
      read: await smartClient.request('Patient/amy').then(() => 'read', (e) => e.code) };
  });
  assert.equal(r.refreshed[0], 'invalid_id_token');
  assert.match(r.refreshed[1], /sub differs/);
  assert.equal(r.stored, null, 'the stored session is gone');
  assert.equal(r.read, 'invalid_id_token', 'and the client makes no more requests');
});

test('the keys are fetched while the code is exchanged, not after the token arrives', async () => {
  const timeline = [];
  page.on('request', (r) => { if (r.url() === `${AS}/jwks` || r.url() === `${AS}/token`) timeline.push(['request', new URL(r.url()).pathname, Date.now()]); });
  page.on('response', (r) => { if (r.url() === `${AS}/token`) timeline.push(['response', '/token', Date.now()]); });
  // The token endpoint answers 600 ms late (the real answer, held back).
  await page.route(`${AS}/token`, async (route) => {
    const answer = await route.fetch();
    await new Promise((r) => setTimeout(r, 600));
    await route.fulfill({ response: answer });
  });
  const { shown } = await signInWith(null);
  assert.equal(shown.error, null);
  const jwks = timeline.find(([kind, path]) => kind === 'request' && path === '/jwks');
  const tokenAnswer = timeline.find(([kind]) => kind === 'response');
  assert.ok(jwks && tokenAnswer && jwks[2] < tokenAnswer[2] - 300, `the JWKS request went out before the token answer: ${JSON.stringify(timeline)}`);
});

/** A launch started and completed by hand (the demo's app.js kept out), with `timeout` ms per request. */
async function launchAndReady(timeout, extra = {}) {
  const options = { iss: FHIR, clientId: 'demo-public', scope: SCOPE, redirectUri: `${DEMO}/index.html`, timeout, ...extra };
  await launchByHand(page, options);
  return page.evaluate((o) => import('smart-wasm').then((S) => S.default.oauth2.ready(o)).then(
    (c) => ({ ok: c.getFhirUser(), verification: c.getIdTokenVerification() }), (e) => ({ code: e.code, message: e.message })), options);
}

// Hand-written fakes (page.route) of an issuer's JWKS endpoint that hangs, answers too much or is no
// key set: faults the sandbox's oidc-provider cannot be made to produce. Keys that cannot be had are
// no reason to lose the sign-in the token endpoint granted: the token is trusted over TLS (its claims
// still checked) and the client says so; an app that requires a signature gets the fetch's error.
const UNREACHABLE_KEYS = [
  ['never answers', () => {}, 'timeout'],
  ['is larger than any real one', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ keys: [], pad: 'x'.repeat(300 * 1024) }) }), 'response_too_large'],
  ['is not a key set', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"keys":{"kty":"RSA"}}' }), 'invalid_json'],
  ['answers 404', (route) => route.fulfill({ status: 404, body: 'not here' }), 'http_error'],
];
for (const [what, answer, code] of UNREACHABLE_KEYS) {
  test(`a JWKS that ${what}: signed in, verification 'tls'; with requireIdTokenSignature: ${code}`, async () => {
    await page.route(`${AS}/jwks`, answer);
    const r = await launchAndReady(800);
    assert.deepEqual(r, { ok: 'Patient/amy', verification: 'tls' });
    assert.ok(await storedSession(page), 'the session is kept');
    const strict = await page.context().newPage();
    await strict.route(`${AS}/jwks`, answer);
    page = strict;
    const refused = await launchAndReady(800, { requireIdTokenSignature: true });
    assert.equal(refused.code, code);
    assert.equal(await storedSession(page), null, 'required and not had: nothing stored');
  });
}
