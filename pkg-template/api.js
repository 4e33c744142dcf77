// The JavaScript API over one build of the module (shared by the entries): loads the WebAssembly
// (starting as soon as a page evaluates the entry) and exposes fhirclient.js's names. The Client's
// convenience methods (writes, identity getters, CapabilityStatement) are written here over
// `request()` and `getIdToken()`: every URL still goes through the module's checks, and the
// id_token's claims are the ones the module verified.

// The module's error class and its maker (src/web/browser.js; scripts/build.sh bundles it in under
// this name).
import { SmartError, smartError } from 'smart-wasm-browser';

export { SmartError };

// The .wasm at `url`, refused with a message naming the file when what answers is not it: a 404,
// or an HTML page (a dev server's fallback for a file it does not have), which is what a bundler
// that did not emit the file leaves behind.
async function fetchWasm(url) {
  const response = await fetch(url);
  const type = response.headers.get('content-type') ?? '';
  if (response.ok && !/html/i.test(type)) return response;
  const file = String(url).split(/[?#]/)[0].split('/').pop();
  throw new Error(`HTTP ${response.status} ${type ? `(${type}) ` : ''}instead of ${file}. The app's bundler or server did not put the file `
    + 'there: use the entry that carries it inline (smart-wasm/inline, smart-wasm/identity/inline), or serve node_modules/smart-wasm\'s '
    + '.wasm at that address (README: Install)');
}

// The members of `client(state)`, in the order the module reads them.
const STATE = ['serverUrl', 'tokenResponse', 'clientId', 'tokenUri', 'timeout'];

/**
 * The API over one build of the module: `load` and `wasm` are its wasm-bindgen glue, `source` the
 * URL of its .wasm (fetched, compiled while it streams in) or its bytes (the inline entries).
 */
export function makeApi(load, wasm, source) {
  let loading;
  /**
   * Fetches and instantiates the module once; every call awaits it. A module that cannot be had
   * (not found, a wrong MIME type, blocked) is a `SmartError` with code `module_load_failed`, and
   * the next call tries again.
   */
  const loadModule = () => (loading ??= load({ module_or_path: source instanceof URL ? fetchWasm(source) : source }).catch((e) => {
    loading = undefined;
    const from = source instanceof URL ? ` from ${source}` : '';
    throw Object.assign(smartError(`the WebAssembly module could not be loaded${from}: ${e?.message ?? e}`, 'module_load_failed'), { cause: e });
  }));
  // In a page, the module's fetch and streaming compile start as this file is evaluated, beside
  // the app's own start-up, instead of at the first call. A failure here is reported by that call
  // (which tries again). Elsewhere (server-side rendering, tests in Node) nothing is fetched.
  if (typeof window === 'object' && typeof document === 'object') loadModule().catch(() => {});
  const call = async (op, options) => (await loadModule(), wasm.run(op, options));
  // A second ready() or init() while the first is still completing this page's redirect joins it
  // (React's StrictMode runs an effect twice): the redirect's state is single use.
  let completing;
  const completes = (op) => (options) => {
    const href = typeof location === 'object' ? location.href : '';
    if (completing?.href === href) return completing.promise;
    const promise = call(op, options);
    if (/[?&]state=/.test(href)) {
      completing = { href, promise };
      const done = () => { if (completing?.promise === promise) completing = undefined; };
      promise.then(done, done);
    }
    return promise;
  };
  const authorize = (options) => call(0, options);
  const ready = completes(1);
  const init = completes(2);
  /** A client for each FHIR server this tab holds a session with. */
  const clients = (options) => call(10, options);
  /** A client from a known token response, without a launch (tests and tools; nothing is stored). */
  const client = (state) => guarded('state', () => {
    if (state === null || typeof state !== 'object') throw invalid('state', 'must be an object with serverUrl and tokenResponse');
    const unknown = Object.keys(state).find((k) => !STATE.includes(k));
    if (unknown !== undefined) throw invalid(unknown, 'is not an option of this library');
    return call(11, STATE.map((k) => state[k]));
  });
  /** fhirclient.js's shape, so a port is a changed import: `SMART.oauth2.authorize(...)`. */
  const oauth2 = { authorize, ready, init };
  extendClient(wasm.Client);
  return { call, loadModule, authorize, ready, init, clients, client, oauth2 };
}

// The errors this file makes, known without reading anything of a thrown value (which may be a
// hostile object whose getters throw).
const ours = new WeakSet();
const invalid = (option, reason) => {
  const e = smartError(`option \`${option}\` ${reason}`, 'invalid_option');
  ours.add(e);
  return e;
};

// Runs `f` (which reads the app's arguments: a getter may throw) and returns its promise; a throw
// becomes a rejected `invalid_option` (this file's own, or one naming `what`).
function guarded(what, f) {
  try {
    return f();
  } catch (e) {
    return Promise.reject(ours.has(e) ? e : invalid(what, 'could not be read (a getter or proxy threw)'));
  }
}

// An `If-Match` value: an ETag string without line breaks, or none (`undefined`/`null`: a resource
// read without an ETag is updated unconditionally).
function etag(init) {
  const v = init?.ifMatch;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw invalid('ifMatch', 'must be an ETag string such as W/"3" (no line breaks), or null');
  return v;
}

// The app's init with `method`, `body` and extra headers set over it.
function withInit(init, method, body, extra) {
  let headers;
  try { headers = new Headers(init?.headers ?? undefined); } catch { throw invalid('headers', 'must be an object or Headers of valid header names and values'); }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) headers.set(k, v);
  const { ifMatch: _omit, ...rest } = init ?? {};
  return { ...rest, method, headers, ...(body === undefined ? {} : { body }) };
}

const resourcePath = (type, id) => `${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
// A resource id that is one path segment (`.` and `..` would address the type or the base).
const isId = (id) => typeof id === 'string' && id !== '' && id !== '.' && id !== '..';
// A FHIR resource type name (so `create` cannot be pointed at another path).
const isType = (t) => typeof t === 'string' && /^[A-Z][A-Za-z]{0,63}$/.test(t);

// The signed-in user from the verified id_token's `fhirUser` (or OIDC `profile`): `Type/id` as
// fhirclient.js gives it, and its two parts (all null without one).
function userOf(client) {
  const claims = client.getIdToken();
  const u = claims?.fhirUser ?? claims?.profile;
  const parts = typeof u === 'string' ? u.split('/').slice(-2) : [];
  const fhirUser = parts.length === 2 && isType(parts[0]) && isId(parts[1]) ? parts.join('/') : null;
  const [resourceType = null, id = null] = fhirUser ? fhirUser.split('/') : [];
  return { fhirUser, resourceType, id };
}

function readContext(client, path, key) {
  return path ? client.request(path) : Promise.reject(smartError(`no ${key} in the launch context`, 'missing_context'));
}

function extendClient(C) {
  const p = C.prototype;
  if (Object.hasOwn(p, 'create')) return;
  const capabilities = new WeakMap();
  Object.assign(p, {
    /** POST `resource` to its type's endpoint (`application/fhir+json`); resolves to the server's answer. */
    create(resource, init) {
      return guarded('resource', () => (isType(resource?.resourceType)
        ? this.request(resource.resourceType, withInit(init, 'POST', resource, {}))
        : Promise.reject(invalid('resource', 'must be a FHIR resource with a resourceType'))));
    },
    /** PUT `resource` to `Type/id`; `ifMatch` (an ETag such as `W/"3"`) makes it a versioned update. */
    update(resource, init) {
      return guarded('resource', () => (isType(resource?.resourceType) && isId(resource.id)
        ? this.request(resourcePath(resource.resourceType, resource.id), withInit(init, 'PUT', resource, { 'If-Match': etag(init) }))
        : Promise.reject(invalid('resource', 'must be a FHIR resource with a resourceType and an id (not empty, `.` or `..`)'))));
    },
    /** DELETE `url` (a path such as `Observation/123`, or an absolute URL on this server). */
    delete(url, init) {
      return guarded('init', () => this.request(url, withInit(init, 'DELETE', undefined, {})));
    },
    /** PATCH `url` with a JSON Patch (RFC 6902) array (`application/json-patch+json`). */
    patch(url, jsonPatch, init) {
      return guarded('jsonPatch', () => {
        if (!Array.isArray(jsonPatch)) throw invalid('jsonPatch', 'must be an array of JSON Patch operations');
        let body;
        try { body = JSON.stringify(jsonPatch); } catch { throw invalid('jsonPatch', 'cannot be written as JSON (it holds a BigInt, a cycle or a throwing getter)'); }
        return this.request(url, withInit(init, 'PATCH', body, { 'Content-Type': 'application/json-patch+json', 'If-Match': etag(init) }));
      });
    },
    /** `fhirVersion` of the server's CapabilityStatement (`metadata`, fetched once per client). */
    getFhirVersion() {
      let v = capabilities.get(this);
      if (!v) {
        v = this.request('metadata').then((c) => c?.fhirVersion ?? null);
        v.catch(() => capabilities.delete(this));
        capabilities.set(this, v);
      }
      return v;
    },
    /** The FHIR release of `getFhirVersion()`: 2 (DSTU2), 3 (STU3), 4 (R4, R4B), 5 (R5), or 0. */
    async getFhirRelease() {
      const v = String(await this.getFhirVersion());
      return /^1\.0\./.test(v) ? 2 : /^3\.0\./.test(v) ? 3 : /^4\.[0-3]\./.test(v) ? 4 : /^5\./.test(v) ? 5 : 0;
    },
    /** `Type/id` of the signed-in user (the verified id_token's `fhirUser`), or null. */
    getFhirUser() { return userOf(this).fhirUser; },
    /** The id of the signed-in user's resource, or null. */
    getUserId() { return userOf(this).id; },
    /** The resource type of the signed-in user (`Patient`, `Practitioner`, …), or null. */
    getUserType() { return userOf(this).resourceType; },
  });
  Object.defineProperties(p, {
    /** `client.encounter.read()`: the encounter in context. */
    encounter: {
      get() {
        const id = this.getEncounterId();
        return { id, read: () => readContext(this, id ? resourcePath('Encounter', id) : null, 'encounter') };
      },
    },
    /** `client.user.read()`: the signed-in user's resource (from the verified `fhirUser`). */
    user: {
      get() {
        const user = userOf(this);
        return { ...user, read: () => readContext(this, user.fhirUser, 'fhirUser') };
      },
    },
  });
}
