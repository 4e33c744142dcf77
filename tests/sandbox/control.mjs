// /_sandbox/* test controls: the event log (token grants and FHIR calls, with the access token's
// jti), settings (access-token lifetime, id_token faults, paging shapes, headless sign-in), EHR
// launches with a chosen patient, a preselected patient for the next launch, tokens minted for unit
// tests, and faults: expire or revoke every access token, answer the next FHIR requests with an
// error, refuse every refresh token issued so far, rotate the id_token signing key.
import crypto from 'node:crypto';
import express from 'express';

export const events = [];
const DEFAULTS = { accessTokenTTL: 3600, idTokenMode: null, nextLinkOrigin: null, rotation: null, rotationStaleServed: false,
  reportedExpiresIn: null, nestRefresh: 0, endlessPaging: false, preselect: null, failNext: null, refreshRevokedBefore: 0, keysRotated: false };
export const settings = { ...DEFAULTS, headless: null };

/** Who headless launches sign in as: a login (`amy`) or { user, patient }; null for the pages. */
export const headlessChoice = (v) => (typeof v === 'string' ? { user: v } : v ?? null);

export function controlRoutes(app, { seenTokens, config, launches, patients, signAccessToken, patientFor, fhirBase }) {
  const json = express.json();
  const known = (id) => id === undefined || patients.some((p) => p.id === id);
  app.get('/_sandbox/config', (req, res) => res.json({ ...config, peers: settings.peers ?? [] }));
  app.get('/_sandbox/events', (req, res) => res.json(events));
  app.post('/_sandbox/reset', (req, res) => {
    events.length = 0;
    Object.assign(settings, DEFAULTS, { headless: settings.startHeadless ?? null });
    res.json({ ok: true });
  });
  // An EHR launch: { patient, encounter } -> { launch, iss } (the app's launch URL takes both).
  app.post('/_sandbox/launch', json, (req, res) => {
    const { patient, encounter } = req.body || {};
    if (!known(patient)) return res.status(400).json({ error: `no patient ${patient}` });
    const launch = crypto.randomUUID();
    launches.set(launch, { patient: patient ?? patients[0].id, encounter });
    res.json({ launch, iss: fhirBase });
  });
  // The next launch's user and patient (prefilled on the sign-in page; chosen without one when headless).
  app.post('/_sandbox/preselect', json, (req, res) => {
    const { user, patient } = req.body || {};
    if (!known(patient)) return res.status(400).json({ error: `no patient ${patient}` });
    settings.preselect = { user, patient };
    res.json(settings.preselect);
  });
  // An access token for a unit test, without a launch: { user, scope, patient } -> a token response.
  app.post('/_sandbox/token', json, async (req, res) => {
    const { user = 'amy', scope = 'patient/*.rs', patient, clientId = 'unit-test', expiresIn = 3600 } = req.body || {};
    if (!known(patient)) return res.status(400).json({ error: `no patient ${patient}` });
    const context = patient ?? patientFor(user);
    const accessToken = await signAccessToken({ sub: user, scope, patient: context, client_id: clientId }, expiresIn);
    res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope, patient: context });
  });
  // Faults: the next `count` FHIR requests answer `status` (401 with WWW-Authenticate, 403, 500, …).
  app.post('/_sandbox/fail-next', json, (req, res) => {
    const { status = 500, count = 1 } = req.body || {};
    if (!Number.isInteger(status) || status < 400 || status > 599) return res.status(400).json({ error: 'status must be 400..599' });
    settings.failNext = { status, count };
    res.json(settings.failNext);
  });
  // Every access token issued so far is expired (the FHIR server answers 401 invalid_token).
  app.post('/_sandbox/expire', (req, res) => {
    for (const jti of seenTokens.keys()) seenTokens.set(jti, 'expired');
    res.json({ expired: seenTokens.size });
  });
  // Every refresh token issued so far is refused (invalid_grant); later launches get working ones.
  app.post('/_sandbox/revoke-refresh', (req, res) => {
    settings.refreshRevokedBefore = Math.floor(Date.now() / 1000) + 1;
    res.json({ before: settings.refreshRevokedBefore });
  });
  // id_tokens are signed with a new key from now on; the JWKS publishes it beside the old one.
  app.post('/_sandbox/rotate-keys', (req, res) => {
    settings.keysRotated = true;
    res.json({ rotated: true });
  });
  app.post('/_sandbox/settings', express.json(), (req, res) => {
    const { accessTokenTTL, idTokenMode, nextLinkOrigin, peers, reportedExpiresIn, nestRefresh, endlessPaging, headless } = req.body || {};
    if (accessTokenTTL !== undefined) {
      if (!Number.isInteger(accessTokenTTL) || accessTokenTTL < 1) return res.status(400).json({ error: 'accessTokenTTL must be a positive integer' });
      settings.accessTokenTTL = accessTokenTTL;
    }
    // The next token response's id_token is replaced (id-tokens.mjs); Bundle next links point to
    // another origin (a hostile server's paging).
    if (idTokenMode !== undefined) settings.idTokenMode = idTokenMode;
    if (nextLinkOrigin !== undefined) settings.nextLinkOrigin = nextLinkOrigin;
    if (endlessPaging !== undefined) settings.endlessPaging = Boolean(endlessPaging);
    // Launches sign in without a page: a user (`amy`), { user, patient }, or null for the pages.
    if (headless !== undefined) settings.headless = headlessChoice(headless);
    // Token responses name this `expires_in` whatever the token's real lifetime (a server that says
    // 0); the next refresh's answer carries a member nested `nestRefresh` levels deep.
    if (reportedExpiresIn !== undefined) settings.reportedExpiresIn = Number.isInteger(reportedExpiresIn) ? reportedExpiresIn : null;
    if (nestRefresh !== undefined) settings.nestRefresh = Math.min(Number(nestRefresh) || 0, 1_000_000);
    // Another sandbox instance the demo may connect to as a second health system.
    if (Array.isArray(peers)) settings.peers = peers.filter((p) => typeof p === 'string');
    res.json(settings);
  });
  // For the fetch adapter's tests: what arrived, and a redirect that must not be followed.
  app.all('/_sandbox/echo', express.text({ type: '*/*' }), (req, res) => {
    res.json({ method: req.method, url: req.originalUrl, body: typeof req.body === 'string' ? req.body : '', headers: {
      authorization: req.get('authorization') ?? null, 'content-type': req.get('content-type') ?? null,
      accept: req.get('accept') ?? null, 'epic-client-id': req.get('epic-client-id') ?? null } });
  });
  app.get('/_sandbox/redirect', (req, res) => res.redirect(302, '/_sandbox/echo'));
  // For the size limits: a JSON object of `bytes` bytes, with Content-Length (`declared=1`) or
  // streamed in chunks without one (the client must stop reading at its limit).
  app.get('/_sandbox/big', async (req, res) => {
    const bytes = Math.max(16, Number(req.query.bytes) || 0);
    const head = '{"pad":"';
    const tail = '"}';
    const fill = bytes - head.length - tail.length;
    res.status(200).type(req.query['not-json'] ? 'text/plain' : 'application/json');
    if (req.query.declared) {
      res.set('Content-Length', String(bytes));
      return res.end(head + 'x'.repeat(fill) + tail);
    }
    res.write(head);
    const chunk = 'x'.repeat(64 * 1024);
    for (let left = fill; left > 0 && !res.destroyed; left -= chunk.length) {
      if (!res.write(chunk.slice(0, Math.min(chunk.length, left)))) await new Promise((r) => res.once('drain', r));
    }
    res.end(tail);
  });
  app.post('/_sandbox/revoke', (req, res) => {
    for (const jti of seenTokens.keys()) seenTokens.set(jti, 'revoked');
    res.json({ revoked: seenTokens.size });
  });
}
