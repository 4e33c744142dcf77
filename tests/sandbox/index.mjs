// smart-wasm-sandbox: a SMART on FHIR server for an app's own tests. `startSandbox()` runs
// server.mjs in a child process on free ports and resolves, once it listens, to its URLs and test
// controls. Nothing it serves reaches for the internet.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

/** The environment server.mjs reads, from startSandbox's options. */
function environment(o) {
  const env = { ...process.env };
  const ports = o.ports ?? {};
  Object.assign(env, {
    SANDBOX_AS_PORT: String(ports.authorizationServer ?? 0),
    SANDBOX_FHIR_PORT: String(ports.fhir ?? 0),
    SANDBOX_DEMO_PORT: String(ports.control ?? 0),
    SANDBOX_STOCK_PORT: String(ports.stock ?? 0),
    SANDBOX_PROFILE: o.profile ?? 'standard',
    SANDBOX_CLIENTS: JSON.stringify(o.clients ?? []),
    SANDBOX_TLS: o.tls ? '1' : '',
  });
  if (o.host) env.SANDBOX_HOST = o.host;
  if (o.hostname) env.SANDBOX_HOSTNAME = o.hostname;
  if (o.headless) env.SANDBOX_HEADLESS = typeof o.headless === 'string' ? o.headless : JSON.stringify(o.headless);
  else delete env.SANDBOX_HEADLESS;
  delete env.SANDBOX_STATIC_ROOT;
  return env;
}

/** A JSON request to the sandbox's control origin (trusting its own certificate with TLS). */
function control(base, ca, path, body) {
  const url = new URL(path, base);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: data === undefined ? 'GET' : 'POST', ca,
      headers: data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode < 300 ? resolve(text ? JSON.parse(text) : null) : reject(new Error(`sandbox ${path}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Starts a sandbox. Options (all optional):
 *   clients:  [{ clientId, redirectUris }]: the app's public clients (their origins may call the servers)
 *   headless: a user ('amy', 'daniel', 'kim', 'dr-smith') or { user, patient }: launches sign in
 *             and consent without a page
 *   tls:      true for https everywhere, with a certificate made at start (`certificate`: its PEM file)
 *   host / hostname: the address to bind (127.0.0.1) / the name in the URLs (the address)
 *   profile:  a server shape ('standard', 'idp-gateway', 'tenant-issuer', 'es256', … see profiles.mjs)
 *   ports:    { authorizationServer, fhir, control, stock }: 0 (a free port) unless given
 *   log:      a writable stream for the server's output (default: discarded)
 */
export async function startSandbox(options = {}) {
  const child = spawn(process.execPath, [SERVER], { env: environment(options), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`the sandbox did not start within 30 s:\n${output}`)); }, 30_000);
    const seen = (d) => {
      output += d;
      options.log?.write(d);
      const line = output.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) { clearTimeout(timer); resolve(JSON.parse(line)); }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the sandbox exited (${code}):\n${output}`)); });
  });
  child.removeAllListeners('exit');
  const ca = ready.certificate ? fs.readFileSync(ready.certificate) : undefined;
  const post = (path, body = {}) => control(ready.control, ca, path, body);
  return {
    /** FHIR base URL (the SMART `iss`). */ fhirBase: ready.fhirBase,
    /** The authorization server's issuer. */ issuer: ready.issuer,
    /** Where the test controls answer (`/_sandbox/*`). */ control: ready.control,
    /** The fixture users: `{ login, fhirUser, patient }`. */ users: ready.users,
    /** The PEM file of the TLS certificate, with `tls`. */ certificate: ready.certificate ?? null,
    profile: ready.profile,
    pid: child.pid,
    /** An EHR launch of `appLaunchUrl` with this patient (and encounter) in context. */
    async ehrLaunchUrl(appLaunchUrl, { patient, encounter } = {}) {
      const { launch, iss } = await post('/_sandbox/launch', { patient, encounter });
      const url = new URL(appLaunchUrl);
      url.searchParams.set('iss', iss);
      url.searchParams.set('launch', launch);
      return url.href;
    },
    /** The next launch's user and patient: prefilled on the sign-in page, or chosen when headless. */
    preselect: (choice) => post('/_sandbox/preselect', choice),
    /** Launches sign in without a page as `user` (a login or { user, patient }); null for the pages again. */
    setHeadless: (user) => post('/_sandbox/settings', { headless: user }),
    /** A token response for a unit test, without a launch: { user, scope, patient, clientId, expiresIn }. */
    issueToken: (request = {}) => post('/_sandbox/token', request),
    /** Every access token issued so far answers 401 (expired) at the FHIR server. */
    expireAccessTokens: () => post('/_sandbox/expire'),
    /** The next `count` FHIR requests answer `status` (401, 403, 500, …). */
    failNext: ({ status = 500, count = 1 } = {}) => post('/_sandbox/fail-next', { status, count }),
    /** Every refresh token issued so far is refused (invalid_grant). */
    revokeRefreshTokens: () => post('/_sandbox/revoke-refresh'),
    /** id_tokens are signed with a new key from now on (the JWKS publishes both). */
    rotateKeys: () => post('/_sandbox/rotate-keys'),
    /** Access tokens issued from now on live this many seconds. */
    setAccessTokenTTL: (seconds) => post('/_sandbox/settings', { accessTokenTTL: seconds }),
    /** What the servers saw: token grants and FHIR requests. */
    events: () => control(ready.control, ca, '/_sandbox/events'),
    /** Back to the settings it started with; the event log emptied. */
    reset: () => post('/_sandbox/reset'),
    /** Stops the servers. */
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill();
    }),
  };
}
