// What a patient waits for on a real network: the launch and the redirect, measured under emulated
// latency (Chromium's network emulation through CDP) beside fhirclient.js, for two kinds of page:
// a plain module page (import map, the README's preload line) and a Vite-built app (what most apps
// ship), and the plain page once more against a SMART App Launch 1.0 server (a sandbox instance
// with the `smart-v1` profile: no smart-configuration, the endpoints in its CapabilityStatement).
// Every run is a first visit (the HTTP cache is off) and alternates the clients.
//
// Paths:
//   launch   the launch page is opened → the authorization request is sent (authorize() on load)
//   redirect the redirect page is opened (code in the URL) → the first FHIR read is sent
//            (ready(), then client.request('Patient/amy'))
//   ready()  in the redirect page, ready()'s own duration
// For each path the requests on its critical chain are counted: a request depends on the latest
// one whose response had started to arrive before it was sent. That is the number of sequential
// round trips the path costs (with no CPU time in between, its time would be that many RTTs).
//
// Used by bench/run.mjs (scripts/bench.sh), which writes the rows into bench/RESULTS.md.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import express from 'express';
import compression from 'compression';
import { loginAndConsent, FHIR, AS } from '../tests/e2e/helpers.mjs';

const SCOPE = 'openid fhirUser launch/patient patient/Patient.read offline_access';
const CLIENT = 'bench-latency';
const VITE = '8.0.16';

export const PROFILES = [
  { name: '100 ms RTT', conditions: { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: -1 } },
  // 1.6 Mbps down, 750 kbps up (a slow mobile link), in bytes per second.
  { name: '100 ms RTT, 1.6 Mbps', conditions: { offline: false, latency: 100, downloadThroughput: 200_000, uploadThroughput: 93_750 } },
];

/** The page body both kinds share: authorize on `?go`, and on the redirect ready() then one read.
 * fhirclient.js requires PKCE (`pkceMode: 'required'`, as ours always does) unless `pkceMode`
 * says otherwise: with 'required' it refuses a SMART 1.0 server, whose CapabilityStatement lists
 * no code challenge methods, so that server's page uses its default, 'ifSupported'. */
function appCode(importOurs, fhirBase, pkceMode = 'required') {
  const ours = importOurs !== null;
  return `${ours ? importOurs : ''}
const FHIR_BASE = ${JSON.stringify(fhirBase)};
const params = new URLSearchParams(location.search);
const redirectUri = location.origin + location.pathname;
if (params.has('go')) {
  ${ours
    ? `SMART.authorize({ iss: FHIR_BASE, clientId: ${JSON.stringify(CLIENT)}, scope: ${JSON.stringify(SCOPE)}, redirectUri });`
    : `FHIR.oauth2.authorize({ iss: FHIR_BASE, clientId: ${JSON.stringify(CLIENT)}, scope: ${JSON.stringify(SCOPE)}, redirectUri, pkceMode: ${JSON.stringify(pkceMode)} });`}
} else if (params.has('code') && sessionStorage.getItem('bench:hold')) {
  // The measuring script opens this URL again with the network emulated.
  sessionStorage.removeItem('bench:hold');
  window.held = location.href;
} else if (params.has('code')) {
  const t = performance.now();
  const client = await ${ours ? 'SMART.ready()' : 'FHIR.oauth2.ready()'};
  window.readyMs = performance.now() - t;
  const patient = await client.request('Patient/amy');
  window.done = patient.id;
}
`;
}

/** Writes the plain pages (also for the SMART 1.0 server at `v1Base`) and builds the Vite app;
 * returns the directory to serve. */
export function preparePages(root, tarball, v1Base) {
  const out = path.join(root, 'target', 'bench-latency');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'plain'), { recursive: true });
  // The package as npm installs it, and fhirclient.js's browser build, beside the plain pages.
  fs.cpSync(path.join(root, 'pkg'), path.join(out, 'node_modules', 'smart-wasm'), { recursive: true });
  fs.cpSync(path.join(root, 'node_modules', 'fhirclient', 'build'), path.join(out, 'node_modules', 'fhirclient'), { recursive: true });
  // Plain module pages. Ours: the import map and the README's two preload lines (entry and .wasm).
  for (const [suffix, base] of [['', FHIR], ['-v1', v1Base]]) {
    fs.writeFileSync(path.join(out, 'plain', `ours${suffix}.html`), `<!doctype html>
<meta charset="utf-8"><title>smart-wasm, plain module page</title>
<link rel="modulepreload" href="/node_modules/smart-wasm/index.js">
<link rel="preload" href="/node_modules/smart-wasm/smart_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>
<script type="importmap">{ "imports": { "smart-wasm": "/node_modules/smart-wasm/index.js" } }</script>
<script type="module">
${appCode("import SMART from 'smart-wasm';", base)}
</script>
`);
    fs.writeFileSync(path.join(out, 'plain', `fhirclient${suffix}.html`), `<!doctype html>
<meta charset="utf-8"><title>fhirclient.js, plain page</title>
<script src="/node_modules/fhirclient/fhir-client.min.js"></script>
<script type="module">
${appCode(null, base, suffix ? 'ifSupported' : 'required')}
</script>
`);
  }
  // The Vite app: one project, a page per client, built for /vite/.
  const app = path.join(root, 'target', 'bench-vite');
  fs.rmSync(app, { recursive: true, force: true });
  for (const name of ['ours', 'fhirclient']) fs.mkdirSync(path.join(app, name), { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'bench-vite-app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `vite@${VITE}`, 'fhirclient@2.6.3', path.join(root, 'target', tarball)],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  // Ours: the README's line for Vite apps, which Vite rewrites to the hashed .wasm it emits.
  fs.writeFileSync(path.join(app, 'ours', 'index.html'), `<!doctype html>
<html><head><meta charset="utf-8"><title>smart-wasm, Vite app</title>
<link rel="preload" href="/node_modules/smart-wasm/smart_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>
</head><body><script type="module" src="./main.js"></script></body></html>
`);
  fs.writeFileSync(path.join(app, 'ours', 'main.js'), appCode("import SMART from 'smart-wasm';", FHIR));
  fs.writeFileSync(path.join(app, 'fhirclient', 'index.html'), `<!doctype html>
<html><head><meta charset="utf-8"><title>fhirclient.js, Vite app</title></head>
<body><script type="module" src="./main.js"></script></body></html>
`);
  fs.writeFileSync(path.join(app, 'fhirclient', 'main.js'), appCode(null, FHIR).replace(/^/, "import FHIR from 'fhirclient';\n"));
  fs.writeFileSync(path.join(app, 'vite.config.js'), `export default {
  base: '/vite/',
  logLevel: 'warn',
  build: { outDir: ${JSON.stringify(path.join(out, 'vite'))}, target: 'es2022', modulePreload: { polyfill: false },
    rollupOptions: { input: { ours: 'ours/index.html', fhirclient: 'fhirclient/index.html' } } },
};
`);
  execFileSync(path.join(app, 'node_modules', '.bin', 'vite'), ['build'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  const built = fs.readFileSync(path.join(out, 'vite', 'ours', 'index.html'), 'utf8');
  if (!/rel="preload" href="\/vite\/assets\/smart_wasm_bg-[^"]+\.wasm"/.test(built)) throw new Error(`Vite did not rewrite the preload line:\n${built}`);
  return out;
}

/** Serves `dir` (gzip, no caching) on a free port of 127.0.0.1. */
export function serve(dir) {
  return new Promise((resolve) => {
    const server = express()
      .use(compression({ filter: () => true }))
      .use(express.static(dir, { etag: false, lastModified: false, setHeaders: (res) => res.set('Cache-Control', 'no-store') }))
      .listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }));
  });
}

/** Records the page's requests through CDP, with the emulated network `conditions`. */
async function recorder(page, conditions) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', conditions);
  const reqs = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    // A redirect reuses the id: the hop before it ends where the next begins.
    if (e.redirectResponse && reqs.has(e.requestId)) reqs.get(e.requestId).answered ??= e.timestamp;
    reqs.set(e.redirectResponse ? `${e.requestId}+${e.timestamp}` : e.requestId, { url: e.request.url, method: e.request.method, sent: e.timestamp, answered: null });
  });
  cdp.on('Network.responseReceived', (e) => { const r = reqs.get(e.requestId); if (r) r.answered ??= e.timestamp; });
  return {
    list: () => [...reqs.values()].sort((a, b) => a.sent - b.sent),
    stop: async () => { await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }); await cdp.detach(); },
  };
}

const label = (u, { as, fhir }) => {
  const url = new URL(u);
  if (url.origin === as) return url.pathname.replace(/^\//, 'AS ');
  if (u.startsWith(fhir)) return `FHIR ${url.pathname.slice(new URL(fhir).pathname.length + 1) || '/'}`;
  return url.pathname.split('/').pop().replace(/-[A-Za-z0-9_-]{8}\./, '.') || url.pathname;
};

/** The critical chain ending at the first request matching `end`: its length (round trips before
 * `end` is sent) and the requests on it, first to last (labelled by `server`'s origins). */
function chain(requests, isEnd, server) {
  const end = requests.find((r) => isEnd(r.url));
  if (!end) return null;
  const before = requests.filter((r) => r.sent <= end.sent && r !== end && !r.url.endsWith('/favicon.ico'));
  const depth = new Map();
  const parent = new Map();
  for (const r of [...before, end]) {
    let best = null;
    for (const q of before) {
      if (q !== r && q.answered !== null && q.answered <= r.sent && (best === null || depth.get(q) > depth.get(best) || (depth.get(q) === depth.get(best) && q.answered > best.answered))) best = q;
    }
    depth.set(r, best ? depth.get(best) + 1 : 1);
    parent.set(r, best);
  }
  const names = [];
  for (let r = parent.get(end); r; r = parent.get(r)) names.unshift(label(r.url, server));
  return { trips: depth.get(end) - 1, names, ms: (end.sent - before.concat(end)[0].sent) * 1000 };
}

/**
 * Runs `runs` launches per client, page kind and profile; resolves to rows:
 * { profile, kind, path, ours: [ms], fhirclient: [ms], trips: { ours, fhirclient } }.
 * `v1` is the SMART 1.0 sandbox instance ({ issuer, fhirBase }), measured at 100 ms RTT only.
 */
export async function measure(browser, origin, runs, v1) {
  const register = (as, pages) => fetch(`${as}/_sandbox/clients`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: CLIENT, redirect_uris: pages.map((p) => `${origin}/${p}`) }),
  }).then((r) => { if (!r.ok) throw new Error(`registering the bench client at ${as}: ${r.status}`); });
  await register(AS, ['plain/ours.html', 'plain/fhirclient.html', 'vite/ours/index.html', 'vite/fhirclient/index.html']);
  await register(v1.issuer, ['plain/ours-v1.html', 'plain/fhirclient-v1.html']);
  const main = { as: AS, fhir: FHIR };
  const kinds = { 'plain module page': { ours: 'plain/ours.html', fhirclient: 'plain/fhirclient.html', server: main },
    'Vite-built app': { ours: 'vite/ours/index.html', fhirclient: 'vite/fhirclient/index.html', server: main },
    'plain module page, SMART 1.0 server': { ours: 'plain/ours-v1.html', fhirclient: 'plain/fhirclient-v1.html', server: { as: v1.issuer, fhir: v1.fhirBase }, only: '100 ms RTT' } };
  const out = [];
  for (const profile of PROFILES) {
    for (const [kind, pages] of Object.entries(kinds)) {
      if (pages.only && pages.only !== profile.name) continue;
      const { as, fhir } = pages.server;
      const rows = { launch: { ours: [], fhirclient: [], trips: {} }, redirect: { ours: [], fhirclient: [], trips: {} }, ready: { ours: [], fhirclient: [], trips: {} } };
      for (let i = 0; i < runs; i++) {
        for (const client of i % 2 ? ['fhirclient', 'ours'] : ['ours', 'fhirclient']) {
          const url = `${origin}/${pages[client]}`;
          const context = await browser.newContext();
          // The launch page marks its tab: the redirect page will hold its code (see appCode).
          await context.addInitScript(() => { if (location.search === '?go') sessionStorage.setItem('bench:hold', '1'); });
          const page = await context.newPage();
          // Launch: page opened with ?go → the authorization request.
          let rec = await recorder(page, profile.conditions);
          await page.goto(`${url}?go`, { waitUntil: 'commit' });
          await page.waitForURL((u) => u.origin === as, { timeout: 60_000 });
          const launch = chain(rec.list(), (u) => u.startsWith(`${as}/auth`), pages.server);
          await rec.stop();
          // Sign in without emulation; the redirect page holds its code unused, for the run below.
          await loginAndConsent(page);
          await page.waitForFunction(() => typeof window.held === 'string', null, { timeout: 30_000 });
          const redirect = await page.evaluate(() => window.held);
          // Redirect: the page opened with the code → the first FHIR read.
          rec = await recorder(page, profile.conditions);
          await page.goto(redirect, { waitUntil: 'commit' });
          await page.waitForFunction(() => window.done === 'amy', null, { timeout: 60_000 });
          const read = chain(rec.list(), (u) => u.startsWith(`${fhir}/Patient/amy`), pages.server);
          rows.ready[client].push(await page.evaluate(() => window.readyMs));
          await rec.stop();
          await context.close();
          rows.launch[client].push(launch.ms);
          rows.redirect[client].push(read.ms);
          rows.launch.trips[client] = launch;
          rows.redirect.trips[client] = read;
        }
      }
      for (const [p, r] of Object.entries(rows)) out.push({ profile: profile.name, kind, path: p, ...r });
    }
  }
  return out;
}

/** Transfer sizes (gzip -9) of what each page kind downloads for the library. */
export function librarySizes(dir) {
  const gz = (f) => zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length;
  const assets = path.join(dir, 'vite', 'assets');
  const files = fs.readdirSync(assets);
  const sum = (re) => files.filter((f) => re.test(f)).reduce((t, f) => t + gz(path.join(assets, f)), 0);
  return { viteOurs: sum(/^(ours|smart_wasm_bg)-.*\.(js|wasm)$/), viteFhirclient: sum(/^fhirclient-.*\.js$/) };
}
