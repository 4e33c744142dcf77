// Real discovery documents of EHR vendors (tests/corpus/, each with its source), replayed on
// loopback: every origin a document names becomes a loopback server of its own (so which URLs share
// an origin is kept), the smart-configuration (or, for a SMART 1.0 server that publishes none, the
// CapabilityStatement at {base}/metadata) is served with CORS as SMART requires, anything else
// (issuer metadata where it was recorded) without. A standalone launch must reach the document's
// authorization endpoint with a complete authorization request; so must fhirclient.js's, from the
// same page, at the same endpoint (the library is meant to work wherever fhirclient.js does).
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { useBrowser, DEMO } from './helpers.mjs';

let page;
useBrowser({ before, after, beforeEach }, (p) => { page = p; });

const dir = new URL('../corpus/', import.meta.url);
const FHIRCLIENT = new URL('../../node_modules/fhirclient/build/fhir-client.min.js', import.meta.url).pathname;
const corpus = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ file: f, ...JSON.parse(fs.readFileSync(new URL(f, dir), 'utf8')) }));

const OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

/** The authorization and token endpoints an entry's documents name: its smart-configuration's, or
 * the SMART 1.0 `oauth-uris` extension of its CapabilityStatement (the first `rest` entry's). */
function endpointsOf(doc) {
  if (doc.smartConfiguration) return { authorize: doc.smartConfiguration.authorization_endpoint, token: doc.smartConfiguration.token_endpoint };
  const uris = doc.capabilityStatement?.rest?.[0]?.security?.extension?.find((e) => e.url === OAUTH_URIS)?.extension ?? [];
  const uri = (name) => uris.find((e) => e.url === name)?.valueUri;
  return { authorize: uri('authorize'), token: uri('token') };
}

/** Every https origin named anywhere in `value` (strings, arrays, objects). */
function originsIn(value, into = new Set()) {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/https?:\/\/[^/"\s?#]+/g)) into.add(m[0]);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) originsIn(v, into);
  }
  return into;
}

/** `value` with every origin of `map` replaced by its loopback stand-in. */
function rewrite(value, map) {
  if (typeof value === 'string') return value.replace(/https?:\/\/[^/"\s?#]+/g, (o) => map.get(o) ?? o);
  if (Array.isArray(value)) return value.map((v) => rewrite(v, map));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, map)]));
  return value;
}

/** Starts one loopback server per origin of the entry; resolves to the rewritten entry, the
 * authorization requests that arrived, and a stop function. */
async function replay(entry) {
  const origins = [...originsIn(entry)].filter((o) => o.startsWith('https://'));
  const servers = [];
  const map = new Map();
  const arrived = [];
  for (const origin of origins) {
    const server = http.createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push([origin, server]);
    map.set(origin, `http://127.0.0.1:${server.address().port}`);
  }
  const doc = rewrite(entry, map);
  const body = (value) => {
    const text = JSON.stringify(value);
    // Some servers escape every slash (a JSON parser must not care).
    return entry.file === 'epic-apotti.json' ? text.replace(/\//g, '\\/') : text;
  };
  for (const [origin, server] of servers) {
    const here = map.get(origin);
    server.on('request', (req, res) => {
      const url = new URL(req.url, here);
      const at = `${here}${url.pathname}`;
      const base = doc.fhirBase.replace(/\/$/, '');
      if (at === `${base}/.well-known/smart-configuration`) {
        // A FHIR server's CORS covers its 404s too.
        if (!doc.smartConfiguration) return res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end();
        res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        return res.end(body(doc.smartConfiguration));
      }
      if (doc.capabilityStatement && at === `${base}/metadata`) {
        res.writeHead(200, { 'Content-Type': 'application/fhir+json', 'Access-Control-Allow-Origin': '*' });
        return res.end(body(doc.capabilityStatement));
      }
      if (doc.issuerMetadata && at === doc.issuerMetadata.url) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(body(doc.issuerMetadata.document));
      }
      const authorize = new URL(endpointsOf(doc).authorize, `${doc.fhirBase}/`);
      if (at === `${authorize.origin}${authorize.pathname}`) {
        arrived.push(url);
        res.writeHead(200, { 'Content-Type': 'text/html' });
        return res.end('<!doctype html><title>sign in</title><p>the authorization server would ask the user here');
      }
      res.writeHead(404).end();
    });
  }
  return { doc, arrived, stop: () => Promise.all(servers.map(([, s]) => new Promise((r) => s.close(r)))) };
}

test('the corpus holds real documents of at least ten vendors, each with its source', () => {
  const vendors = new Set(corpus.map((e) => e.vendor.replace(/ \(.*\)$/, '')));
  assert.ok(vendors.size >= 10, `vendors: ${[...vendors].join(', ')}`);
  for (const e of corpus) {
    assert.ok(e.source && (e.source.repository || e.source.index_file_id) && e.source.recorded, `${e.file} cites its source`);
    const { authorize, token } = endpointsOf(e);
    assert.ok(authorize && token, `${e.file} names both endpoints`);
  }
});

for (const entry of corpus) {
  test(`${entry.vendor}, ${entry.product} (${entry.file}): the launch reaches its authorization endpoint, as fhirclient.js's does`, async () => {
    const { doc, arrived, stop } = await replay(entry);
    try {
      await page.route(`${DEMO}/app.js`, (route) => route.abort());
      await page.goto(`${DEMO}/index.html`);
      const options = { iss: doc.fhirBase, clientId: 'corpus-app', scope: 'openid fhirUser launch/patient patient/Patient.read offline_access',
        redirectUri: `${DEMO}/index.html` };
      // authorize() navigates away: the page may be gone before the evaluation reports back.
      const gone = (e) => (/Execution context was destroyed/.test(e.message) ? null : Promise.reject(e));
      const failed = await page.evaluate((o) => import('smart-wasm').then((S) => S.authorize(o)).then(() => null, (e) => `${e.code}: ${e.message}`), options)
        .catch(gone);
      assert.equal(failed, null);
      await page.waitForURL((u) => arrived.length > 0 && u.href.startsWith(arrived[0].origin));
      const q = arrived[0].searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('client_id'), 'corpus-app');
      assert.equal(q.get('redirect_uri'), `${DEMO}/index.html`);
      assert.equal(q.get('aud'), doc.fhirBase.replace(/\/$/, ''));
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
      assert.match(q.get('state'), /^[A-Za-z0-9_-]{43}$/);
      assert.match(q.get('nonce'), /^[A-Za-z0-9_-]{43}$/);
      // fhirclient.js 2.6.3 (its browser build, with its defaults) from the same page.
      const ours = arrived.length;
      await page.goto(`${DEMO}/index.html`);
      await page.addScriptTag({ path: FHIRCLIENT });
      const theirs = await page.evaluate((o) => window.FHIR.oauth2.authorize(o).then(() => null, (e) => String(e)), options).catch(gone);
      assert.equal(theirs, null);
      await page.waitForURL((u) => arrived.length > ours && u.href.startsWith(arrived[ours].origin));
      assert.equal(`${arrived[ours].origin}${arrived[ours].pathname}`, `${arrived[0].origin}${arrived[0].pathname}`);
      assert.equal(arrived[ours].searchParams.get('client_id'), 'corpus-app');
    } finally {
      await stop();
    }
  });
}
