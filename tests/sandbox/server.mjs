// The local SMART sandbox (also packed as the npm package smart-wasm-sandbox: index.mjs starts it,
// cli.mjs runs it). One Node process serves
//   - an OAuth 2.0 authorization server (oidc-provider) configured as a SMART server, with its own
//     sign-in and consent pages (interactions.mjs; headless on request),
//   - a FHIR R4 server (@asymmetrik/node-fhir-server-core) with fixture patients and a clinician,
//     that checks Bearer JWTs against the authorization server's JWKS, their expiry and their
//     SMART scopes,
//   - /_sandbox/* test controls (control.mjs) on the control origin, and in this repository the
//     demo (www/) and the built package (pkg/) as static files there (SANDBOX_STATIC_ROOT).
// Settings, all from the environment (index.mjs sets them from its options):
//   SANDBOX_AS_PORT, SANDBOX_FHIR_PORT, SANDBOX_DEMO_PORT (control and demo), SANDBOX_STOCK_PORT (a
//     stock RFC 7591 server, stock.mjs): 0 (the default) picks a free port; a port another program
//     holds is reported by number;
//   SANDBOX_HOST (bind address, 127.0.0.1) and SANDBOX_HOSTNAME (in the URLs, the bind address);
//   SANDBOX_TLS=1: https on every server, with a certificate made at start (its PEM in the output);
//   SANDBOX_CLIENTS: JSON [{ clientId, redirectUris }]: public clients of the app under test (their
//     origins may call the servers: CORS); SANDBOX_APP_ORIGIN: where the demo's clients redirect;
//   SANDBOX_HEADLESS: a user (`amy`) or JSON { user, patient }: launches sign in without a page;
//   SANDBOX_PROFILE: a server shape of profiles.mjs (default `standard`).
// Prints {"ready":true, issuer, as, fhirBase, control, demo, stock, profile, users, …} once listening.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider, { errors } from 'oidc-provider';
import express from 'express';
import * as jose from 'jose';
import fhirCore from '@asymmetrik/node-fhir-server-core';
import { fhirAuth, seenTokens } from './fhir-auth.mjs';
import { events, settings, controlRoutes, headlessChoice } from './control.mjs';
import { staticFiles } from './static.mjs';
import { installDynamicRegistration, JWT_BEARER } from './dynamic.mjs';
import { stockServer } from './stock.mjs';
import { createRequire } from 'node:module';
import { installIdTokenModes } from './id-tokens.mjs';
import { profile as profileNamed } from './profiles.mjs';
import { interactionRoutes, grantContexts, launches } from './interactions.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOST = process.env.SANDBOX_HOST || '127.0.0.1';
const HOSTNAME = process.env.SANDBOX_HOSTNAME || HOST;
const PROFILE = profileNamed(process.env.SANDBOX_PROFILE || 'standard');
const wanted = ['SANDBOX_AS_PORT', 'SANDBOX_FHIR_PORT', 'SANDBOX_DEMO_PORT', 'SANDBOX_STOCK_PORT', 'SANDBOX_GATEWAY_PORT']
  .map((name) => [name, Number(process.env[name] ?? 0)]);
// TLS: a certificate for the host names the URLs use, made now (selfsigned, no network).
const TLS = /^(1|true)$/i.test(process.env.SANDBOX_TLS ?? '');
let tlsOptions = null;
let certFile = null;
if (TLS) {
  const selfsigned = (await import('selfsigned')).default;
  const names = [...new Set([HOSTNAME, 'localhost', '127.0.0.1'])];
  const pem = await selfsigned.generate([{ name: 'commonName', value: HOSTNAME }], {
    keySize: 2048, days: 30, algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: names.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) }],
  });
  tlsOptions = { key: pem.private, cert: pem.cert };
  certFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smart-sandbox-')), 'cert.pem');
  fs.writeFileSync(certFile, pem.cert);
}
const SCHEME = TLS ? 'https' : 'http';
// The listeners first (their ports make the URLs the configuration below names); requests are
// handled once everything is set up.
const listen = ([name, port]) => new Promise((resolve, reject) => {
  const server = TLS ? https.createServer(tlsOptions) : http.createServer();
  server.once('error', (e) => reject(Object.assign(e, { setting: name })));
  server.listen(port, HOST, () => resolve(server));
});
const listening = await Promise.allSettled(wanted.map(listen));
const refused = listening.find((r) => r.status === 'rejected');
if (refused) {
  const e = refused.reason;
  console.error(e.code === 'EADDRINUSE'
    ? `sandbox: port ${e.port} on ${HOST} is already in use by another program (set ${e.setting} to another port, or 0 for a free one)`
    : `sandbox: cannot listen on ${HOST}:${e.port}: ${e.message}`);
  process.exit(1);
}
const [asServer, fhirServer, demoServer, stockListener, gatewayServer] = listening.map((r) => r.value);
const portOf = (server) => server.address().port;
const AS_ORIGIN = `${SCHEME}://${HOSTNAME}:${portOf(asServer)}`;
const FHIR_BASE = `${SCHEME}://${HOSTNAME}:${portOf(fhirServer)}/4_0_0`;
// The identity provider's issuer (what its redirects and tokens say), the path it is served under
// on its origin, and where its routes are (the profile decides; `standard`: its origin).
const [ISSUER, MOUNT] = {
  as: [AS_ORIGIN, ''],
  'as/': [`${AS_ORIGIN}/`, ''],
  tenant: [`${AS_ORIGIN}/tenants/t1`, '/tenants/t1'],
  'fhir-base': [FHIR_BASE, '/4_0_0'],
}[PROFILE.issuer];
const AS_BASE = `${AS_ORIGIN}${MOUNT}`;
const GATEWAY = `${SCHEME}://${HOSTNAME}:${portOf(gatewayServer)}`;
const DEMO_ORIGIN = `${SCHEME}://${HOSTNAME}:${portOf(demoServer)}`;
const STOCK = `${SCHEME}://${HOSTNAME}:${portOf(stockListener)}`;
const DEMO = process.env.SANDBOX_APP_ORIGIN || DEMO_ORIGIN;
// The app under test's clients, and the origins that may call the servers (CORS): loopback ones,
// and those of the apps' redirect URIs.
const APP_CLIENTS = JSON.parse(process.env.SANDBOX_CLIENTS || '[]');
const appOrigins = new Set([DEMO, ...APP_CLIENTS.flatMap((c) => (c.redirectUris ?? []).map((u) => new URL(u).origin))]);
const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;
const allowedOrigin = (origin) => LOOPBACK.test(origin) || appOrigins.has(origin);

const records = createRequire(import.meta.url)('./records.cjs');
const RESOURCE_TYPES = ['Patient', 'Observation', 'Condition', 'MedicationRequest', 'Encounter', 'AllergyIntolerance', 'Practitioner'];
// SMART scopes the FHIR server understands: v1 `.read`/`.write` and v2 `.rs`/`.cruds` forms, per
// resource type and `*`.
const FHIR_SCOPES = [...RESOURCE_TYPES, '*'].flatMap((t) => ['patient', 'user'].flatMap((who) =>
  ['read', 'rs', 'write', 'cruds', 'cud'].map((p) => `${who}/${t}.${p}`)))
  .concat(['system/Patient.read', 'system/Patient.rs', 'system/*.read']);

// Login name -> patient id. Any other login gets the first patient. A login starting with `dr`
// is the clinician (fhirUser Practitioner/smith), with the first patient in context unless the
// launch names another (interactions.mjs).
const { patients } = await import('./patients.mjs');
const patientFor = (accountId) => (patients.some((p) => p.id === accountId) ? accountId : patients[0].id);
const fhirUserFor = (accountId) => (/^dr/i.test(accountId) ? `${FHIR_BASE}/Practitioner/smith` : `${FHIR_BASE}/Patient/${patientFor(accountId)}`);
/** The launch context of a grant: what its launch chose, else the user's own patient. */
const contextOf = (grantId, accountId) => grantContexts.get(grantId) ?? { patient: patientFor(accountId) };
export const USERS = [...patients.map((p) => ({ login: p.id, fhirUser: `Patient/${p.id}`, patient: p.id })),
  { login: 'dr-smith', fhirUser: 'Practitioner/smith', patient: null }];
const headless = process.env.SANDBOX_HEADLESS;
settings.headless = headlessChoice(headless?.startsWith('{') ? JSON.parse(headless) : headless || null);
settings.startHeadless = settings.headless;

const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'sandbox-1', use: 'sig', alg: 'RS256' };
const jwks = jose.createLocalJWKSet({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'sandbox-1', alg: 'RS256' }] });
/** Checks an access token this server issued; returns its claims. */
const verifyAccessToken = async (token) => (await jose.jwtVerify(token, jwks, { issuer: ISSUER, audience: FHIR_BASE })).payload;
/** Issues an access token in the same form as oidc-provider's (for the jwt-bearer grant). */
const signAccessToken = (claims, ttl) => new jose.SignJWT(claims)
  .setProtectedHeader({ alg: 'RS256', kid: 'sandbox-1', typ: 'at+jwt' })
  .setIssuer(ISSUER).setAudience(FHIR_BASE).setJti(crypto.randomUUID()).setIssuedAt().setExpirationTime(`${ttl}s`)
  .sign(privateKey);

export const clients = [
  { client_id: 'demo-public', token_endpoint_auth_method: 'none' },
  // The secret has characters that RFC 6749 §2.3.1's form-encoding changes (seed 004's `/` among them).
  { client_id: 'demo-confidential', client_secret: 'demo-secret/2:7 &+', token_endpoint_auth_method: 'client_secret_basic' },
].map((c) => ({
  ...c,
  redirect_uris: [`${DEMO}/`, `${DEMO}/index.html`, `${DEMO}/bench/ours.html`, `${DEMO}/bench/fhirclient.html`],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
})).concat(APP_CLIENTS.map((c) => ({
  client_id: c.clientId, token_endpoint_auth_method: 'none', redirect_uris: c.redirectUris ?? [],
  grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
})));
// A tool's client (seeds 002/003): client credentials grant, and HTTP Basic at the FHIR server.
export const TOOL_CLIENT = { client_id: 'tool-basic', client_secret: 'tool-secret/1', token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
clients.push(TOOL_CLIENT);

const provider = new Provider(ISSUER, {
  clients,
  jwks: { keys: [signingKey] },
  clientBasedCORS: (ctx, origin) => allowedOrigin(origin),
  enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'RS384', 'ES384', 'PS256', 'ES256'] },
  extraClientMetadata: { properties: ['software_id'] },
  // (A SMART 1.0 server may leave PKCE optional: it checks a challenge that was sent.)
  pkce: { required: () => !PROFILE.pkceOptional },
  scopes: ['openid', 'fhirUser', 'offline_access', 'launch', 'launch/patient', 'launch/encounter', 'online_access', ...FHIR_SCOPES],
  claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
  // The id_token carries the claims of the scopes granted (fhirUser), as SMART servers do.
  conformIdTokenClaims: false,
  extraParams: {
    // SMART: `aud` must name this FHIR server when sent.
    aud(ctx, value) {
      if (value !== undefined && value.replace(/\/$/, '') !== FHIR_BASE) {
        throw new errors.InvalidRequest(`aud must be ${FHIR_BASE}`);
      }
    },
    launch: undefined,
  },
  // The sandbox's own pages (interactions.mjs), under the provider's mount path.
  interactions: { url: (ctx, interaction) => `${MOUNT}/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true, initialAccessToken: true },
    // RFC 7592: registrations answer with registration_client_uri and a registration access token.
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => FHIR_BASE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource) => {
        if (resource !== FHIR_BASE) throw new errors.InvalidTarget();
        return {
          scope: FHIR_SCOPES.join(' '),
          audience: FHIR_BASE,
          accessTokenTTL: settings.accessTokenTTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, fhirUser: fhirUserFor(id) }),
  }),
  extraTokenClaims: (ctx, token) => ({ patient: contextOf(token.grantId, token.accountId).patient }),
  issueRefreshToken: (ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  rotateRefreshToken: true,
  ttl: { AccessToken: () => settings.accessTokenTTL, RefreshToken: 24 * 3600 },
  loadExistingGrant: async (ctx) => {
    // Consent is asked on every launch so a person (or Playwright) sees the consent page each time.
    const id = ctx.oidc.result?.consent?.grantId;
    return id ? ctx.oidc.provider.Grant.find(id) : undefined;
  },
});

// OIDC Core §11 keeps offline_access only with prompt=consent; SMART servers grant it without.
// Every launch here shows the consent page anyway, so the sandbox asks for it on the app's behalf.
provider.use(async (ctx, next) => {
  if (ctx.path === '/auth' && /(^| )offline_access( |$)/.test(ctx.query.scope || '') && !ctx.query.prompt) {
    ctx.query = { ...ctx.query, prompt: 'consent' };
  }
  await next();
});

// SMART launch context in the token response (SMART App Launch §2.0.8), and the event log.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route !== 'token') return;
  const grantType = ctx.oidc.params?.grant_type;
  const entry = { type: 'token', grantType, clientId: ctx.oidc.client?.clientId, status: ctx.status,
    basicAuth: /^Basic /i.test(ctx.get('authorization')),
    basicDecoded: /^Basic /i.test(ctx.get('authorization')) ? Buffer.from(ctx.get('authorization').slice(6), 'base64').toString('utf8') : null,
    authMethod: ctx.oidc.client?.clientAuthMethod, error: ctx.body?.error };
  if (ctx.status === 200 && ctx.body?.access_token) {
    const grant = ctx.oidc.entities.Grant;
    // The token response names every granted scope (OIDC and launch ones too), not only the
    // FHIR scopes the access token carries.
    const source = ctx.oidc.entities.AuthorizationCode || ctx.oidc.entities.RefreshToken;
    if (source?.scope) ctx.body.scope = source.scope;
    const scopes = new Set(String(ctx.body.scope || '').split(' '));
    const context = grant ? contextOf(grant.jti, grant.accountId) : null;
    if (grant && (scopes.has('launch/patient') || scopes.has('launch'))) {
      ctx.body.patient = context.patient;
      ctx.body.need_patient_banner = true;
      ctx.body.smart_style_url = `${AS_BASE}/smart-style.json`;
    }
    if (grant && (scopes.has('launch/encounter') || scopes.has('launch'))) ctx.body.encounter = context.encounter ?? records.latestEncounter(context.patient);
    if (settings.reportedExpiresIn !== null) ctx.body.expires_in = settings.reportedExpiresIn;
    entry.jti = jose.decodeJwt(ctx.body.access_token).jti;
    if (settings.nestRefresh && grantType === 'refresh_token') {
      // Written as text: Node's JSON.stringify (koa's) runs out of stack at this depth; browsers do not.
      const n = settings.nestRefresh;
      ctx.type = 'application/json';
      ctx.body = `${JSON.stringify(ctx.body).slice(0, -1)},"nested":${'['.repeat(n)}${']'.repeat(n)}}`;
      entry.nested = n;
      entry.refreshTokenIssued = true;
      settings.nestRefresh = 0;
    }
    entry.refreshTokenIssued ??= Boolean(ctx.body.refresh_token);
  }
  events.push(entry);
});

await installIdTokenModes(provider, { providerKey: privateKey, settings, events, profile: PROFILE });

// Profile shapes of the provider's own metadata: not published at all, or published without CORS.
provider.use(async (ctx, next) => {
  const metadata = ctx.path === '/.well-known/openid-configuration';
  if (metadata && PROFILE.hideMetadata) {
    ctx.status = 404;
    return;
  }
  await next();
  if (PROFILE.noCorsKeys && (metadata || ctx.path === '/jwks')) ctx.remove('Access-Control-Allow-Origin');
});

installDynamicRegistration(provider, {
  issuer: ISSUER, tokenEndpoint: `${AS_BASE}/token`, fhirBase: FHIR_BASE, demoOrigin: DEMO, verifyAccessToken, signAccessToken, events, patientFor, settings,
});

// SANDBOX_MIXUP_OF=<an honest issuer>: this instance plays the hostile server of a mix-up attack,
// publishing the honest server's authorization endpoint beside its own token endpoint, and its
// issuer too unless SANDBOX_MIXUP_ISSUER=none.
const MIXUP_OF = process.env.SANDBOX_MIXUP_OF;
const configIssuer = MIXUP_OF
  ? (process.env.SANDBOX_MIXUP_ISSUER === 'none' ? undefined : MIXUP_OF)
  : { provider: ISSUER, 'no-slash': ISSUER.replace(/\/$/, ''), none: undefined }[PROFILE.configIssuer];
const smartConfiguration = () => ({
  ...(configIssuer === undefined ? {} : { issuer: configIssuer }),
  ...(PROFILE.configJwks ? { jwks_uri: `${AS_BASE}/jwks` } : {}),
  authorization_endpoint: MIXUP_OF ? `${MIXUP_OF}/auth` : PROFILE.gateway ? `${GATEWAY}/authorize` : `${AS_BASE}/auth`,
  token_endpoint: PROFILE.gateway ? `${GATEWAY}/token` : `${AS_BASE}/token`,
  registration_endpoint: `${AS_BASE}/reg`,
  grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', JWT_BEARER],
  token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'private_key_jwt'],
  token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256'],
  scopes_supported: ['openid', 'fhirUser', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', ...FHIR_SCOPES],
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
  authorization_response_iss_parameter_supported: true,
  capabilities: ['launch-ehr', 'launch-standalone', 'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric',
    'context-standalone-patient', 'context-ehr-patient', 'permission-offline', 'permission-patient', 'permission-v1', 'permission-v2'],
});

// ---- FHIR server ----
const fhirApp = express();
// No ETags: a conditional request answered 304 would make clients that revalidate look faster.
fhirApp.set('etag', false);
const cors = (req, res, next) => {
  const origin = req.get('origin');
  if (origin && allowedOrigin(origin)) {
    res.set({ 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'WWW-Authenticate, Location, ETag, Content-Location, Last-Modified',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, Epic-Client-ID, Prefer, If-Match', 'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE' });
  }
  if (req.method === 'OPTIONS') return res.sendStatus(204);
  next();
};
fhirApp.use(cors);
// Profile `smart-v1`: no smart-configuration (a SMART App Launch 1.0 server); its endpoints are in
// the CapabilityStatement only, which every profile publishes (node-fhir-server-core's `security`).
fhirApp.get('/4_0_0/.well-known/smart-configuration', (req, res) => (PROFILE.smartConfiguration === false
  ? res.status(404).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] })
  : res.json(smartConfiguration())));
// Profile `metadata-under-fhir-base`: the provider's OpenID Discovery under the FHIR base.
if (PROFILE.metadataUnderBase) {
  fhirApp.get('/4_0_0/.well-known/openid-configuration', (req, res) => res.json({
    issuer: ISSUER, authorization_endpoint: `${AS_BASE}/auth`, token_endpoint: `${AS_BASE}/token`, jwks_uri: `${AS_BASE}/jwks`,
    response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256', 'RS384', 'ES384'],
  }));
}
fhirApp.use('/4_0_0', fhirAuth({ jwks, issuer: ISSUER, audience: FHIR_BASE, events, settings, basicClients: [TOOL_CLIENT] }));
// JSON Patch bodies (node-fhir-server-core parses only FHIR JSON); what the services need to know
// about this sandbox; and the resource itself as the body of a write (the library's handlers end
// those responses without one), with a standard weak ETag.
fhirApp.use(express.json({ type: 'application/json-patch+json' }));
fhirApp.use((req, res, next) => {
  req.sandbox = { fhirBase: FHIR_BASE, nextOrigin: settings.nextLinkOrigin, endless: settings.endlessPaging };
  // (At writeHead, beneath the compression middleware, which wraps end() and sends headers first.)
  const { writeHead, end } = res;
  res.writeHead = function (...args) {
    const r = res.locals.representation;
    if (r && res.statusCode !== 204) {
      res.locals.body = JSON.stringify(r);
      this.setHeader('ETag', `W/"${r.meta.versionId}"`);
      this.setHeader('Content-Type', 'application/fhir+json; charset=utf-8');
      this.setHeader('Content-Length', Buffer.byteLength(res.locals.body));
    }
    return writeHead.apply(this, args);
  };
  res.end = function (chunk, ...rest) {
    return end.call(this, chunk === undefined && res.locals.body ? res.locals.body : chunk, ...rest);
  };
  next();
});
const clinical = Object.fromEntries(RESOURCE_TYPES.filter((t) => t !== 'Patient')
  .map((t) => [t.toLowerCase(), { service: records.service(t), versions: ['4_0_0'] }]));
const server = new fhirCore.Server({
  profiles: { patient: { service: path.join(here, 'patient.service.cjs'), versions: ['4_0_0'] }, ...clinical },
  server: { corsOptions: { maxAge: 86400 } },
  // The CapabilityStatement's SMART 1.0 `oauth-uris` extension.
  security: [{ url: 'authorize', valueUri: smartConfiguration().authorization_endpoint }, { url: 'token', valueUri: smartConfiguration().token_endpoint },
    { url: 'register', valueUri: smartConfiguration().registration_endpoint }],
  logging: { level: 'warn' },
}, fhirApp);
server.configureMiddleware().configureHelmet({ contentSecurityPolicy: false, crossOriginResourcePolicy: false }).setProfileRoutes().setErrorRoutes();

// ---- control endpoints and static files (demo origin) ----
const demoApp = express();
demoApp.use(cors);
// SANDBOX_PEERS: FHIR bases of other sandbox instances (another "health system") the demo offers
// to connect to as well (a second sandbox started later adds itself: /_sandbox/settings).
settings.peers = (process.env.SANDBOX_PEERS ?? '').split(',').filter(Boolean);
controlRoutes(demoApp, { seenTokens, clients, launches, patients, signAccessToken, patientFor, fhirBase: FHIR_BASE,
  config: { issuer: ISSUER, as: AS_BASE, fhirBase: FHIR_BASE, demo: DEMO_ORIGIN, stock: STOCK, profile: PROFILE.name } });
// This repository's demo and package (scripts: tests/sandbox/start.sh); the npm package serves none.
if (process.env.SANDBOX_STATIC_ROOT) demoApp.use(staticFiles(process.env.SANDBOX_STATIC_ROOT));

// The provider's routes, under its mount path when its issuer has one (a per-tenant issuer, or the
// FHIR base); nothing else is served on its origin then.
const providerCallback = provider.callback();
const interactions = interactionRoutes({ provider, mount: MOUNT, settings, patients, patientFor });
asServer.on('request', async (req, res) => {
  if (await interactions(req, res)) return;
  if (!MOUNT) return providerCallback(req, res);
  if (req.url === MOUNT || req.url.startsWith(`${MOUNT}/`) || req.url.startsWith(`${MOUNT}?`)) {
    // (Express's names: oidc-provider finds its mount path in them to build its own URLs.)
    req.originalUrl = req.url;
    req.baseUrl = MOUNT;
    req.url = req.url.slice(MOUNT.length) || '/';
    return providerCallback(req, res);
  }
  res.writeHead(404).end();
});
// Profile `idp-gateway`: the EHR's gateway in front of the identity provider. Its authorize
// endpoint redirects to the provider's; its token endpoint forwards the request and the answer.
gatewayServer.on('request', async (req, res) => {
  const url = new URL(req.url, GATEWAY);
  const origin = req.headers.origin;
  const cors = origin && allowedOrigin(origin)
    ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept', 'Access-Control-Allow-Methods': 'POST' }
    : {};
  if (!PROFILE.gateway) return res.writeHead(404).end();
  if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
  if (url.pathname === '/authorize' && req.method === 'GET') return res.writeHead(302, { Location: `${AS_BASE}/auth${url.search}` }).end();
  if (url.pathname === '/token' && req.method === 'POST') {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const answer = await fetch(`${AS_BASE}/token`, { method: 'POST', headers, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, { ...cors, 'Content-Type': answer.headers.get('content-type') ?? 'application/json', 'Cache-Control': 'no-store' });
    return res.end(await answer.text());
  }
  res.writeHead(404, cors).end();
});
fhirServer.on('request', fhirApp);
demoServer.on('request', demoApp);
stockListener.on('request', stockServer(STOCK).callback());
console.log(JSON.stringify({ ready: true, pid: process.pid, issuer: ISSUER, as: AS_BASE, fhirBase: FHIR_BASE, control: DEMO_ORIGIN, demo: `${DEMO_ORIGIN}/`,
  stock: STOCK, profile: PROFILE.name, users: USERS, clients: [...APP_CLIENTS.map((c) => c.clientId), 'demo-public'],
  ...(PROFILE.gateway ? { gateway: GATEWAY } : {}), ...(certFile ? { certificate: certFile } : {}) }));
