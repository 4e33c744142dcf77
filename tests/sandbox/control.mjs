// /_sandbox/* control endpoints for the end-to-end tests: the event log (token grants and FHIR
// calls, with the access token's jti), the access-token lifetime, and revocation of every access
// token seen so far (so the next FHIR call gets 401).
import express from 'express';

export const events = [];
export const settings = { accessTokenTTL: 3600 };

export function controlRoutes(app, { seenTokens, config }) {
  app.get('/_sandbox/config', (req, res) => res.json(config));
  app.get('/_sandbox/events', (req, res) => res.json(events));
  app.post('/_sandbox/reset', (req, res) => {
    events.length = 0;
    settings.accessTokenTTL = 3600;
    res.json({ ok: true });
  });
  app.post('/_sandbox/settings', express.json(), (req, res) => {
    const ttl = Number(req.body?.accessTokenTTL);
    if (!Number.isInteger(ttl) || ttl < 1) return res.status(400).json({ error: 'accessTokenTTL must be a positive integer' });
    settings.accessTokenTTL = ttl;
    res.json(settings);
  });
  app.post('/_sandbox/revoke', (req, res) => {
    for (const jti of seenTokens.keys()) seenTokens.set(jti, 'revoked');
    res.json({ revoked: seenTokens.size });
  });
}
