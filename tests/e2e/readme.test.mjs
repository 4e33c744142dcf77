// The README's usage block "With the client" runs exactly as printed: it is read from README.md and
// run in the demo page of a launch against the sandbox, with `client` and `SMART` bound.
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useBrowser, signIn, eventsOf, RECORD_SCOPE } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

function readmeBlock(after) {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const at = readme.indexOf(after);
  assert.ok(at >= 0, `README has "${after}"`);
  const open = readme.indexOf('```js\n', at) + '```js\n'.length;
  return readme.slice(open, readme.indexOf('```\n', open));
}

test('the README\'s client usage block runs as printed: identity, paging, writes, several servers', async () => {
  const code = readmeBlock('With the client (this block runs as printed');
  assert.match(code, /client\.create\(/);
  assert.equal((await signIn(page, { scope: RECORD_SCOPE })).error, null);
  await page.waitForSelector('#records[data-loaded=true]', { timeout: 20_000 });
  const before = (await eventsOf('fhir')).length;
  const r = await page.evaluate(async (code) => {
    const AsyncFunction = (async () => {}).constructor;
    const run = new AsyncFunction('client', 'SMART', `${code}\nreturn { patient, byMrn, claims, who, me, weights, obs, all, same };`);
    const v = await run(window.smartClient, window.SMART.default);
    return { patient: v.patient.id, byMrn: v.byMrn.resourceType, sub: v.claims.sub, who: v.who, me: v.me.id, weights: v.weights.length,
      obs: v.obs.id, all: v.all.length, same: v.same.getState().serverUrl === window.smartClient.getState().serverUrl };
  }, code);
  assert.deepEqual({ ...r, obs: Boolean(r.obs) }, { patient: 'amy', byMrn: 'Bundle', sub: 'amy', who: 'Patient/amy', me: 'amy', weights: 52, obs: true, all: 1, same: true });
  const sent = (await eventsOf('fhir')).slice(before);
  assert.deepEqual(sent.filter((e) => e.method !== 'GET').map((e) => [e.method, e.status]),
    [['POST', 201], ['PUT', 200], ['PATCH', 200], ['DELETE', 204]]);
  assert.equal(sent.filter((e) => e.path.startsWith('/4_0_0/Observation?')).length, 2, 'the 52 weights came in two pages of 50 and 2');
});
