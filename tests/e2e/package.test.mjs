// The package as an app loads it: a module that cannot be loaded (answered with an HTML page, or
// 403) is a SmartError `module_load_failed`, and a later call loads it; both entries' wasm files
// are found by the names their glue uses.
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, DEMO } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

for (const [entry, wasm] of [['/node_modules/smart-wasm/index.js', 'smart_wasm_bg.wasm'], ['/node_modules/smart-wasm/identity.js', 'identity/smart_wasm_identity_bg.wasm']]) {
  test(`${entry}: a module that cannot be loaded is module_load_failed; the next call loads it`, async () => {
    await page.goto(`${DEMO}/_sandbox/config`); // a page of the demo origin that runs nothing
    const url = `${DEMO}/node_modules/smart-wasm/${wasm}`;
    await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>not here</p>' }));
    const failed = await page.evaluate(async (entry) => {
      const SMART = await import(entry);
      return SMART.default.loadModule().then(() => 'loaded', (e) => ({ name: e.name, code: e.code, message: e.message, cause: Boolean(e.cause) }));
    }, entry);
    assert.equal(failed.name, 'SmartError');
    assert.equal(failed.code, 'module_load_failed');
    assert.match(failed.message, new RegExp(wasm.replace('.', '\\.')));
    assert.ok(failed.cause);
    const forbidden = await page.evaluate(async (entry) => (await import(entry)).ready().then(() => 'ready', (e) => e.code), entry);
    assert.equal(forbidden, 'module_load_failed', 'every call reports it');
    await page.unroute(url);
    const requested = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    const loaded = await page.evaluate(async (entry) => (await import(entry)).default.loadModule().then(() => 'loaded', (e) => e.code), entry);
    assert.equal(loaded, 'loaded');
    assert.ok(requested.includes(`/node_modules/smart-wasm/${wasm}`), `the glue's own file name: ${requested}`);
  });
}

test('the sandbox names a port another program holds, instead of a raw EADDRINUSE stack', async () => {
  const net = await import('node:net');
  const { spawn } = await import('node:child_process');
  const holder = net.createServer();
  await new Promise((r) => holder.listen(0, '127.0.0.1', r));
  const busy = holder.address().port;
  try {
    const child = spawn(process.execPath, [new URL('../sandbox/server.mjs', import.meta.url).pathname], {
      env: { ...process.env, SANDBOX_AS_PORT: '0', SANDBOX_FHIR_PORT: String(busy), SANDBOX_DEMO_PORT: '0', SANDBOX_STOCK_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 1);
    assert.match(err, new RegExp(`port ${busy} on 127\\.0\\.0\\.1 is already in use by another program \\(set SANDBOX_FHIR_PORT`));
    assert.doesNotMatch(err, /at Server\.listen|EADDRINUSE:/);
  } finally {
    holder.close();
  }
});
