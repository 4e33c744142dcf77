// The demo journey a person takes, in headless Chromium against the local SMART sandbox.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, sandbox, signIn, outcome, storage, eventsOf, loginAndConsent, launchByHand, DEMO, FHIR, AS } from './helpers.mjs';

let browser;
let page;
useBrowser({ before, after, beforeEach }, (p, b) => { page = p; browser = b; });

test('standalone launch: login, consent, then the patient banner from the FHIR server', async () => {
  const authorizeUrls = [];
  page.on('request', (r) => { if (r.url().startsWith(`${AS}/auth?`)) authorizeUrls.push(new URL(r.url())); });
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  assert.equal(shown.name, 'Amy V. Shaw');
  assert.equal(shown.birthDate, '1987-02-20');
  assert.equal(shown.gender, 'female');
  assert.equal(await page.isVisible('#launch'), false, 'the launch form is gone once signed in');
  assert.equal(await page.isVisible('#banner'), true);

  const q = authorizeUrls[0].searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), 'demo-public');
  assert.equal(q.get('redirect_uri'), `${DEMO}/index.html`);
  assert.equal(q.get('aud'), FHIR);
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get('state'), /^[A-Za-z0-9_-]{43}$/);

  const [grant] = await eventsOf('token');
  assert.equal(grant.grantType, 'authorization_code');
  assert.equal(grant.basicAuth, false);
  const [read] = await eventsOf('fhir');
  assert.equal(read.path, '/4_0_0/Patient/amy');
  assert.equal(read.status, 200);
  assert.equal(read.jti, grant.jti, 'the FHIR read used the issued access token');

  const context = JSON.parse(await page.textContent('#context-json'));
  assert.equal(context.tokenResponse.patient, 'amy');
  assert.equal(context.tokenResponse.need_patient_banner, true);
  assert.equal(new URL(page.url()).search, '', 'code and state removed from the address bar');
  const kept = await storage(page);
  assert.ok(kept.session, 'session kept for this tab');
  assert.equal(kept.launches, 0, 'launch record consumed');
  assert.equal(kept.localStorageKeys, 0, 'nothing in localStorage');
});

test('a reload of the tab restores the session without a new token request', async () => {
  await signIn(page, {}, 'daniel');
  await page.reload();
  const shown = await outcome(page);
  assert.equal(shown.name, 'Daniel X. Adams');
  assert.equal((await eventsOf('token')).length, 1);
  assert.equal((await eventsOf('fhir')).length, 2);
});

test('confidential client: the code exchange authenticates with HTTP Basic', async () => {
  const shown = await signIn(page, { client: 'confidential' }, 'kim');
  assert.equal(shown.error, null, shown.message);
  assert.equal(shown.name, 'Kim Lee');
  const [grant] = await eventsOf('token');
  assert.equal(grant.clientId, 'demo-confidential');
  assert.equal(grant.basicAuth, true);
  assert.equal(grant.status, 200, 'the sandbox accepted the form-encoded secret');
  assert.equal(grant.basicDecoded, 'demo-confidential:demo-secret%2F2%3A7+%26%2B', 'RFC 6749 §2.3.1: form-encoded inside Basic');
  const kept = await storage(page);
  assert.ok(!kept.session.includes('demo-secret'), 'the client secret is never stored');
});

test('secretEncoding "raw": id and secret travel as they are (for servers that compare them undecoded)', async () => {
  const options = { iss: FHIR, clientId: 'demo-confidential', clientSecret: 'demo-secret/2:7 &+', secretEncoding: 'raw',
    scope: 'openid launch/patient patient/Patient.read', redirectUri: `${DEMO}/index.html` };
  await launchByHand(page, options);
  const code = await page.evaluate((o) => import('smart-wasm').then((S) => S.ready(o)).then(() => 'ready', (e) => [e.code, e.error]), options);
  const [grant] = await eventsOf('token');
  assert.equal(grant.basicDecoded, 'demo-confidential:demo-secret/2:7 &+', 'the raw id:secret was sent');
  // The sandbox follows RFC 6749 and form-decodes, so it refuses the raw `+` and `/`.
  assert.deepEqual(code, ['token_error', 'invalid_client']);
});

test('Epic-Client-ID is sent on FHIR calls when asked for', async () => {
  await signIn(page, { epic: true });
  const [read] = await eventsOf('fhir');
  assert.equal(read.epicClientId, 'demo-public');
  await sandbox.reset();
  const other = await (await browser.newContext()).newPage();
  await signIn(other);
  assert.equal((await eventsOf('fhir'))[0].epicClientId, null, 'not sent by default');
});

test('init(): authorizes when there is nothing to complete, returns the client when there is', async () => {
  await page.goto(`${DEMO}/index.html`);
  await page.waitForSelector('#launch:not([hidden])');
  const options = { iss: FHIR, clientId: 'demo-public', scope: 'openid launch/patient patient/Patient.read', redirectUri: `${DEMO}/index.html` };
  // No callback and no session: init() starts the launch (its promise never settles; the page navigates).
  await page.evaluate((o) => { import('smart-wasm').then((S) => S.init(o)); }, options);
  await loginAndConsent(page);
  await page.waitForURL(`${DEMO}/index.html**`);
  assert.equal((await outcome(page)).name, 'Amy V. Shaw');
  // A session in this tab: init() resolves to its client without a new launch.
  const patient = await page.evaluate((o) => import('smart-wasm').then((S) => S.init(o)).then((c) => c.getPatientId()), options);
  assert.equal(patient, 'amy');
  assert.equal((await eventsOf('token')).length, 1);

  // A new EHR launch in the same tab (iss + launch on the page) is a new authorization, not the
  // stored session for the previous patient.
  const authorizeUrls = [];
  page.on('request', (r) => { if (r.url().startsWith(`${AS}/auth?`)) authorizeUrls.push(new URL(r.url())); });
  await page.route(`${DEMO}/app.js`, (route) => route.abort());
  await page.goto(`${DEMO}/index.html?iss=${encodeURIComponent(FHIR)}&launch=patient-b-context`);
  await page.evaluate((o) => { import('smart-wasm').then((S) => S.init(o)); }, options);
  await page.waitForURL(`${AS}/interaction/**`);
  await page.unrouteAll();
  assert.equal(authorizeUrls.at(-1).searchParams.get('launch'), 'patient-b-context');
  await loginAndConsent(page); // still signed in at the authorization server: consent only
  await page.waitForURL(`${DEMO}/index.html**`);
  assert.equal((await outcome(page)).error, null);
  const grants = await eventsOf('token');
  assert.deepEqual(grants.map((g) => g.grantType), ['authorization_code', 'authorization_code'], 'a second code exchange, for the new launch');
});
