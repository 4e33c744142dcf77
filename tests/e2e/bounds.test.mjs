// Nothing unbounded, nothing thrown through the module, nothing sent that the app did not mean:
// paging has an overall limit, an onPage callback that breaks the page it is handed settles as an
// error, a huge URL or body never enters wasm memory, and writes always address a resource.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, sandbox, signInToRecords, eventsOf, FHIR, DEMO } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

const WEIGHT = 'Observation?patient=amy&code=http://loinc.org|29463-7&_count=1';
/** Settles `p` in the page, or reports that it did not within `ms`. */
const SETTLE = 'const settle = (p, ms = 60000) => Promise.race([p.then((v) => ({ v }), (e) => ({ code: e.code, message: e.message })), new Promise((r) => setTimeout(() => r({ code: "never settled" }), ms))]);';

test('paging has an overall bound: pageLimit 0 stops at 1,000 pages of an endless search, a larger pageLimit is honoured, pagingTimeout bounds the time', async () => {
  await signInToRecords(page);
  await sandbox.settings({ endlessPaging: true }); // every page has a next link, each one new
  const r = await page.evaluate(async ([url, settleSrc]) => {
    const settle = new Function(`${settleSrc} return settle;`)();
    let every = 0, explicit = 0, slow = 0;
    const all = await settle(smartClient.request(url, { pageLimit: 0, onPage: () => { every++; } }));
    const more = await settle(smartClient.request(url, { pageLimit: 1005, onPage: () => { explicit++; } }));
    const t = performance.now();
    const timed = await settle(smartClient.request(url, { pageLimit: 0, pagingTimeout: 300, onPage: () => new Promise((res) => { slow++; setTimeout(res, 50); }) }));
    return { all, every, more, explicit, timed, slow, took: performance.now() - t };
  }, [WEIGHT, SETTLE]);
  assert.equal(r.all.code, 'paging_limit');
  assert.match(r.all.message, /after 1000 pages/);
  assert.equal(r.every, 1000, 'each of the 1,000 pages was delivered first');
  assert.deepEqual([r.more, r.explicit], [{ v: null }, 1005], 'an explicit pageLimit is the app\'s bound');
  assert.equal(r.timed.code, 'paging_limit');
  assert.match(r.timed.message, /after 300 milliseconds/);
  assert.ok(r.slow < 20 && r.took < 5000, `${r.slow} pages in ${r.took} ms`);
});

test('an onPage that makes the page\'s link throw, 2,000 times, rejects each call, and the module keeps working', async () => {
  await signInToRecords(page);
  const r = await page.evaluate(async (url) => {
    const memory = (await window.SMART.loadModule()).memory;
    const before = memory.buffer.byteLength;
    const codes = {};
    const count = (c) => { codes[c] = (codes[c] ?? 0) + 1; };
    const breakLink = (b) => { Object.defineProperty(b, 'link', { get() { throw new Error('trap'); } }); };
    for (let i = 0; i < 2000; i++) await smartClient.request(url, { pageLimit: 2, onPage: breakLink }).then(() => count('settled without error'), (e) => count(e.code));
    // A callback whose result is a thenable with a throwing `then`, and one that throws.
    const thenable = await smartClient.request(url, { onPage: () => ({ get then() { throw new Error('trap'); } }) }).then(() => 'ok', (e) => e.message);
    const throws = await smartClient.request(url, { onPage: () => { throw new Error('from onPage'); } }).then(() => 'ok', (e) => e.message);
    return { codes, thenable, throws, after: (await smartClient.request('Patient/amy')).id, grew: memory.buffer.byteLength - before };
  }, WEIGHT);
  assert.deepEqual(r.codes, { invalid_option: 2000 });
  assert.equal(r.thenable, 'trap');
  assert.equal(r.throws, 'from onPage');
  assert.equal(r.after, 'amy');
  assert.ok(r.grew <= 64 * 1024, `wasm memory grew by ${r.grew} bytes`);
});

test('a 10 MB request URL is refused before it enters wasm memory, and a 10 MB body never enters it', async () => {
  await signInToRecords(page);
  const before = (await eventsOf('fhir')).length;
  const r = await page.evaluate(async () => {
    const memory = (await window.SMART.loadModule()).memory;
    const start = memory.buffer.byteLength;
    const huge = `Patient?name=${'x'.repeat(10_000_000)}`;
    const url = await smartClient.request(huge).then(() => 'sent', (e) => [e.code, e.message]);
    const asObject = await smartClient.request({ url: huge }).then(() => 'sent', (e) => e.code);
    const body = await smartClient.request('Basic', { method: 'POST', body: JSON.stringify({ resourceType: 'Basic', pad: 'x'.repeat(10_000_000) }) })
      .then(() => 'sent', (e) => `sent: ${e.code}`);
    return { url, asObject, body, grew: memory.buffer.byteLength - start };
  });
  assert.deepEqual(r.url, ['invalid_option', 'option `url` is longer than 65536 characters']);
  assert.equal(r.asObject, 'invalid_option');
  assert.match(r.body, /^sent/, 'the large body was sent (what the server makes of it is its own)');
  assert.ok(r.grew < 1024 * 1024, `wasm memory grew by ${(r.grew / 1048576).toFixed(1)} MB`);
  const sent = (await eventsOf('fhir')).slice(before);
  assert.deepEqual(sent.map((e) => e.method), ['POST'], 'only the body was sent');
});

test('writes address a resource, never the base; ifMatch null sends no If-Match; a bad ifMatch or a BigInt in a patch is named', async () => {
  await signInToRecords(page);
  const headers = [];
  await page.route(`${FHIR}/Observation/*`, async (route) => {
    if (route.request().method() === 'PUT') headers.push(route.request().headers()['if-match'] ?? null);
    await route.continue();
  });
  const before = (await eventsOf('fhir')).length;
  const r = await page.evaluate(async ([fhir, url]) => {
    const c = smartClient;
    const [obs] = await c.request(url, { flat: true });
    const fail = (e) => [e.code, e.message];
    return {
      dotdot: await c.update({ resourceType: 'Patient', id: '..' }).catch(fail),
      dot: await c.update({ resourceType: 'Patient', id: '.' }).catch(fail),
      deleteEmpty: await c.delete('').catch(fail),
      deleteBase: await c.delete(fhir).catch(fail),
      rawPut: await c.request('', { method: 'PUT', body: '{}' }).catch(fail),
      nullEtag: await c.update(obs, { ifMatch: null }).then((o) => o.id === obs.id, fail),
      crlf: await c.update(obs, { ifMatch: 'W/"1"\r\nX-Injected: 1' }).catch(fail),
      bigint: await c.patch('Patient/amy', [{ op: 'replace', path: '/active', value: 1n }]).catch(fail),
      badHeader: await c.update(obs, { headers: { 'X-Bad': 'a\nb' } }).catch(fail),
    };
  }, [FHIR, WEIGHT]);
  for (const k of ['dotdot', 'dot', 'deleteEmpty', 'deleteBase', 'rawPut', 'crlf', 'bigint', 'badHeader']) assert.equal(r[k][0], 'invalid_option', k);
  assert.match(r.dotdot[1], /resource/);
  assert.match(r.deleteEmpty[1], /not the FHIR base/);
  assert.match(r.crlf[1], /ifMatch/);
  assert.match(r.bigint[1], /jsonPatch.*JSON/);
  assert.match(r.badHeader[1], /headers/);
  assert.equal(r.nullEtag, true);
  assert.deepEqual(headers, [null], 'the update was sent without If-Match');
  const sent = (await eventsOf('fhir')).slice(before);
  assert.deepEqual(sent.map((e) => e.method), ['GET', 'PUT'], 'nothing else was sent');
});

// Hand-written fakes (page.route) of a server without a smart-configuration whose CapabilityStatement
// is hostile: faults the sandbox's FHIR server cannot be made to produce. The fallback reads only
// the statement's first five levels (rest, security, extension, extension, url/valueUri): nesting
// below them, however deep, is never walked; a statement over 8 MiB, one that never answers, or one
// that is not JSON ends in the smart-configuration's own error, and the module keeps working.
test('a SMART 1.0 server\'s CapabilityStatement nested 100,000 levels deep, 9 MiB large, never answering, or not JSON: the launch settles, and the module keeps working', async () => {
  const base = 'http://127.0.0.1:9/hostile-v1/fhir';
  const oauth = (inner) => JSON.stringify({ resourceType: 'CapabilityStatement', rest: [{ mode: 'server', security: { extension: [{
    url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
    extension: [{ url: 'authorize', valueUri: 'http://127.0.0.1:9/hostile-v1/authorize', extension: inner }, { url: 'token', valueUri: 'http://127.0.0.1:9/hostile-v1/token' }],
  }] } }] });
  const depth = 100_000;
  const deep = oauth([]).replace('"extension":[]', `"extension":${'[{"extension":'.repeat(depth)}[]${'}]'.repeat(depth)}`);
  const fhirJson = { 'access-control-allow-origin': '*', 'content-type': 'application/fhir+json' };
  const answers = {
    deep: (route) => route.fulfill({ status: 200, headers: fhirJson, body: deep }),
    huge: (route) => route.fulfill({ status: 200, headers: fhirJson,
      body: oauth([]).replace('"mode":"server"', `"mode":"server","text":"${'x'.repeat(9 * 1024 * 1024)}"`) }),
    silent: () => {},
    html: (route) => route.fulfill({ status: 200, headers: { 'access-control-allow-origin': '*', 'content-type': 'text/html' }, body: '<html>metadata</html>' }),
  };
  const DEMO_PAGE = `${DEMO}/index.html`;
  await page.route(`${DEMO}/app.js`, (route) => route.abort());
  const reached = [];
  await page.route('http://127.0.0.1:9/hostile-v1/authorize**', (route) => { reached.push(route.request().url()); route.fulfill({ status: 200, body: 'sign in' }); });
  await page.route(`${base}/.well-known/smart-configuration`, (route) => route.fulfill({ status: 404, headers: { 'access-control-allow-origin': '*' }, body: '' }));
  const outcomes = {};
  for (const [name, answer] of Object.entries(answers)) {
    await page.unroute(`${base}/metadata`);
    await page.route(`${base}/metadata`, answer);
    await page.goto(DEMO_PAGE);
    const settled = await page.evaluate(async ([iss, settleSrc]) => {
      const settle = new Function(`${settleSrc} return settle;`)();
      const S = await import('smart-wasm');
      return settle(S.authorize({ iss, clientId: 'hostile', scope: 'launch/patient', redirectUri: location.href, timeout: 1500 }), 20000);
    }, [base, SETTLE]).catch((e) => (/Execution context was destroyed|navigat/.test(e.message) ? { navigated: true } : Promise.reject(e)));
    // authorize() resolves as it navigates (or the navigation destroys the page first).
    if (settled.navigated || 'v' in settled) await page.waitForURL(/hostile-v1\/authorize/);
    outcomes[name] = settled.navigated || 'v' in settled ? 'reached authorize' : settled.code;
  }
  // The deep one names both endpoints at the levels read: the launch goes on, the nesting unread.
  assert.deepEqual(outcomes, { deep: 'reached authorize', huge: 'http_error', silent: 'http_error', html: 'http_error' });
  assert.equal(reached.length, 1);
  // And the module still works: a launch against the sandbox reaches its authorization server.
  await page.goto(DEMO_PAGE);
  const ok = await page.evaluate((o) => import('smart-wasm').then((S) => S.authorize(o)).then(() => null, (e) => e.code), {
    iss: FHIR, clientId: 'demo-public', scope: 'launch/patient', redirectUri: DEMO_PAGE }).catch((e) => (/Execution context was destroyed|navigat/.test(e.message) ? null : Promise.reject(e)));
  assert.equal(ok, null);
  await page.waitForURL((u) => u.pathname.endsWith('/auth') || u.pathname.includes('/interaction/'));
});
