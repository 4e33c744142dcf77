// App teams' toolchains, each app made the way its tool's docs set one up (tests/consumers/), with
// the packed library installed from its tarball and nothing but the configuration the README
// prints: webpack 5, Rollup 4, esbuild, Parcel 2, Vite 7 with React (dev and build, StrictMode),
// Next.js 16 (dev, build with Turbopack and with webpack), Angular CLI 21 (serve and build). Each
// runs launch → sign-in → client.patient.read() against the packed sandbox (headless). Then the
// README's "Testing your app" examples as printed: the Playwright end-to-end test and the Vitest
// browser-mode recipe; and every README code block type-checked against the installed packages.
// The toolchains are installed once, together, in target/consumers/ (tests/consumers/package.json),
// and each app is a folder under it: the layout of an npm-workspaces monorepo whose packages are
// hoisted to its root (the package.json says `"workspaces": []`, which is how Vite's and Vitest's
// dev servers recognise a workspace root and serve its node_modules).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, freePort, serveStatic } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONSUMERS = path.join(root, 'target', 'consumers');
const BIN = path.join(CONSUMERS, 'node_modules', '.bin');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Without NODE_TEST_CONTEXT: a `node --test` started from here must report as a top-level run does.
const { NODE_TEST_CONTEXT, ...INHERITED } = process.env;
const ENV = { ...INHERITED, NO_COLOR: '1', FORCE_COLOR: '0', NEXT_TELEMETRY_DISABLED: '1', NG_CLI_ANALYTICS: 'false', CI: '1' };
const timings = {};

/** Runs a command in `cwd` to its end; its output (both streams) when it succeeds. */
function run(cwd, command, args, env = {}) {
  const r = spawnSync(path.join(BIN, command), args, { cwd, encoding: 'utf8', env: { ...ENV, ...env }, timeout: 300_000 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed:\n${output.slice(-4000)}`);
  return output;
}

/** Starts a long-running command (a dev server); resolves once `url` answers. */
async function start(cwd, command, args, url, env = {}) {
  const child = spawn(path.join(BIN, command), args, { cwd, env: { ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const stop = () => new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', r); child.kill(); });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}:\n${output.slice(-3000)}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return { stop, output: () => output };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${command} did not answer at ${url}:\n${output.slice(-3000)}`);
}

/** A copy of tests/consumers/<name> in the shared install (its packages resolve from there). */
function app(name, { linkModules = false } = {}) {
  const dir = path.join(CONSUMERS, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(path.join(root, 'tests', 'consumers', name), dir, { recursive: true });
  // Vite resolves the README's `/node_modules/…` preload line from its own root.
  if (linkModules) symlinkSync('../node_modules', path.join(dir, 'node_modules'));
  return dir;
}

/** The README block whose first line names `file`, as printed. */
function readmeFile(file) {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/^```\w+\n([\s\S]*?)^```$/gm)].map((m) => m[1]).find((c) => c.startsWith(`// ${file}`));
  assert.ok(block, `README has a block for ${file}`);
  return block;
}

/** Asserts the app's file `file` carries `snippet` and the README prints it as is (the install table). */
function printed(dir, file, snippet) {
  assert.ok(readFileSync(path.join(dir, file), 'utf8').includes(snippet), `${file} has ${snippet}`);
  assert.ok(readFileSync(path.join(root, 'README.md'), 'utf8').includes(`\`${snippet}\``), `the README prints ${snippet}`);
}

let sandbox;
let browser;
const origins = {};
const NAMES = ['webpack', 'rollup', 'rollup-default', 'esbuild', 'parcel', 'vite-dev', 'vite-build', 'next-dev', 'next-build', 'next-webpack', 'angular-serve', 'angular-build'];

before(async () => {
  const t = Date.now();
  mkdirSync(CONSUMERS, { recursive: true });
  cpSync(path.join(root, 'tests', 'consumers', 'package.json'), path.join(CONSUMERS, 'package.json'));
  cpSync(path.join(root, 'tests', 'consumers', 'shared'), path.join(CONSUMERS, 'shared'), { recursive: true });
  // The tarballs this build packed, not the ones an earlier run installed (same name and version).
  for (const pkg of ['smart-wasm', 'smart-wasm-sandbox']) rmSync(path.join(CONSUMERS, 'node_modules', pkg), { recursive: true, force: true });
  rmSync(path.join(CONSUMERS, 'package-lock.json'), { force: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: CONSUMERS, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
  timings.install = Date.now() - t;
  for (const name of NAMES) origins[name] = `http://127.0.0.1:${await freePort()}`;
  // The packed sandbox, headless: each journey signs in as amy without a page.
  const { startSandbox } = await import(path.join(CONSUMERS, 'node_modules', 'smart-wasm-sandbox', 'index.mjs'));
  sandbox = await startSandbox({
    clients: [{ clientId: 'toolchain-app', redirectUris: Object.values(origins).flatMap((o) => [`${o}/`, `${o}/index.html`]) }],
    headless: 'amy',
  });
  browser = await launchBrowser();
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  await sandbox?.stop();
  console.log(`toolchain timings (ms): ${JSON.stringify(timings)}`);
});

/** Launch → headless sign-in → the patient read, in the app at `url`; what the page shows. */
async function journey(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${url}?fhir=${encodeURIComponent(sandbox.fhirBase)}`);
    // p[role=alert]: the README component's error (Next.js has a role=alert route announcer of its
    // own). Read in a loop: a dev server may reload the page once it has compiled a route.
    const deadline = Date.now() + 60_000;
    let found;
    while (!found && Date.now() < deadline) {
      found = await page.evaluate(() => {
        const e = document.querySelector('[data-patient], [data-error], p[role=alert]');
        return e && [e.getAttribute('data-patient'), e.textContent, e.outerHTML];
      }).catch(() => null);
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(found, `the app showed neither a patient nor an error within 60 s; page errors: ${errors}`);
    const [patient, text, html] = found;
    return { patient, text, html, errors };
  } finally {
    await context.close();
  }
}

/** Serves the built app in `dist` on the origin kept for `name`; the journey there. */
async function journeyIn(dist, name, page = 'index.html') {
  const server = await serveStatic(dist, new URL(origins[name]).port);
  try { return await journey(`${server.origin}/${page}`); } finally { await server.close(); }
}

/** Runs `command` (a dev or production server; its arguments for a port) on `name`'s origin; the journey there. */
async function journeyServed(dir, command, args, name) {
  const { origin, port } = new URL(origins[name]);
  const server = await start(dir, command, args(port), `${origin}/`);
  try { return await journey(`${origin}/`); } finally { await server.stop(); }
}

/** The journey ended with the patient shown. */
function sawAmy(r) {
  assert.equal(r.patient, 'amy', `${r.html} ${r.errors}`);
}

async function timed(name, f) {
  const t = Date.now();
  try { return await f(); } finally { timings[name] = Date.now() - t; }
}

test('webpack 5: no config needed; the README\'s performance line silences the asset-size warning', () => timed('webpack', async () => {
  const dir = app('webpack');
  printed(dir, 'webpack.config.js', "performance: { assetFilter: (file) => !file.endsWith('.wasm') }");
  const log = run(dir, 'webpack', []);
  assert.doesNotMatch(log, /WARNING/i, log);
  assert.ok(readdirSync(path.join(dir, 'dist')).some((f) => f.endsWith('.wasm')), 'the .wasm is emitted');
  sawAmy(await journeyIn(path.join(dir, 'dist'), 'webpack'));
}));

test('Rollup 4 with node-resolve: the inline entry; the default entry fails naming the missing file and the way out', () => timed('rollup', async () => {
  const dir = app('rollup');
  printed(dir, 'src/main.js', "import SMART from 'smart-wasm/inline'");
  run(dir, 'rollup', ['-c']);
  cpSync(path.join(dir, 'index.html'), path.join(dir, 'dist', 'index.html'));
  sawAmy(await journeyIn(path.join(dir, 'dist'), 'rollup'));
  // The same app with the default entry: Rollup does not emit its .wasm.
  writeFileSync(path.join(dir, 'src', 'main.js'), readFileSync(path.join(dir, 'src', 'main.js'), 'utf8').replace("'smart-wasm/inline'", "'smart-wasm'"));
  run(dir, 'rollup', ['-c']);
  assert.ok(!readdirSync(path.join(dir, 'dist')).some((f) => f.endsWith('.wasm')), 'no .wasm emitted');
  cpSync(path.join(dir, 'index.html'), path.join(dir, 'dist', 'index.html'));
  const r = await journeyIn(path.join(dir, 'dist'), 'rollup-default');
  assert.equal(r.patient, null);
  assert.match(r.text, /^module_load_failed: .*HTTP 404 .*instead of smart_wasm_bg\.wasm.*smart-wasm\/inline/, r.text);
}));

test('esbuild: the inline entry, no configuration', () => timed('esbuild', async () => {
  const dir = app('esbuild');
  printed(dir, 'src/main.js', "import SMART from 'smart-wasm/inline'");
  run(dir, 'esbuild', ['src/main.js', '--bundle', '--format=esm', '--outdir=dist']);
  cpSync(path.join(dir, 'index.html'), path.join(dir, 'dist', 'index.html'));
  sawAmy(await journeyIn(path.join(dir, 'dist'), 'esbuild'));
}));

test('Parcel 2: no configuration', () => timed('parcel', async () => {
  const dir = app('parcel');
  run(dir, 'parcel', ['build', '--no-cache', '--dist-dir', 'dist']);
  assert.ok(readdirSync(path.join(dir, 'dist')).some((f) => f.endsWith('.wasm')), 'the .wasm is emitted');
  sawAmy(await journeyIn(path.join(dir, 'dist'), 'parcel'));
}));

test('Vite 7 with React (StrictMode) and TypeScript: dev and build, the README component as printed', () => timed('vite-react', async () => {
  const dir = app('vite-react', { linkModules: true });
  printed(dir, 'vite.config.ts', "optimizeDeps: { exclude: ['smart-wasm'] }");
  writeFileSync(path.join(dir, 'src', 'PatientBanner.tsx'), readmeFile('PatientBanner.tsx'));
  run(dir, 'tsc', ['-p', '.']);
  sawAmy(await journeyServed(dir, 'vite', (port) => ['--port', port, '--strictPort', '--host', '127.0.0.1'], 'vite-dev'));
  run(dir, 'vite', ['build']);
  sawAmy(await journeyIn(path.join(dir, 'dist'), 'vite-build', ''));
}));

test("Next.js 16 (app router, 'use client'): dev, and builds with Turbopack and with webpack, the README component as printed", () => timed('next', async () => {
  const dir = app('next');
  writeFileSync(path.join(dir, 'app', 'PatientBanner.tsx'), readmeFile('PatientBanner.tsx'));
  sawAmy(await journeyServed(dir, 'next', (port) => ['dev', '-p', port, '-H', '127.0.0.1'], 'next-dev'));
  for (const [name, args] of [['next-build', []], ['next-webpack', ['--webpack']]]) {
    run(dir, 'next', ['build', ...args]);
    sawAmy(await journeyServed(dir, 'next', (port) => ['start', '-p', port, '-H', '127.0.0.1'], name));
  }
}));

test('Angular CLI 21: ng serve and ng build, with the inline entry', () => timed('angular', async () => {
  const dir = app('angular');
  printed(dir, 'src/app/app.ts', "import SMART from 'smart-wasm/inline'");
  run(dir, 'ng', ['build']);
  sawAmy(await journeyIn(path.join(dir, 'dist', 'browser'), 'angular-build', ''));
  sawAmy(await journeyServed(dir, 'ng', (port) => ['serve', '--port', port, '--host', '127.0.0.1'], 'angular-serve'));
}));

test("README, Testing your app: the Playwright end-to-end test as printed, against an app's build", () => timed('testing-your-app', async () => {
  const dir = app('testing-your-app', { linkModules: true });
  const fhirPort = await freePort();
  run(dir, 'vite', ['build'], { VITE_FHIR_BASE: `http://127.0.0.1:${fhirPort}/4_0_0` });
  const server = await serveStatic(path.join(dir, 'dist'), await freePort());
  mkdirSync(path.join(dir, 'e2e'));
  writeFileSync(path.join(dir, 'e2e', 'launch.test.mjs'), readmeFile('e2e/launch.test.mjs'));
  try {
    // Not spawnSync: this process serves the app while the test runs.
    const child = spawn(process.execPath, ['--test', 'e2e/'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...ENV, APP_URL: `${server.origin}/`, FHIR_PORT: String(fhirPort), CHROMIUM_PATH: CHROMIUM } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill(), 120_000);
    const status = await new Promise((r) => child.once('exit', r));
    clearTimeout(timer);
    assert.equal(status, 0, output);
    assert.match(output, /# pass 1/);
  } finally { await server.close(); }
}));

test('README, Testing your app: the Vitest browser-mode recipe as printed, on the machine\'s Chromium', () => timed('vitest', async () => {
  const dir = path.join(CONSUMERS, 'vitest-app');
  rmSync(dir, { recursive: true, force: true });
  for (const file of ['vitest.config.ts', 'test/sandbox.setup.ts', 'test/patient.test.ts']) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), readmeFile(file));
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'vitest-app', private: true, type: 'module' }));
  const out = run(dir, 'vitest', ['run'], { CHROMIUM_PATH: CHROMIUM });
  assert.match(out, /1 passed/, out);
}));

test('README: every code block type-checks under tsc --strict against the installed packages', () => timed('readme-types', async () => {
  const r = spawnSync(process.execPath, [path.join(root, 'tests', 'types', 'readme.mjs'), '--in', CONSUMERS], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.ok(existsSync(path.join(CONSUMERS, 'readme-types', 'tsconfig.json')));
}));
