// What the app passes in may throw (getters, Proxy traps) or not be JSON (BigInt, cycles): every
// such call settles with a typed error, thousands of them leave the module working, and nothing
// half-read is sent. A Headers object is accepted as `headers`.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, eventsOf, FHIR } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

test('5,000 throwing getters and proxies become typed errors, and the module keeps working', async () => {
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const before = (await eventsOf('fhir')).length;
  const result = await page.evaluate(async (fhir) => {
    const SMART = await import('smart-wasm');
    const exports = await SMART.loadModule();
    const memoryBefore = exports.memory.buffer.byteLength;
    const client = window.smartClient;
    const trap = () => { throw new Error('boom'); };
    const hostile = [
      () => client.request('Patient/amy', { headers: { get 'X-Test'() { trap(); } } }),
      () => client.request('Patient/amy', { headers: new Proxy({}, { ownKeys: trap }) }),
      () => client.request(new Proxy({}, { get: trap })),
      () => client.request('Patient/amy', { get method() { trap(); } }),
      () => SMART.authorize(new Proxy({}, { ownKeys: trap })),
      () => SMART.authorize({ iss: fhir, clientId: 'demo-public', get scope() { trap(); } }),
    ];
    const codes = {};
    for (let i = 0; i < 5000; i++) {
      const code = await hostile[i % hostile.length]().then(() => 'settled without error', (e) => e.code);
      codes[code] = (codes[code] ?? 0) + 1;
    }
    // A throwing call and a normal one queued in the same tick both settle.
    const [bad, good] = await Promise.allSettled([
      client.request('Patient/amy', { headers: { get X() { trap(); } } }),
      client.request('Patient/amy'),
    ]);
    const after = await client.request('Patient/amy');
    return { codes, bad: bad.reason?.code, good: good.value?.id, after: after.id, grew: exports.memory.buffer.byteLength - memoryBefore };
  }, FHIR);
  assert.deepEqual(result.codes, { invalid_option: 5000 });
  assert.equal(result.bad, 'invalid_option');
  assert.equal(result.good, 'amy');
  assert.equal(result.after, 'amy', 'a normal request succeeds after 5,000 throws');
  assert.ok(result.grew <= 64 * 1024, `wasm memory grew by ${result.grew} bytes`);
  assert.equal((await eventsOf('fhir')).length - before, 2, 'only the two normal reads were sent');
});

test('a Headers object is sent; a body JSON cannot write is refused before sending', async () => {
  await signIn(page);
  const before = (await eventsOf('fhir')).length;
  const result = await page.evaluate(async () => {
    const client = window.smartClient;
    const read = await client.request('Patient/amy', { headers: new Headers({ Prefer: 'handling=strict' }) });
    const cycle = {}; cycle.self = cycle;
    const bigint = await client.request('Patient', { method: 'POST', body: { n: 1n } }).then(() => 'sent', (e) => [e.code, e.message]);
    const cyclic = await client.request('Patient', { method: 'POST', body: cycle }).then(() => 'sent', (e) => e.code);
    const numbers = await client.request('Patient/amy', { headers: { 'X-Count': 5 } }).then(() => 'sent', (e) => e.code);
    return { read: read.id, bigint, cyclic, numbers };
  });
  assert.equal(result.read, 'amy');
  assert.equal(result.bigint[0], 'invalid_option');
  assert.match(result.bigint[1], /body/);
  assert.equal(result.cyclic, 'invalid_option');
  assert.equal(result.numbers, 'invalid_option', 'header values must be strings');
  const sent = (await eventsOf('fhir')).slice(before);
  assert.equal(sent.length, 1, 'no empty POST was sent');
  assert.equal(sent[0].prefer, 'handling=strict');
});
