// The sandbox's half of seed 004's browser flow: dynamic client registration with the launch's
// access token as a one-time initial access token, and the JWT bearer grant for the user bound at
// registration. Test infrastructure, kept apart from server.mjs.
import * as jose from 'jose';
import { errors } from 'oidc-provider';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_ALGS = ['RS384', 'ES384', 'RS256'];

/** Reads a request body once, and leaves it where oidc-provider's parser looks for a parsed body. */
async function takeBody(ctx) {
  const chunks = [];
  for await (const c of ctx.req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  ctx.req.body = text;
  return text;
}

/**
 * Installs the registration and jwt-bearer glue on `provider`.
 * - `POST /reg`: the Bearer must be an access token this server issued (signature, issuer,
 *   audience, expiry) and unused for registration before; it is swapped for an oidc-provider
 *   initial access token. The new client is bound to that token's user and patient.
 * - `POST /token` with the jwt-bearer grant: the assertion is checked here (registered key,
 *   iss = sub = client, aud = token endpoint, exp, at most 5 minutes, jti not replayed), each fault
 *   answered `invalid_grant`; a good one is also presented as the client's private_key_jwt
 *   authentication, then the registered grant handler issues the token.
 */
export function installDynamicRegistration(provider, { tokenEndpoint, demoOrigin, verifyAccessToken, signAccessToken, events, patientFor, settings }) {
  const usedInitialTokens = new Set();
  const usedJti = new Set();
  /** client_id -> { accountId, patient, scope } */
  const bound = new Map();

  provider.use(async (ctx, next) => {
    // Out-of-band registration, as an administrator would do it: a client authenticated by
    // private_key_jwt with the JWKS the app produced (createClientKey / importClientKey). The tests
    // call it from Node.
    if (ctx.path === '/_sandbox/clients' && ctx.method === 'POST') {
      // Without `jwks`: a public client (PKCE only), e.g. an app on its own origin (the consumer tests).
      const { client_id: clientId, jwks, redirect_uris: redirects } = JSON.parse((await takeBody(ctx)) || '{}');
      await provider.Client.adapter.upsert(clientId, {
        client_id: clientId, ...(jwks ? { jwks, token_endpoint_auth_method: 'private_key_jwt' } : { token_endpoint_auth_method: 'none' }),
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
        redirect_uris: Array.isArray(redirects) && redirects.length ? redirects : [`${demoOrigin}/index.html`, `${demoOrigin}/`],
      });
      ctx.body = { ok: true };
      return;
    }
    if (ctx.path.startsWith('/reg/')) {
      // RFC 7592 management (oidc-provider's own route), reachable from the app's page.
      ctx.set({ 'Access-Control-Allow-Origin': ctx.get('origin') || '*', 'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
        'Access-Control-Allow-Methods': 'GET, PUT, DELETE', Vary: 'Origin' });
      if (ctx.method === 'OPTIONS') { ctx.status = 204; return; }
      await next();
      if (ctx.method === 'DELETE') events.push({ type: 'unregister', status: ctx.status, clientId: ctx.path.slice(5) });
      return;
    }
    if (ctx.path === '/reg') {
      ctx.set({ 'Access-Control-Allow-Origin': ctx.get('origin') || '*', 'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
        'Access-Control-Allow-Methods': 'POST', Vary: 'Origin' });
      if (ctx.method === 'OPTIONS') { ctx.status = 204; return; }
      if (ctx.method !== 'POST') return next();
      const deny = (description) => {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        ctx.body = { error: 'invalid_token', error_description: description };
        events.push({ type: 'register', status: 401, error: description });
      };
      const bearer = /^Bearer (.+)$/i.exec(ctx.get('authorization') || '')?.[1];
      if (!bearer) return deny('an initial access token is required');
      let claims;
      try {
        claims = await verifyAccessToken(bearer);
      } catch (e) {
        return deny(`initial access token rejected: ${e.code || e.message}`);
      }
      if (usedInitialTokens.has(claims.jti)) return deny('initial access token already used');
      usedInitialTokens.add(claims.jti);
      const metadata = JSON.parse((await takeBody(ctx)) || '{}');
      // Epic-style minimal bodies send only software_id and jwks; the server fills in the rest. The
      // sandbox also grants client_credentials to every registration (its tool tests use it).
      const defaults = [JWT_BEARER, 'authorization_code', 'refresh_token', 'client_credentials'];
      ctx.req.body = JSON.stringify({
        redirect_uris: [`${demoOrigin}/index.html`, `${demoOrigin}/`],
        response_types: ['code'],
        token_endpoint_auth_method: 'private_key_jwt',
        ...metadata,
        grant_types: [...new Set([...defaults, ...(metadata.grant_types ?? [])])],
      });
      ctx.req.headers.authorization = `Bearer ${await new provider.InitialAccessToken({}).save()}`;
      await next();
      if (ctx.status === 201) {
        bound.set(ctx.body.client_id, { accountId: claims.sub, patient: claims.patient, scope: claims.scope });
      }
      events.push({ type: 'register', status: ctx.status, clientId: ctx.body?.client_id, softwareId: metadata.software_id, error: ctx.body?.error, metadata,
        registrationAccessToken: ctx.body?.registration_access_token ?? null });
      return;
    }
    if (ctx.path === '/token' && ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(await takeBody(ctx));
      const fail = (description) => {
        // Answered here, before oidc-provider's CORS handling: a browser must still see it.
        ctx.set({ 'Access-Control-Allow-Origin': ctx.get('origin') || '*', Vary: 'Origin' });
        ctx.status = 400;
        ctx.body = { error: 'invalid_grant', error_description: description };
        events.push({ type: 'token', grantType: params.get('grant_type'), clientId: params.get('client_id'), status: 400, error: 'invalid_grant', errorDescription: description });
      };
      // The test control /_sandbox/revoke-refresh: refresh tokens issued before it are refused.
      if (params.get('grant_type') === 'refresh_token' && settings.refreshRevokedBefore) {
        const rt = await provider.RefreshToken.find(params.get('refresh_token') ?? '');
        if (rt && rt.iat < settings.refreshRevokedBefore) return fail('refresh token revoked');
      }
      if (params.get('grant_type') === JWT_BEARER) {
        const clientId = params.get('client_id');
        const assertion = params.get('assertion') || '';
        const client = clientId && (await provider.Client.find(clientId));
        if (!client?.jwks?.keys?.length) return fail('unknown client');
        try {
          const { payload, protectedHeader } = await jose.jwtVerify(assertion, jose.createLocalJWKSet(client.jwks), {
            algorithms: ASSERTION_ALGS, issuer: clientId, subject: clientId, audience: tokenEndpoint, requiredClaims: ['jti', 'exp', 'iat'],
            // Clocks differ by a few seconds; oidc-provider allows 15 s for its own assertions too.
            clockTolerance: 15,
          });
          if (payload.exp - payload.iat > 300) return fail('assertion lifetime over 5 minutes');
          if (usedJti.has(payload.jti)) return fail('assertion jti replayed');
          usedJti.add(payload.jti);
          ctx.state.assertionHeader = protectedHeader;
        } catch (e) {
          return fail(`assertion rejected: ${e.code || e.message}`);
        }
        params.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        params.set('client_assertion', assertion);
        ctx.req.body = params.toString();
      }
    }
    return next();
  });

  provider.registerGrantType(JWT_BEARER, async (ctx) => {
    const binding = bound.get(ctx.oidc.client.clientId);
    if (!binding) throw new errors.InvalidGrant('client is not bound to a user');
    const ttl = settings.accessTokenTTL;
    const accessToken = await signAccessToken({ sub: binding.accountId, scope: binding.scope, patient: binding.patient, client_id: ctx.oidc.client.clientId }, ttl);
    ctx.body = { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: binding.scope, patient: patientFor(binding.accountId), need_patient_banner: true };
  }, ['assertion']);

  return { bound };
}
