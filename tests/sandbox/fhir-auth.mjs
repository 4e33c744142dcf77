// Bearer-token check in front of the FHIR routes (RFC 6750): the JWT's signature against the
// authorization server's key set, its issuer, audience and expiry, revocation by the tests, and
// SMART scopes (v1 `.read`, v2 `.rs`/`.r`). 401 without a valid token, 403 without the scope.
import * as jose from 'jose';

/** jti -> 'active' | 'revoked' | 'expired', for /_sandbox/revoke and /_sandbox/expire. */
export const seenTokens = new Map();

const outcome = (code, text) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] });

function scopeAllows(scopes, type, method) {
  const read = method === 'GET' || method === 'HEAD';
  return scopes.some((s) => {
    const m = /^(patient|user|system)\/(\*|[A-Za-z]+)\.(read|write|\*|[cruds]+)$/.exec(s);
    if (!m || (m[2] !== '*' && m[2] !== type)) return false;
    const perm = m[3];
    if (perm === '*') return true;
    if (read) return perm === 'read' || /[rs]/.test(perm) && !/^(read|write)$/.test(perm);
    return perm === 'write' || /[cud]/.test(perm) && perm !== 'read';
  });
}

/** `Basic base64(id:secret)` (RFC 7617) of a configured tool client: system-level read access. */
function basicClient(header, clients) {
  const m = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!m) return null;
  const [id, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
  return clients.find((c) => c.client_id === id && c.client_secret === rest.join(':')) || null;
}

export function fhirAuth({ jwks, issuer, audience, events, settings = {}, basicClients = [] }) {
  return async (req, res, next) => {
    if (req.method === 'OPTIONS' || req.path === '/metadata') return next();
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : null;
    const entry = { type: 'fhir', method: req.method, path: req.originalUrl, query, epicClientId: req.get('epic-client-id') ?? null, prefer: req.get('prefer') ?? null };
    res.on('finish', () => { entry.status = res.statusCode; events.push(entry); });
    const deny = (status, error, text) => {
      res.set('WWW-Authenticate', `Bearer realm="sandbox"${error ? `, error="${error}"` : ''}`);
      res.status(status).type('application/fhir+json').json(outcome(status === 403 ? 'forbidden' : 'login', text));
    };
    // The test control /_sandbox/fail-next: the next requests answer an error, whatever they are.
    if (settings.failNext?.count > 0) {
      settings.failNext.count -= 1;
      const { status } = settings.failNext;
      entry.injected = status;
      if (status === 401) return deny(401, 'invalid_token', 'injected by the test (fail-next)');
      if (status === 403) return deny(403, 'insufficient_scope', 'injected by the test (fail-next)');
      return res.status(status).type('application/fhir+json').json(outcome('exception', 'injected by the test (fail-next)'));
    }
    const basic = basicClient(req.get('authorization') || '', basicClients);
    if (basic) {
      entry.basicClient = basic.client_id;
      req.smart = { patient: undefined };
      return req.method === 'GET' ? next() : deny(403, 'insufficient_scope', 'basic clients may only read');
    }
    const bearer = /^Bearer +([^ ]+)$/i.exec(req.get('authorization') || '');
    if (!bearer) return deny(401, undefined, 'a Bearer token is required');
    let claims;
    try {
      ({ payload: claims } = await jose.jwtVerify(bearer[1], jwks, { issuer, audience }));
    } catch (e) {
      return deny(401, 'invalid_token', `token rejected: ${e.code || e.message}`);
    }
    entry.jti = claims.jti;
    if (seenTokens.get(claims.jti) === 'revoked') return deny(401, 'invalid_token', 'token revoked');
    if (seenTokens.get(claims.jti) === 'expired') return deny(401, 'invalid_token', 'token expired');
    seenTokens.set(claims.jti, 'active');
    const scopes = String(claims.scope || '').split(' ').filter(Boolean);
    const type = req.path.split('/')[1];
    if (!scopeAllows(scopes, type, req.method)) {
      return deny(403, 'insufficient_scope', `scope "${claims.scope || ''}" does not allow ${req.method} ${type}`);
    }
    // patient/ scopes only reach the patient in context; user/ scopes reach all.
    const patientOnly = !scopes.some((s) => s.startsWith('user/') || s.startsWith('system/'));
    req.smart = { patient: patientOnly ? claims.patient : undefined };
    return next();
  };
}
