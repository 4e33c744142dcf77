// Benchmarks smart-wasm against fhirclient.js in one headless Chromium session, on the local SMART
// sandbox, alternating the two clients run by run. Writes bench/RESULTS.md (a markdown table) and
// prints it. Run by scripts/bench.sh, which builds the package and starts the sandbox.
// Timings are reported, never asserted: these machines are noisy; ratios come from the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { launchBrowser, sandbox, loginAndConsent, ageTokens, startSecondSandbox, DEMO, AS } from '../tests/e2e/helpers.mjs';
import * as latency from './latency.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS || 30);
const PAGES = { ours: `${DEMO}/bench/ours.html`, fhirclient: `${DEMO}/bench/fhirclient.html` };
const rows = [];

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => { const s = sorted(xs); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;
const spread = (xs, fmt) => (xs?.length ? `${fmt(Math.min(...xs))} / ${fmt(median(xs))} / ${fmt(Math.max(...xs))}` : '—');

/** One table row; `ours`/`theirs` are samples (medians shown) or single values. */
function row(metric, ours, theirs, { fmt = ms, runs = '', lowerIsBetter = true } = {}) {
  const val = (x) => (Array.isArray(x) ? median(x) : x);
  const o = val(ours);
  const t = theirs === undefined ? undefined : val(theirs);
  rows.push({
    metric, ours: fmt(o), theirs: t === undefined ? '—' : fmt(t),
    ratio: t === undefined || !t ? '—' : `${(o / t).toFixed(2)}×`,
    runs: String(runs),
    spread: [Array.isArray(ours) ? `ours ${spread(ours, fmt)}` : '', Array.isArray(theirs) ? `fhirclient.js ${spread(theirs, fmt)}` : '']
      .filter(Boolean).join('; ') || '—',
    lowerIsBetter,
  });
}

// ---- bytes a browser downloads ----
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const read = (...p) => fs.readFileSync(path.join(root, ...p));
const ourWasm = read('pkg', 'smart_wasm_bg.wasm');
// The entry is one module (scripts/build.sh bundles it).
const ourJsFiles = [read('pkg', 'index.js')];
const ourJs = Buffer.concat(ourJsFiles);
const theirBuild = read('node_modules', 'fhirclient', 'build', 'fhir-client.min.js');
const esm = await esbuild.build({
  stdin: { contents: "import FHIR from 'fhirclient'; export default FHIR;", resolveDir: root, loader: 'js' },
  bundle: true, format: 'esm', minify: true, platform: 'browser', write: false, logLevel: 'silent',
});
const theirEsm = Buffer.from(esm.outputFiles[0].contents);
const ourGz = gz(ourWasm) + ourJsFiles.map(gz).reduce((a, b) => a + b);
row('Download, gzip -9: ours (wasm + JS) vs fhirclient.js ESM bundle (esbuild, minified)', ourGz, gz(theirEsm), { fmt: kb, runs: 1 });
row('Download, gzip -9: ours vs fhirclient.js browser build (fhir-client.min.js)', ourGz, gz(theirBuild), { fmt: kb, runs: 1 });
row('Download, raw: ours (wasm + JS) vs fhirclient.js ESM bundle', ourWasm.length + ourJs.length, theirEsm.length, { fmt: kb, runs: 1 });
row('Download, raw: ours vs fhirclient.js browser build', ourWasm.length + ourJs.length, theirBuild.length, { fmt: kb, runs: 1 });

const browser = await launchBrowser();
const context = await browser.newContext();
const ready = (page) => page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 });

// ---- module start: navigation -> library ready, fresh page each time ----
const start = { ours: [], fhirclient: [] };
for (let i = 0; i < RUNS; i++) {
  for (const name of i % 2 ? ['fhirclient', 'ours'] : ['ours', 'fhirclient']) {
    const page = await context.newPage();
    await page.goto(PAGES[name]);
    await ready(page);
    start[name].push(await page.evaluate(() => window.moduleReadyMs));
    await page.close();
  }
}
row('Module start: navigation → library ready (ours: wasm fetched, compiled, instantiated, initialised)', start.ours, start.fhirclient, { runs: RUNS });

// ---- ready(): code -> token -> Client, on the redirect page ----
const pages = { ours: await context.newPage(), fhirclient: await context.newPage() };
/** A full launch in client `name`'s page (before navigating, `prepare(page)` may route requests);
 * resolves to the page's `ready()` time. */
async function launch(name, prepare = async () => {}) {
  const page = pages[name];
  await page.goto(PAGES[name]);
  await ready(page);
  await prepare(page);
  await page.evaluate(() => { window.bench.authorize(); });
  await loginAndConsent(page);
  await page.waitForURL((u) => u.href.startsWith(PAGES[name]) && u.searchParams.has('code'));
  await ready(page);
  return page.evaluate(() => window.readyMs);
}
const readyMs = { ours: [], fhirclient: [] };
for (let i = 0; i < RUNS; i++) {
  for (const name of i % 2 ? ['fhirclient', 'ours'] : ['ours', 'fhirclient']) readyMs[name].push(await launch(name));
}
row('ready(): authorization code → token → Client', readyMs.ours, readyMs.fhirclient, { runs: RUNS });

// ---- ready() on a hostile token response: 1 MiB, 100k distinct keys (the token endpoint is
// answered by the test, so only the parsing differs from the row above) ----
let hostile = '{"access_token":"x","token_type":"bearer","expires_in":3600,"scope":"openid launch/patient","patient":"amy"';
for (let i = 0; hostile.length < 1024 * 1024 - 16; i++) hostile += `,"${i.toString(16)}":0`;
hostile += '}';
const hostileMs = { ours: [], fhirclient: [] };
const HOSTILE_RUNS = Math.max(3, Math.round(RUNS / 3));
for (let i = 0; i < HOSTILE_RUNS; i++) {
  for (const name of i % 2 ? ['fhirclient', 'ours'] : ['ours', 'fhirclient']) {
    hostileMs[name].push(await launch(name, (page) => page.route(`${AS}/token`, (route) => route.fulfill({
      status: 200, contentType: 'application/json', body: hostile,
      headers: { 'Access-Control-Allow-Origin': new URL(PAGES[name]).origin },
    }))));
    await pages[name].unrouteAll();
  }
}
// Real sessions again for the rows below (the hostile answer's token is not one).
for (const name of ['ours', 'fhirclient']) await launch(name);
row(`ready() on a hostile token response (${(hostile.length / 1024).toFixed(0)} KiB, ${(hostile.match(/,/g).length / 1000).toFixed(0)}k keys): code → Client`,
  hostileMs.ours, hostileMs.fhirclient, { runs: HOSTILE_RUNS });

// ---- request(): one Patient read, sequential and concurrent, against raw fetch ----
// Each client against a raw fetch made the way it fetches: ours with `cache: "no-store"` (patient
// data stays out of the HTTP cache), fhirclient.js with the default cache mode.
const ROUNDS = 10;
const KINDS = { ours: ['ours', 'read'], fhirclient: ['fhirclient', 'read'], raw: ['ours', 'raw'], rawDefault: ['fhirclient', 'raw'] };
const seq = Object.fromEntries(Object.keys(KINDS).map((k) => [k, []]));
const conc = Object.fromEntries(Object.keys(KINDS).map((k) => [k, []]));
const runIn = (kind, what, n) => pages[KINDS[kind][0]].evaluate(([w, n2, fn]) => window.bench[w](n2, window.bench[fn]), [what, n, KINDS[kind][1]]);
const orders = [['ours', 'fhirclient', 'raw', 'rawDefault'], ['fhirclient', 'rawDefault', 'ours', 'raw'], ['raw', 'ours', 'rawDefault', 'fhirclient'], ['rawDefault', 'raw', 'fhirclient', 'ours']];
for (let r = 0; r < ROUNDS; r++) {
  for (const kind of orders[r % 4]) seq[kind].push(...(await runIn(kind, 'sequential', 100)));
  for (const kind of orders[r % 4]) conc[kind].push(await runIn(kind, 'concurrent', 100));
}
const ratio = (x) => `${x.toFixed(3)}×`;
row('request(): Patient read, 1000 sequential (per request)', seq.ours, seq.fhirclient, { runs: seq.ours.length });
row('request() overhead vs its own raw fetch, sequential (median / median)', median(seq.ours) / median(seq.raw), median(seq.fhirclient) / median(seq.rawDefault), { fmt: ratio, runs: seq.ours.length });
row('request(): 100 concurrent Patient reads (wall time of the batch)', conc.ours, conc.fhirclient, { runs: ROUNDS });
row('request() overhead vs its own raw fetch, 100 concurrent (median / median)', median(conc.ours) / median(conc.raw), median(conc.fhirclient) / median(conc.rawDefault), { fmt: ratio, runs: ROUNDS });
row('Raw fetch alone, sequential: cache "no-store" (ours) vs default cache mode (fhirclient.js)', seq.raw, seq.rawDefault, { runs: seq.raw.length });

// ---- JWT bearer sign-in on a revisit (ours only: fhirclient.js has no such flow) ----
const reg = pages.ours;
await reg.evaluate(() => sessionStorage.setItem('bench:identity', '1'));
await reg.goto(`${PAGES.ours}?identity`);
await ready(reg);
await reg.evaluate(() => { window.bench.authorize(); });
await loginAndConsent(reg);
await reg.waitForURL((u) => u.searchParams.has('code'));
await ready(reg);
await reg.evaluate(() => window.client.registerDynamicClient({ alg: 'ES384' }));
const revisit = [];
for (let i = 0; i < RUNS; i++) {
  const page = await context.newPage();
  await page.goto(`${PAGES.ours}?identity&resume`);
  await ready(page);
  revisit.push(await page.evaluate(() => window.firstAnswerMs));
  await page.close();
}
row('JWT bearer sign-in on a revisit: navigation → first FHIR answer (no login page)', revisit, undefined, { runs: RUNS });

// ---- wasm linear memory: after 100 requests vs after 10,000 ----
const mem = pages.ours;
await mem.goto(PAGES.ours);
await mem.evaluate(() => sessionStorage.removeItem('bench:identity'));
await mem.goto(PAGES.ours);
await ready(mem);
await mem.evaluate(async () => {
  const { FHIR, SCOPE } = window.bench;
  // A fresh session in this tab for the memory run (the earlier one became key-bound).
  const SMART = window.bench.SMART;
  await SMART.authorize({ iss: FHIR, clientId: 'demo-public', scope: SCOPE, redirectUri: `${location.origin}${location.pathname}` });
});
await loginAndConsent(mem);
await mem.waitForURL((u) => u.searchParams.has('code'));
await ready(mem);
const memory = await mem.evaluate(async () => {
  await window.bench.sequential(100, window.bench.read);
  const after100 = window.bench.memory();
  await window.bench.sequential(9900, window.bench.read);
  return { after100, after10000: window.bench.memory() };
});
row('wasm linear memory: after 10,000 requests vs after 100 (ours only; "fhirclient.js" column: after 100)', memory.after10000, memory.after100, { fmt: kb, runs: 1 });

// ---- refresh single-flight: 100 concurrent requests on an expiring token ----
// Last of the loopback rows: ageTokens moves the clock of the whole browser context (Playwright's
// clock is the context's), which would skew every timing taken in it afterwards.
const refreshes = {};
for (const name of ['ours', 'fhirclient']) {
  await sandbox.setTokenTTL(5); // below both clients' refresh windows (ours 30 s, fhirclient.js 10 s)
  await pages[name].evaluate(() => window.client.refresh());
  await ageTokens(pages[name]); // past the 5 s before which ours never refreshes ahead of expiry
  await sandbox.reset();
  const ok = await pages[name].evaluate(() => Promise.all(Array.from({ length: 100 }, () => window.bench.read())).then((r) => r.length, (e) => String(e)));
  const grants = (await sandbox.events()).filter((e) => e.type === 'token' && e.grantType === 'refresh_token');
  refreshes[name] = { count: grants.length, ok };
}
row(`Refresh single-flight: token requests for 100 concurrent requests on an expired token (ours: ${refreshes.ours.ok} answered, fhirclient.js: ${refreshes.fhirclient.ok})`,
  refreshes.ours.count, refreshes.fhirclient.count, { fmt: (x) => String(x), runs: 1 });

// ---- under emulated latency, beside fhirclient.js, plain module page and Vite-built app ----
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS || 5);
const tarball = fs.readdirSync(path.join(root, 'target')).find((f) => /^smart-wasm-.*\.tgz$/.test(f));
// A SMART App Launch 1.0 server: no smart-configuration, the endpoints in its CapabilityStatement.
const v1 = await startSecondSandbox({ env: { SANDBOX_PROFILE: 'smart-v1' } });
const servedDir = latency.preparePages(root, tarball, v1.fhirBase);
const server = await latency.serve(servedDir);
const latencyRows = await latency.measure(browser, server.origin, LATENCY_RUNS, v1);
await server.close();
await v1.stop();
const viteSizes = latency.librarySizes(servedDir);

const version = browser.version();
await browser.close();

// ---- report ----
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  '# Benchmarks: smart-wasm vs fhirclient.js',
  '',
  `Run ${new Date().toISOString().slice(0, 10)} by \`scripts/bench.sh\` on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, `
    + `${os.type()} ${os.release()}; headless Chromium ${version}; Node ${process.version}; fhirclient ${JSON.parse(read('node_modules', 'fhirclient', 'package.json')).version}.`,
  'Both clients run in the same browser session against the same local sandbox (oidc-provider + node-fhir-server-core on 127.0.0.1),',
  'alternating run by run. Columns show medians; ratio = ours / fhirclient.js (below 1 is better for times and bytes).',
  'Min / median / max are per run (per request for the sequential row). Numbers from a noisy shared machine: compare ratios, not absolutes.',
  '',
  '| metric | ours | fhirclient.js | ratio | runs | min / median / max |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.metric} | ${r.ours} | ${r.theirs} | ${r.ratio} | ${r.runs} | ${r.spread} |`),
  '',
];
const trips = (t) => (t ? `${t.trips}: ${t.names.join(' → ')}` : '—');
lines.push(
  '## Under emulated latency: what a patient waits for',
  '',
  `Chromium's network emulation (CDP \`Network.emulateNetworkConditions\`), first visits (HTTP cache off), gzip from the server; ${LATENCY_RUNS} runs per row, clients alternating.`,
  'Launch: launch page opened → authorization request sent. Redirect: redirect page opened (code in the URL) → first FHIR read sent (`ready()` with the id_token verified, then `request()`).',
  '`ready()`: its own duration in the redirect page. Plain module page: an import map, ours with the README\'s `<link rel="preload">` for the .wasm; fhirclient.js by its browser build in a `<script>`.',
  `Vite-built app: Vite ${'8.0.16'}, one page per client; the library's download there: ours ${(viteSizes.viteOurs / 1024).toFixed(1)} KB (app chunk + .wasm), fhirclient.js ${(viteSizes.viteFhirclient / 1024).toFixed(1)} KB (app chunk), gzip -9.`,
  'Round trips: the requests on the path\'s critical chain before its last request (each sent only after the one before it began to answer).',
  'The floor of each path is its round trips × the RTT: the page, the library (the .wasm preloaded beside the JavaScript), and one protocol request',
  '(the smart-configuration before the redirect; the token request, with the JWKS beside it, before the first read). A SMART 1.0 server (sandbox profile',
  '`smart-v1`) publishes no smart-configuration: both clients then ask for its CapabilityStatement, one round trip more. "Above the floor" (100 ms RTT',
  'rows, no throughput limit) is the rest: CPU time, and for ours the wasm compile and the id_token\'s signature check that fhirclient.js does not make.',
  '',
  '| network | page | path | ours | fhirclient.js | ratio | round trips, ours | round trips, fhirclient.js | above the floor | min / median / max |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...latencyRows.map((r) => {
    const rtt = latency.PROFILES.find((p) => p.name === r.profile).conditions;
    const floor = (c) => (r.path === 'ready' || rtt.downloadThroughput !== -1 ? '—' : `${ms(median(r[c]) - r.trips[c].trips * rtt.latency)}`);
    return `| ${r.profile} | ${r.kind} | ${r.path === 'ready' ? '`ready()`' : r.path} | ${ms(median(r.ours))} | ${ms(median(r.fhirclient))} | `
      + `${(median(r.ours) / median(r.fhirclient)).toFixed(2)}× | ${r.path === 'ready' ? '—' : trips(r.trips.ours)} | ${r.path === 'ready' ? '—' : trips(r.trips.fhirclient)} | `
      + `${floor('ours') === '—' ? '—' : `ours ${floor('ours')}, fhirclient.js ${floor('fhirclient')}`} | ours ${spread(r.ours, ms)}; fhirclient.js ${spread(r.fhirclient, ms)} |`;
  }),
  '',
);
fs.writeFileSync(path.join(root, 'bench', 'RESULTS.md'), lines.join('\n'));
console.log(lines.join('\n'));
