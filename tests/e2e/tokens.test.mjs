// Token lifecycle against the sandbox: refresh before expiry, 401 -> refresh -> retry, one refresh
// for many concurrent requests, 403 -> insufficient_scope.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, sandbox, signIn, eventsOf, storedSession, ageTokens, AS } from './helpers.mjs';

const NO_PATIENT_SCOPE = 'openid fhirUser launch/patient patient/Observation.read offline_access';
const NO_REFRESH_SCOPE = 'openid fhirUser launch/patient patient/Patient.read';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

/** Calls client.patient.read() in the page; returns the patient id or the error's code. */
const readPatient = () => page.evaluate(() => window.smartClient.patient.read().then((p) => ({ id: p.id }), (e) => ({ code: e.code, status: e.status, body: e.body })));

test('an access token near expiry is refreshed before the request, and the new one is used', async () => {
  await sandbox.setTokenTTL(5); // below the 30 s refresh margin: a request after 5 s finds it about to expire
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const [code] = await eventsOf('token');
  assert.equal(code.grantType, 'authorization_code');
  await ageTokens(page);
  const before = (await eventsOf('fhir')).length;
  assert.deepEqual(await readPatient(), { id: 'amy' });
  const [, refresh] = await eventsOf('token');
  assert.equal(refresh.grantType, 'refresh_token');
  assert.equal(refresh.status, 200);
  assert.equal(refresh.refreshTokenIssued, true, 'the sandbox rotates refresh tokens');
  const read = (await eventsOf('fhir'))[before];
  assert.equal(read.status, 200);
  assert.notEqual(read.jti, code.jti, 'the first token was not used');
  assert.equal(read.jti, refresh.jti, 'the refreshed token was used');

  // A second refresh uses the rotated refresh token (the sandbox refuses a used one).
  await ageTokens(page);
  assert.deepEqual(await readPatient(), { id: 'amy' });
  const grants = await eventsOf('token');
  assert.deepEqual(grants.map((g) => [g.grantType, g.status]), [['authorization_code', 200], ['refresh_token', 200], ['refresh_token', 200]]);
  const state = await page.evaluate(() => window.smartClient.getState());
  assert.equal(state.tokenResponse.patient, 'amy', 'launch context kept across refreshes');
});

test('a token whose lifetime is shorter than the refresh margin (expires_in 0 even) is not refreshed on every request', async () => {
  await sandbox.settings({ reportedExpiresIn: 0 }); // a server that says 0; the token works for an hour
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  await sandbox.reset();
  const ids = await page.evaluate(async () => { const out = []; for (let i = 0; i < 20; i++) out.push((await window.smartClient.request('Patient/amy')).id); return out; });
  assert.deepEqual(ids, Array(20).fill('amy'));
  assert.equal((await eventsOf('token')).length, 0, 'no refresh within 5 s of the token (a 401 would still refresh it)');
  await ageTokens(page);
  await page.evaluate(() => window.smartClient.request('Patient/amy'));
  assert.equal((await eventsOf('token')).length, 1, 'then refreshed once, ahead of expiry');
});

test('a 401 from the FHIR server triggers one refresh and a retry', async () => {
  await signIn(page);
  await sandbox.revokeAccessTokens();
  assert.deepEqual(await readPatient(), { id: 'amy' });
  const fhir = await eventsOf('fhir');
  assert.deepEqual(fhir.slice(1).map((e) => e.status), [401, 200]);
  const [, refresh] = await eventsOf('token');
  assert.equal(refresh.grantType, 'refresh_token');
  assert.equal(fhir[2].jti, refresh.jti);
});

test('a 401 without a refresh token is unauthorized', async () => {
  await signIn(page, { scope: NO_REFRESH_SCOPE });
  await sandbox.revokeAccessTokens();
  const result = await readPatient();
  assert.equal(result.code, 'unauthorized');
  assert.equal(result.status, 401);
  assert.equal(result.body.resourceType, 'OperationOutcome');
  assert.equal((await eventsOf('token')).length, 1, 'no refresh was attempted');
});

test('concurrent requests on an expiring token share one refresh', async () => {
  await signIn(page);
  await sandbox.setTokenTTL(5);
  await page.evaluate(() => window.smartClient.refresh()); // now holds a 5 s token
  await ageTokens(page);
  await sandbox.reset();
  const results = await page.evaluate(() => Promise.all(Array.from({ length: 25 }, () => window.smartClient.request('Patient/amy').then((p) => p.id))));
  assert.deepEqual(results, Array(25).fill('amy'));
  const refreshes = (await eventsOf('token')).filter((e) => e.grantType === 'refresh_token');
  assert.equal(refreshes.length, 1);
  assert.ok((await eventsOf('fhir')).every((e) => e.jti === refreshes[0].jti && e.status === 200));
});

test('client.refresh() replaces the access token', async () => {
  await signIn(page);
  const before = await page.evaluate(() => window.smartClient.getState().tokenResponse.access_token);
  const state = await page.evaluate(() => window.smartClient.refresh());
  assert.notEqual(state.tokenResponse.access_token, before);
  const stored = (await storedSession(page)).accessToken;
  assert.equal(stored, state.tokenResponse.access_token);
});

test('a 403 from the FHIR server is insufficient_scope', async () => {
  const shown = await signIn(page, { scope: NO_PATIENT_SCOPE });
  assert.equal(shown.error, 'insufficient_scope');
  const result = await readPatient();
  assert.equal(result.code, 'insufficient_scope');
  assert.equal(result.status, 403);
  assert.equal(result.body.issue[0].code, 'forbidden');
  const fhir = await eventsOf('fhir');
  assert.ok(fhir.every((e) => e.status === 403));
  assert.equal((await eventsOf('token')).length, 1, '403 does not trigger a refresh');
});

test('requests outside the FHIR server are refused before anything is sent', async () => {
  await signIn(page);
  await sandbox.reset();
  const result = await page.evaluate((as) => window.smartClient.request(`${as}/me`).catch((e) => e.code), AS);
  assert.equal(result, 'url_not_allowed');
  assert.equal((await sandbox.events()).length, 0);
});

test('wasm memory does not grow with the number of requests', async () => {
  await signIn(page);
  const sizes = await page.evaluate(async () => {
    const memory = (await window.SMART.loadModule()).memory;
    const c = window.smartClient;
    for (let i = 0; i < 200; i++) await c.request('Patient/amy');
    const after200 = memory.buffer.byteLength;
    // Refused before any fetch: the cheapest path through request(), so many calls are quick.
    for (let i = 0; i < 30000; i++) await c.request('http://127.0.0.1:9/elsewhere').catch(() => 0);
    for (let i = 0; i < 800; i++) await c.request('Patient/amy');
    return { after200, after31000: memory.buffer.byteLength };
  });
  assert.equal(sizes.after31000, sizes.after200);
});
