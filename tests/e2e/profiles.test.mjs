// The server shapes real EHRs have (tests/sandbox/profiles.mjs), each a sandbox instance of its
// own: launch → openid fhirUser → read → refresh → read, from the demo's origin as an app would.
// Every profile must sign in; the id_token is verified by signature wherever the server makes that
// possible, and trusted over TLS (and said so) where it does not.
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { useBrowser, loginAndConsent, startSecondSandbox, DEMO } from './helpers.mjs';
import { PROFILES } from '../sandbox/profiles.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

const SCOPE = 'openid fhirUser launch/patient patient/Patient.read offline_access';

/** Launches against `fhirBase` from the demo origin (the demo's own app.js kept out) and completes
 * the launch with ready(); returns what the client says and every request the page made. */
async function journey(fhirBase) {
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method() }));
  await page.route(`${DEMO}/app.js`, (route) => route.abort());
  await page.goto(`${DEMO}/index.html`);
  const options = { iss: fhirBase, clientId: 'demo-public', scope: SCOPE, redirectUri: `${DEMO}/index.html` };
  await page.evaluate((o) => import('smart-wasm').then((S) => S.authorize(o)), options);
  await loginAndConsent(page);
  await page.waitForURL((u) => u.origin === DEMO && u.searchParams.has('code'));
  const result = await page.evaluate(async () => {
    const S = await import('smart-wasm');
    try {
      const c = await S.ready();
      window.profileClient = c;
      const first = (await c.request('Patient/amy')).id;
      const before = c.getIdToken();
      await c.refresh();
      const second = (await c.request('Patient/amy')).id;
      return {
        fhirUser: c.getFhirUser(), verification: c.getIdTokenVerification(), first, second,
        idTokenError: c.idTokenError ? { code: c.idTokenError.code, message: c.idTokenError.message } : null,
        keptClaims: JSON.stringify(before) === JSON.stringify(c.getIdToken()),
        rawIdToken: c.getState().tokenResponse.id_token,
      };
    } catch (e) {
      return { error: { code: e.code, message: e.message } };
    }
  });
  return { result, requests };
}

for (const [name, expected] of Object.entries(PROFILES)) {
  test(`profile ${name}: launch, verified identity (${expected.verification}), read, refresh, read`, async () => {
    const server = await startSecondSandbox({ env: { SANDBOX_PROFILE: name } });
    try {
      const { result, requests } = await journey(server.fhirBase);
      assert.equal(result.error, undefined, JSON.stringify(result.error));
      assert.equal(result.fhirUser, 'Patient/amy');
      assert.deepEqual([result.first, result.second], ['amy', 'amy']);
      assert.equal(result.verification, expected.verification);
      if (expected.idTokenAlg) assert.equal(jose.decodeProtectedHeader(result.rawIdToken).alg, expected.idTokenAlg);
      if (expected.refreshIdTokenWithoutAud) {
        // The session survives; the last verified claims stay; the refresh's token is reported.
        assert.equal(result.idTokenError?.code, 'invalid_id_token');
        assert.match(result.idTokenError.message, /aud is missing/);
        assert.ok(result.keptClaims);
        assert.equal(jose.decodeJwt(result.rawIdToken).aud, undefined, 'the refresh did bring a token without aud');
      } else {
        assert.equal(result.idTokenError, null);
      }
      // Nothing on the launch page but the smart-configuration (and, for a server that has none,
      // the CapabilityStatement): the issuer is not asked before the redirect.
      const authorizeAt = requests.findIndex((r) => /\/(auth|authorize)\?/.test(r.url));
      // PKCE on every launch, also where the server leaves it optional (smart-v1).
      assert.equal(new URL(requests[authorizeAt].url).searchParams.get('code_challenge_method'), 'S256');
      const beforeRedirect = requests.slice(0, authorizeAt);
      assert.deepEqual(beforeRedirect.filter((r) => !r.url.startsWith(DEMO)).map((r) => new URL(r.url).pathname),
        [`${server.fhirBase}/.well-known/smart-configuration`, ...(expected.smartConfiguration === false ? [`${server.fhirBase}/metadata`] : [])]
          .map((u) => new URL(u).pathname));
    } finally {
      await server.stop();
    }
  });
}
