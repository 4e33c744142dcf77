// /_sandbox/* control endpoints for the end-to-end tests: the event log (token grants and FHIR
// calls, with the access token's jti), the access-token lifetime, and revocation of every access
// token seen so far (so the next FHIR call gets 401).
import express from 'express';

export const events = [];
const DEFAULTS = { accessTokenTTL: 3600, idTokenMode: null, nextLinkOrigin: null, rotation: null, rotationStaleServed: false,
  reportedExpiresIn: null, nestRefresh: 0, endlessPaging: false };
export const settings = { ...DEFAULTS };

export function controlRoutes(app, { seenTokens, config }) {
  app.get('/_sandbox/config', (req, res) => res.json({ ...config, peers: settings.peers ?? [] }));
  app.get('/_sandbox/events', (req, res) => res.json(events));
  app.post('/_sandbox/reset', (req, res) => {
    events.length = 0;
    Object.assign(settings, DEFAULTS);
    res.json({ ok: true });
  });
  app.post('/_sandbox/settings', express.json(), (req, res) => {
    const { accessTokenTTL, idTokenMode, nextLinkOrigin, peers, reportedExpiresIn, nestRefresh, endlessPaging } = req.body || {};
    if (accessTokenTTL !== undefined) {
      if (!Number.isInteger(accessTokenTTL) || accessTokenTTL < 1) return res.status(400).json({ error: 'accessTokenTTL must be a positive integer' });
      settings.accessTokenTTL = accessTokenTTL;
    }
    // The next token response's id_token is replaced (id-tokens.mjs); Bundle next links point to
    // another origin (a hostile server's paging).
    if (idTokenMode !== undefined) settings.idTokenMode = idTokenMode;
    if (nextLinkOrigin !== undefined) settings.nextLinkOrigin = nextLinkOrigin;
    if (endlessPaging !== undefined) settings.endlessPaging = Boolean(endlessPaging);
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
