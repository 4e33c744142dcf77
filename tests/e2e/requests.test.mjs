// FHIR requests as apps write them: search values left unencoded (token searches `system|code`,
// names with `'` or non-ASCII letters, `:` modifiers, chained parameters, prefixes) reach the FHIR
// server with the same decoded values, in exactly the form the library approved (no trailing `&`
// from gloo-net's builder); paths that hide a `..` step are refused before any request.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, eventsOf } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

const SEARCHES = [
  ['Patient?identifier=http://hospital.example/mrn|12345', [['identifier', 'http://hospital.example/mrn|12345']]],
  ["Patient?name=O'Brien", [['name', "O'Brien"]]],
  ['Patient?name=Müller&_count=5', [['name', 'Müller'], ['_count', '5']]],
  ['Patient?family=Mary Ann', [['family', 'Mary Ann']]],
  ['Patient?_include=Observation:patient&birthdate=ge2020-01-01', [['_include', 'Observation:patient'], ['birthdate', 'ge2020-01-01']]],
  ['Patient?general-practitioner:Practitioner.name=x', [['general-practitioner:Practitioner.name', 'x']]],
  ['Patient?_tag=[a]&identifier=sys%7C1', [['_tag', '[a]'], ['identifier', 'sys|1']]],
];

test('search values reach the FHIR server decoded as the app wrote them, in the approved form', async () => {
  const shown = await signIn(page);
  assert.equal(shown.error, null, shown.message);
  const before = (await eventsOf('fhir')).length;
  for (const [input] of SEARCHES) {
    const outcome = await page.evaluate((i) => window.smartClient.request(i).then(() => 'ok', (e) => e.code), input);
    assert.notEqual(outcome, 'invalid_url', input);
    assert.notEqual(outcome, 'url_not_allowed', input);
  }
  const seen = (await eventsOf('fhir')).slice(before);
  assert.equal(seen.length, SEARCHES.length);
  SEARCHES.forEach(([input, pairs], i) => {
    const got = seen[i];
    assert.ok(got.path.startsWith('/4_0_0/Patient?'), `${input}: ${got.path}`);
    assert.deepEqual([...new URLSearchParams(got.query)], pairs, input);
    assert.equal(got.query, new URLSearchParams(pairs).toString(), `${input}: the server received exactly the approved query`);
    assert.ok(!got.query.endsWith('&'), input);
  });
});

test('a path that decodes to a `..` step is refused before any request', async () => {
  await signIn(page);
  const before = (await eventsOf('fhir')).length;
  for (const input of ['Patient/..%2f..%2fadmin', 'Patient/..%5c..%5cadmin', 'Patient/..%00/x', 'Patient/..;/..;/admin', 'Patient/%2e%2e/%2e%2e/x']) {
    const code = await page.evaluate((i) => window.smartClient.request(i).then(() => 'sent', (e) => e.code), input);
    assert.equal(code, 'url_not_allowed', input);
  }
  assert.equal((await eventsOf('fhir')).length, before, 'nothing was sent');
});
