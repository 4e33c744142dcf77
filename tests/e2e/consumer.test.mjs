// The package as a new user gets it: the npm tarball scripts/build.sh packs (target/smart-wasm-*.tgz)
// installed into a fresh app (tests/consumer/, copied to target/consumer/) together with a pinned
// Vite from the registry; then `vite build` (its log must not warn about the wasm files), `vite`
// dev, and a plain <script type="module"> page with an import map, each running the launch ->
// patient read journey in headless Chromium against the sandbox, with both entries.
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { useBrowser, loginAndConsent, freePort, serveStatic, AS, FHIR } from './helpers.mjs';

const VITE = '8.0.16';
// Vite 6's dev server pre-bundles the package and then looks for the wasm in .vite/deps: the
// README's one line of config (optimizeDeps.exclude) is what makes it work, and is tested here.
const VITE6 = '6.4.6';
const root = new URL('../..', import.meta.url).pathname;
const app = path.join(root, 'target', 'consumer');
const app6 = path.join(root, 'target', 'consumer-vite6');

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

/** A fresh app in `dir`: the consumer files, Vite `version` and the tarball from the registry / disk. */
function freshApp(dir, version, config) {
  const tarball = readdirSync(path.join(root, 'target')).find((f) => /^smart-wasm-.*\.tgz$/.test(f));
  assert.ok(tarball, 'scripts/build.sh packed the package');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(root, 'tests', 'consumer'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }));
  if (config) writeFileSync(path.join(dir, 'vite.config.js'), config);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `vite@${version}`, path.join(root, 'target', tarball)],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

before(() => {
  freshApp(app, VITE);
  freshApp(app6, VITE6, "export default { optimizeDeps: { exclude: ['smart-wasm'] } };\n");
});

/** The sandbox learns this app's redirect URIs (a public client, as a developer registers one). */
async function registerApp(origin, pages) {
  const res = await fetch(`${AS}/_sandbox/clients`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'consumer-app', redirect_uris: pages.map((p) => `${origin}/${p}`) }),
  });
  assert.equal(res.status, 200);
}

/** Launch -> sign in -> patient read, with one entry; returns what the page shows. */
async function journey(origin, pageName, entry) {
  const failed = [];
  const wasm = [];
  // (The sandbox's login page asks for a web font this closed network cannot reach: not counted.)
  page.on('requestfailed', (r) => { if (new URL(r.url()).origin === origin) failed.push(r.url()); });
  page.on('request', (r) => { if (/\/smart_wasm_bg[^/]*\.wasm$/.test(new URL(r.url()).pathname)) wasm.push(r.url()); });
  await page.goto(`${origin}/${pageName}?entry=${entry}&fhir=${encodeURIComponent(FHIR)}`);
  await loginAndConsent(page);
  await page.waitForURL((u) => u.origin === origin && u.searchParams.has('code'));
  await page.waitForFunction(() => document.getElementById('out').dataset.patient || document.getElementById('out').dataset.error, null, { timeout: 20_000 });
  const shown = await page.evaluate(() => ({ ...document.getElementById('out').dataset, text: document.getElementById('out').textContent }));
  assert.equal(shown.error, undefined, shown.text);
  assert.deepEqual([shown.patient, shown.user, shown.entry], ['amy', 'Patient/amy', entry]);
  assert.deepEqual(failed, [], 'every file of the app and the package loaded');
  if (entry === 'default') {
    // The page's preload line (the README's) and the module's own fetch are one request per page
    // load (the launch page, then the redirect page): the preload was used, not fetched twice.
    assert.equal(wasm.length, 2, `the .wasm requests: ${wasm.join(', ')}`);
  }
  return shown;
}

/** The app at `origin` registered for `pageName`, then the journey with each entry. */
async function bothEntries(origin, pageName) {
  await registerApp(origin, [pageName]);
  await journey(origin, pageName, 'default');
  await page.evaluate(() => sessionStorage.clear());
  await journey(origin, pageName, 'identity');
}

test(`vite build (Vite ${VITE}): no warning about the wasm files, and both entries run the journey`, async () => {
  // Vite writes warnings to stderr: both streams are read.
  const built = spawnSync(path.join(app, 'node_modules', '.bin', 'vite'), ['build'],
    { cwd: app, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  assert.equal(built.status, 0, built.stderr);
  const log = `${built.stdout}${built.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  assert.doesNotMatch(log, /doesn't exist at build time|will remain unchanged to be resolved at runtime/i, log);
  const assets = readdirSync(path.join(app, 'dist', 'assets'));
  assert.ok(assets.some((f) => /^smart_wasm_bg.*\.wasm$/.test(f)), `the default entry's wasm is emitted: ${assets}`);
  assert.ok(assets.some((f) => /^smart_wasm_identity_bg.*\.wasm$/.test(f)), `the identity entry's wasm is emitted: ${assets}`);
  const server = await serveStatic(path.join(app, 'dist'));
  try {
    await bothEntries(server.origin, 'index.html');
  } finally {
    await server.close();
  }
});

/** Runs Vite's dev server for `dir` on a free port; resolves to { origin, output, stop }. */
async function viteDev(dir) {
  const port = await freePort();
  // No colours (CI=true turns them on), and any that come anyway are stripped before matching.
  const dev = spawn(path.join(dir, 'node_modules', '.bin', 'vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  const state = { output: '' };
  const stop = () => { dev.removeAllListeners('exit'); dev.kill(); };
  // A dev server that did not start is stopped too: a live child would keep this test file running.
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite dev did not start: ${state.output}`)), 30_000);
    const seen = (d) => {
      state.output += String(d).replace(/\x1b\[[0-9;]*m/g, '');
      if (state.output.includes(`127.0.0.1:${port}`)) { clearTimeout(timer); resolve(); }
    };
    dev.stdout.on('data', seen);
    dev.stderr.on('data', seen);
    dev.on('exit', (code) => reject(new Error(`vite dev exited ${code}: ${state.output}`)));
  }).catch((e) => { stop(); throw e; });
  return { origin: `http://127.0.0.1:${port}`, state, stop };
}

for (const [version, dir, how] of [[VITE, app, 'without configuration'], [VITE6, app6, "with optimizeDeps.exclude: ['smart-wasm']"]]) {
  test(`vite dev (Vite ${version}): both entries run the journey ${how}`, async () => {
    const dev = await viteDev(dir);
    try {
      await bothEntries(dev.origin, 'index.html');
      assert.doesNotMatch(dev.state.output, /error/i, dev.state.output);
    } finally {
      dev.stop();
    }
  });
}

test('no bundler: a <script type="module"> page with an import map runs the journey with both entries', async () => {
  const server = await serveStatic(app);
  try {
    await bothEntries(server.origin, 'plain.html');
  } finally {
    await server.close();
  }
});

test("the consumer pages carry the README's preload lines as printed", () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf('**Preload it from your HTML.**'));
  const lines = block.slice(block.indexOf('```html\n') + 8, block.indexOf('```', block.indexOf('```html\n') + 8)).split('\n').filter((l) => l.startsWith('<link'));
  assert.equal(lines.length, 3);
  const vite = readFileSync(path.join(root, 'tests', 'consumer', 'index.html'), 'utf8');
  const plain = readFileSync(path.join(root, 'tests', 'consumer', 'plain.html'), 'utf8');
  assert.ok(vite.includes(lines[0]), 'Vite page');
  assert.ok(plain.includes(lines[1]) && plain.includes(lines[2]), 'no-bundler page');
});

test('the tarball holds the licenses, README, types and both entries, and declares them', () => {
  const pkg = JSON.parse(readFileSync(path.join(app, 'node_modules', 'smart-wasm', 'package.json'), 'utf8'));
  const files = readdirSync(path.join(app, 'node_modules', 'smart-wasm'));
  for (const f of ['LICENSE-MIT', 'LICENSE-APACHE', 'README.md', 'index.d.ts', 'identity.d.ts', 'index.js', 'identity.js', 'smart_wasm_bg.wasm']) {
    assert.ok(files.includes(f), f);
  }
  assert.deepEqual(Object.keys(pkg.exports).slice(0, 2), ['.', './identity']);
  assert.equal(pkg.exports['./identity'].types, './identity.d.ts');
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.license, 'MIT OR Apache-2.0');
  assert.ok(pkg.repository?.url);
});
