// The FHIR requests apps make, end to end against the sandbox's FHIR server: Bundle paging
// (pageLimit, flat, onPage) across real next links, and a next link to another origin refused
// with the token kept home; search by patient, code (system|code) and date; writes read back
// (create, versioned update with If-Match, patch, delete) with OperationOutcome on errors;
// includeResponse; the CapabilityStatement fetched once; the Authorization header; encounter.read.
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, sandbox, signIn, signInToRecords, eventsOf, loginAndConsent, startSecondSandbox, RECORD_SCOPE, DEMO, FHIR } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

const WEIGHT = 'Observation?patient=amy&code=http://loinc.org|29463-7&_count=20';

const signedIn = (user) => signInToRecords(page, user);

test('paging: every page of a search through its next links (flat), a page limit, and onPage', async () => {
  await signedIn();
  const before = (await eventsOf('fhir')).length;
  const r = await page.evaluate(async (url) => {
    const flat = await smartClient.request(url, { pageLimit: 0, flat: true });
    const two = await smartClient.request(url, { pageLimit: 2 });
    const seen = [];
    const viaOnPage = await smartClient.request(url, { onPage: async (b) => { await new Promise((r) => setTimeout(r, 5)); seen.push(b.entry.length); } });
    const all = [];
    await smartClient.request(url, { pageLimit: 0, onPage: (b) => { all.push(b.entry.length); } });
    return { ids: flat.map((o) => o.id), dates: flat.map((o) => o.effectiveDateTime), two: two.map((b) => [b.resourceType, b.entry.length]),
      viaOnPage, seen, all };
  }, WEIGHT);
  assert.equal(r.ids.length, 52, 'a year of weekly weights');
  assert.equal(new Set(r.ids).size, 52);
  assert.deepEqual(r.dates, [...r.dates].sort());
  assert.deepEqual(r.two, [['Bundle', 20], ['Bundle', 20]]);
  assert.equal(r.viaOnPage, null, 'with onPage the pages are handed over, not collected');
  assert.deepEqual(r.seen, [20], 'pageLimit defaults to one page');
  assert.deepEqual(r.all, [20, 20, 12]);
  const sent = (await eventsOf('fhir')).slice(before);
  assert.equal(sent.length, 3 + 2 + 1 + 3);
  assert.deepEqual(sent.slice(0, 3).map((e) => new URLSearchParams(e.query).get('_offset')), [null, '20', '40'], 'the next links were followed');
  assert.ok(sent.every((e) => e.status === 200 && e.jti), 'each page with the token');
});

test('a next link to another origin is url_not_allowed, and the token is not sent there', async () => {
  await signedIn();
  await sandbox.settings({ nextLinkOrigin: DEMO });
  const elsewhere = [];
  page.on('request', (req) => { if (new URL(req.url()).origin === DEMO && req.url().includes('/4_0_0/')) elsewhere.push(req.url()); });
  const r = await page.evaluate(async (url) => {
    const pages = [];
    const e = await smartClient.request(url, { pageLimit: 0, onPage: (b) => pages.push(b.entry.length) }).then(() => null, (e) => ({ name: e.name, code: e.code }));
    return { e, pages };
  }, WEIGHT);
  assert.deepEqual(r.e, { name: 'SmartError', code: 'url_not_allowed' });
  assert.deepEqual(r.pages, [20], 'the first page was delivered before the bad link');
  assert.deepEqual(elsewhere, [], 'nothing was requested from the other origin');
});

test('search by code (system|code) and date: blood pressure with its components, from a date on', async () => {
  await signedIn('daniel');
  const r = await page.evaluate(async () => smartClient.request('Observation?patient=daniel&code=http://loinc.org|85354-9&date=ge2026-06-01', { pageLimit: 0, flat: true }));
  assert.ok(r.length > 20 && r.length < 30, `about half a year of weekly readings, got ${r.length}`);
  assert.ok(r.every((o) => o.effectiveDateTime >= '2026-06-01' && o.subject.reference === 'Patient/daniel'));
  assert.deepEqual(r[0].component.map((c) => c.code.coding[0].code), ['8480-6', '8462-4']);
  const other = await page.evaluate(async () => smartClient.request('Observation?patient=kim', { flat: true }).then((x) => x.length, (e) => e.code));
  assert.equal(other, 0, 'the patient compartment: another patient\'s records are not visible');
});

test('writes: create, read back, update with If-Match, a stale If-Match fails with its OperationOutcome, patch, delete', async () => {
  await signedIn();
  const r = await page.evaluate(async () => {
    const created = await smartClient.create({ resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/amy' },
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, effectiveDateTime: '2026-11-30', valueQuantity: { value: 63.5, unit: 'kg' } });
    const read = await smartClient.request(`Observation/${created.id}`, { includeResponse: true });
    const etag = read.headers.get('etag');
    const updated = await smartClient.update({ ...read.body, valueQuantity: { value: 63.1, unit: 'kg' } }, { ifMatch: etag });
    const stale = await smartClient.update({ ...read.body, status: 'amended' }, { ifMatch: etag }).then(() => null,
      (e) => ({ code: e.code, status: e.status, outcome: e.body?.resourceType, diagnostics: e.body?.issue?.[0]?.diagnostics }));
    const patched = await smartClient.patch(`Observation/${created.id}`, [{ op: 'replace', path: '/status', value: 'amended' }]);
    const badPatch = await smartClient.patch(`Observation/${created.id}`, { op: 'replace' }).then(() => null, (e) => e.code);
    const afterPatch = await smartClient.request(`Observation/${created.id}`);
    const deleted = await smartClient.delete(`Observation/${created.id}`, { includeResponse: true });
    const gone = await smartClient.request(`Observation/${created.id}`).then(() => null, (e) => [e.code, e.status]);
    const foreign = await smartClient.create({ resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/kim' }, code: {} })
      .then(() => null, (e) => [e.code, e.status]);
    return { created, etag, updated: updated.meta.versionId, value: updated.valueQuantity.value, stale, patched: patched.status,
      afterPatch: [afterPatch.status, afterPatch.valueQuantity.value, afterPatch.meta.versionId], badPatch, deleted: deleted.status, gone, foreign };
  });
  assert.equal(r.created.resourceType, 'Observation');
  assert.ok(r.created.id);
  assert.equal(r.etag, 'W/"1"');
  assert.deepEqual([r.updated, r.value], ['2', 63.1]);
  assert.equal(r.stale.code, 'http_error');
  assert.equal(r.stale.status, 412);
  assert.equal(r.stale.outcome, 'OperationOutcome');
  assert.match(r.stale.diagnostics, /If-Match/);
  assert.equal(r.patched, 'amended');
  assert.deepEqual(r.afterPatch, ['amended', 63.1, '3']);
  assert.equal(r.badPatch, 'invalid_option');
  assert.equal(r.deleted, 204);
  assert.deepEqual(r.gone, ['http_error', 404]);
  assert.deepEqual(r.foreign, ['insufficient_scope', 403], 'outside the patient compartment');
  const writes = (await eventsOf('fhir')).filter((e) => e.method !== 'GET');
  assert.deepEqual(writes.map((e) => e.method), ['POST', 'PUT', 'PUT', 'PATCH', 'DELETE', 'POST'], 'the bad patch was refused before sending');
});

test('writes send FHIR JSON and JSON Patch content types, and If-Match', async () => {
  await signedIn();
  const types = [];
  page.on('request', (req) => { if (req.method() !== 'GET' && req.method() !== 'OPTIONS') types.push([req.method(), req.headers()['content-type'], req.headers()['if-match'] ?? null]); });
  await page.evaluate(async () => {
    const c = await smartClient.create({ resourceType: 'Condition', subject: { reference: 'Patient/amy' }, code: { text: 'Hay fever' } });
    await smartClient.patch(`Condition/${c.id}`, [{ op: 'add', path: '/note', value: [{ text: 'seasonal' }] }], { ifMatch: 'W/"1"' });
  });
  assert.deepEqual(types, [['POST', 'application/fhir+json', null], ['PATCH', 'application/json-patch+json', 'W/"1"']]);
});

test('includeResponse, getFhirVersion/getFhirRelease (metadata fetched once), getAuthorizationHeader, encounter.read', async () => {
  await signedIn();
  const metadata = [];
  page.on('request', (req) => { if (req.url().endsWith('/metadata')) metadata.push(req.url()); });
  const r = await page.evaluate(async () => {
    const full = await smartClient.request('Patient/amy', { includeResponse: true });
    const [v1, v2, release] = await Promise.all([smartClient.getFhirVersion(), smartClient.getFhirVersion(), smartClient.getFhirRelease()]);
    const bad = await smartClient.request('Patient/amy', { includeResponse: true, pageLimit: 2 }).then(() => null, (e) => e.code);
    return { status: full.status, type: full.headers.get('content-type'), id: full.body.id, v1, v2, release,
      header: smartClient.getAuthorizationHeader(), token: smartClient.getState().tokenResponse.access_token,
      encounterId: smartClient.getEncounterId(), encounter: await smartClient.encounter.read(), bad };
  });
  assert.equal(r.status, 200);
  assert.match(r.type, /application\/fhir\+json/);
  assert.equal(r.id, 'amy');
  assert.deepEqual([r.v1, r.v2, r.release], ['4.0.0', '4.0.0', 4]);
  assert.equal(metadata.length, 1, 'the CapabilityStatement is fetched once per client');
  assert.equal(r.header, `Bearer ${r.token}`);
  assert.equal(r.encounterId, 'amy-encounter-3');
  assert.deepEqual([r.encounter.resourceType, r.encounter.id], ['Encounter', 'amy-encounter-3']);
  assert.equal(r.bad, 'invalid_option', 'includeResponse does not combine with paging');
});

test('bad paging options are invalid_option, before anything is sent', async () => {
  await signedIn();
  const before = (await eventsOf('fhir')).length;
  const codes = await page.evaluate(async (url) => Promise.all([
    { pageLimit: -1 }, { pageLimit: 1.5 }, { pageLimit: '2' }, { flat: 'yes' }, { onPage: 'f' }, { includeResponse: 1 },
    { get pageLimit() { throw new Error('trap'); } },
  ].map((o) => smartClient.request(url, o).then(() => 'sent', (e) => e.code))), WEIGHT);
  assert.deepEqual(codes, Array(7).fill('invalid_option'));
  assert.equal((await eventsOf('fhir')).length, before);
});

test('the portal shows the vital signs chart and the lists from paged searches', async () => {
  await signedIn('daniel');
  const shown = await page.evaluate(() => {
    const a = document.querySelector('#records-grid article');
    return { charts: a.querySelectorAll('[data-section=vitals] svg path.line').length, note: a.querySelector('[data-section=vitals] .note').textContent,
      conditions: [...a.querySelectorAll('[data-section=Condition] li')].map((li) => li.textContent),
      meds: a.querySelectorAll('[data-section=MedicationRequest] li').length, allergies: a.querySelector('[data-section=AllergyIntolerance]').textContent,
      user: a.querySelector('.user').textContent };
  });
  assert.equal(shown.charts, 4, 'weight, heart rate, systolic and diastolic lines');
  assert.equal(shown.note, '156 measurements, 4 pages of search results.');
  assert.ok(shown.conditions.some((c) => c.startsWith('Hypertension')));
  assert.equal(shown.meds, 3);
  assert.match(shown.allergies, /None recorded/);
  assert.match(shown.user, /Signed in as Daniel X\. Adams \(Patient\/daniel, the patient; identity verified by signature\)/);
});

test('a read-only scope cannot write: insufficient_scope with the server\'s OperationOutcome', async () => {
  assert.equal((await signIn(page, { scope: 'openid fhirUser launch/patient patient/*.rs' })).error, null);
  const e = await page.evaluate(() => smartClient.create({ resourceType: 'Condition', subject: { reference: 'Patient/amy' } })
    .then(() => null, (e) => ({ code: e.code, status: e.status, outcome: e.body?.resourceType })));
  assert.deepEqual(e, { code: 'insufficient_scope', status: 403, outcome: 'OperationOutcome' });
});

test('two health systems in one tab: each launch keeps its own session, listed by clients(), each refreshing on its own', async () => {
  const second = await startSecondSandbox();
  try {
    await signedIn('amy');
    await page.click('#connect');
    await loginAndConsent(page, 'kim');
    await page.waitForURL(`${DEMO}/index.html**`);
    await page.waitForFunction(() => document.querySelectorAll('#records-grid article').length === 2 && document.querySelector('#records[data-loaded=true]'), null, { timeout: 20_000 });
    const r = await page.evaluate(async (fhir) => {
      const all = await SMART.clients();
      const first = await SMART.ready({ iss: fhir });
      return { current: [smartClient.getState().serverUrl, smartClient.getPatientId()],
        all: all.map((c) => [c.getState().serverUrl, c.getPatientId()]).sort(),
        first: [first.getState().serverUrl, first.getPatientId(), (await first.patient.read()).id],
        columns: [...document.querySelectorAll('#records-grid article')].map((a) => [a.dataset.server, a.querySelector('.patient').textContent]) };
    }, FHIR);
    assert.deepEqual(r.current, [second.fhirBase, 'kim'], 'ready() returned the client of the launch it completed');
    assert.deepEqual(r.all, [[FHIR, 'amy'], [second.fhirBase, 'kim']].sort(), 'both sessions (sorted by URL: the ports vary)');
    assert.deepEqual(r.first, [FHIR, 'amy', 'amy'], 'the earlier session is still valid');
    assert.deepEqual(r.columns.map(([s]) => s), [second.fhirBase, FHIR]);
    assert.match(r.columns[0][1], /Kim Lee/);
    assert.match(r.columns[1][1], /Amy V\. Shaw/);
    // Each session refreshes with its own server.
    const tokens1 = (await eventsOf('token')).length;
    const tokens2 = (await second.events()).filter((e) => e.type === 'token').length;
    await page.evaluate(() => smartClient.refresh());
    assert.equal((await eventsOf('token')).length, tokens1, 'the first server saw no refresh');
    assert.equal((await second.events()).filter((e) => e.type === 'token').length, tokens2 + 1);
    // A reload restores both; ready() without iss gives the latest launch.
    await page.reload();
    await page.waitForSelector('#records[data-loaded=true]', { timeout: 20_000 });
    const after = await page.evaluate(async () => [smartClient.getState().serverUrl, (await SMART.clients()).length,
      await Promise.all((await SMART.clients()).map((c) => c.request('Patient/' + c.getPatientId()).then((p) => p.id)))]);
    assert.equal(after[0], second.fhirBase);
    assert.equal(after[1], 2);
    assert.deepEqual(after[2].sort(), ['amy', 'kim']);
  } finally {
    await second.stop();
  }
});

// A hand-written fake (page.route) of a FHIR server whose Bundles are malformed: links that are not
// an array, a next link that is not a string, entries that are not an array or lack a resource.
test('malformed Bundles from a server end the paging instead of failing or looping', async () => {
  await signedIn();
  const bundles = {
    a: { resourceType: 'Bundle', link: 'next', entry: [{ resource: { id: 'a1' } }] },
    b: { resourceType: 'Bundle', link: [{ relation: 'next', url: 42 }], entry: 'none' },
    c: { resourceType: 'Bundle', link: [null, { relation: 'next' }], entry: [null, {}, { resource: { id: 'c1' } }] },
    d: { resourceType: 'Bundle', link: [{ relation: 'next', url: `${FHIR}/Hostile?page=d` }], entry: [{ resource: { id: 'd1' } }] },
  };
  await page.route(`${FHIR}/Hostile**`, (route) => route.fulfill({ status: 200, contentType: 'application/fhir+json',
    body: JSON.stringify(bundles[new URL(route.request().url()).searchParams.get('page')]) }));
  const r = await page.evaluate(async () => Promise.all(['a', 'b', 'c', 'd'].map((p) =>
    smartClient.request(`Hostile?page=${p}`, { pageLimit: 0, flat: true }).then((x) => x.map((e) => e.id), (e) => e.code))));
  assert.deepEqual(r, [['a1'], [], ['c1'], ['d1']], 'd links to itself: followed once, then the paging ends');
});

test('create and update refuse what is not a resource, before sending', async () => {
  await signedIn();
  const before = (await eventsOf('fhir')).length;
  const codes = await page.evaluate(() => Promise.all([
    smartClient.create({ status: 'final' }), smartClient.create({ resourceType: '../Patient' }), smartClient.create(null),
    smartClient.update({ resourceType: 'Observation' }), smartClient.update({ resourceType: 'Observation', id: 7 }),
    smartClient.create({ get resourceType() { throw new Error('trap'); } }),
  ].map((p) => p.then(() => 'sent', (e) => e.code))));
  assert.deepEqual(codes, Array(6).fill('invalid_option'));
  assert.equal((await eventsOf('fhir')).length, before);
});
