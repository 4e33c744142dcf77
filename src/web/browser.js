// The few lines of JavaScript the default entry's adapters call (one module, so a page loads one
// extra file): reading what the app passes in (read.rs), and fetch's deadline and capped body
// reads (fetch.rs).

// ---- api/mod.rs: the errors ----
// Every error the library throws or rejects with: an Error named SmartError with a stable `code`.
// An app may load both entries, each with its own copy of this class: `instanceof` accepts an
// error of either (any Error named SmartError).
export class SmartError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'SmartError';
    this.code = code;
  }
  static [Symbol.hasInstance](v) { return v instanceof Error && v.name === 'SmartError'; }
}
export const smartError = (message, code) => new SmartError(message, code);

// ---- fetch.rs ----
// The signal of one request: aborted with a TimeoutError after `ms`, or with an AbortError when the
// app's signal aborts (whatever reason the app gave: fetch then always rejects with an Error).
export function deadline(ms, app) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(new DOMException('timed out', 'TimeoutError')), ms);
  if (app && typeof app.addEventListener === 'function') {
    const stop = () => ctrl.abort(new DOMException('aborted', 'AbortError'));
    if (app.aborted) stop(); else app.addEventListener('abort', stop, { once: true });
  }
  return { signal: ctrl.signal, done: () => clearTimeout(timer) };
}
// The body of `response`, at most `limit` bytes, parsed as JSON: `{ v }` (v undefined when the body
// is not JSON), or null when the body is larger than `limit` (the stream is cancelled there).
export async function readCapped(response, limit) {
  const body = response.body;
  if (!body) return { v: undefined };
  const reader = body.getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) { reader.cancel().catch(() => {}); return null; }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.byteLength; }
  try { return { v: JSON.parse(new TextDecoder().decode(all)) }; } catch { return { v: undefined }; }
}
// The body for JavaScript as it is: parsed JSON, null when empty, the text when it is not JSON;
// with `include`, `{ body, status, headers }` (the response's Headers).
export async function bodyValue(response, include) {
  const text = await response.text();
  let body = null;
  if (text !== '') { try { body = JSON.parse(text); } catch { body = text; } }
  return include ? { body, status: response.status, headers: response.headers } : body;
}
// Paging through a FHIR Bundle: its `next` link (undefined when none; null when reading it threw:
// the app's onPage may have replaced the page's members), and its entries' resources.
export function nextLink(b) {
  try { return Array.isArray(b?.link) ? b.link.find((l) => l?.relation === 'next' && typeof l.url === 'string')?.url : undefined; } catch { return null; }
}
export function resources(b) {
  try { return Array.isArray(b?.entry) ? b.entry.map((e) => e?.resource).filter((r) => r !== undefined) : []; } catch { return []; }
}

// ---- read.rs ----
// A plain copy: own enumerable members of objects and arrays, recursively; Headers become plain
// objects; AbortSignals and functions are kept as they are. Throws when a getter throws.
function copy(v, depth) {
  if (v === null || typeof v !== 'object') return v;
  if (depth > 32) throw new TypeError('nested too deeply');
  if (typeof Headers === 'function' && v instanceof Headers) return Object.fromEntries(v.entries());
  if (typeof AbortSignal === 'function' && v instanceof AbortSignal) return v;
  if (Array.isArray(v)) return Array.from(v, (x) => copy(x, depth + 1));
  const out = {};
  for (const k of Object.keys(v)) out[k] = copy(v[k], depth + 1);
  return out;
}
// `{ v }`: the plain copy, or `{}` when reading threw.
export function plain(v) { try { return { v: copy(v, 0) }; } catch { return {}; } }

// The arguments of client.request(input, init), read once: `{ url, method, headers: [[name, value]],
// body (a string; `json` when this wrote it), signal, … }`, or `{ bad: <member>, why }` when reading
// it threw (`why` undefined), the body cannot be written as JSON (`why: 'json'`: a BigInt, a
// cycle), or the URL is longer than MAX_URL (`why: 'long'`: checked before it is copied into wasm).
export const MAX_URL = 65536;
export function readRequest(input, init) {
  let stage = 'url', why;
  try {
    let url = input, o = init;
    if (input !== null && typeof input === 'object') { url = input.url; o = input; }
    if (typeof url === 'string' && url.length > MAX_URL) return { bad: stage, why: 'long' };
    if (o === undefined || o === null) return { url };
    if (typeof o !== 'object') return { bad: 'init' };
    stage = 'method'; const method = o.method;
    stage = 'headers'; let headers = o.headers;
    if (typeof Headers === 'function' && headers instanceof Headers) headers = [...headers.entries()];
    else if (headers !== null && typeof headers === 'object') headers = Object.entries(headers);
    stage = 'body'; let body = o.body, json = false;
    if (body !== undefined && body !== null && typeof body !== 'string') {
      why = 'json';
      body = JSON.stringify(body);
      if (typeof body !== 'string') throw new TypeError('not JSON');
      json = true;
      why = undefined;
    }
    stage = 'signal'; const signal = o.signal;
    stage = 'timeout'; const timeout = o.timeout;
    stage = 'includeResponse'; const include = o.includeResponse;
    stage = 'pageLimit'; const pages = o.pageLimit;
    stage = 'pagingTimeout'; const pagingTimeout = o.pagingTimeout;
    stage = 'flat'; const flat = o.flat;
    stage = 'onPage'; const onPage = o.onPage;
    return { url, method, headers, body, json, signal, timeout, include, pages, pagingTimeout, flat, onPage };
  } catch { return { bad: stage, why }; }
}

// ---- api/client.rs, web/mod.rs ----
// Resolves, once the Web Lock `name` is held (in any tab of this origin), to the function that
// releases it; rejects with a TimeoutError when it is not granted within `ms` (a lock's holder may
// be stuck, and any page of the origin can take a lock whose name `navigator.locks.query()` lists).
export function acquire(name, ms) {
  if (typeof navigator === 'undefined' || !navigator.locks) return Promise.resolve(() => {});
  return new Promise((granted, refused) => {
    navigator.locks.request(name, { signal: AbortSignal.timeout(ms) }, () => new Promise((release) => granted(release))).catch(refused);
  });
}
// `p`, or a rejection with a TimeoutError after `ms` or an AbortError when the app's signal aborts,
// whichever comes first (what `p` waits for goes on for its other callers).
export function within(p, ms, app) {
  const d = deadline(ms, app);
  return new Promise((ok, fail) => {
    if (d.signal.aborted) fail(d.signal.reason);
    d.signal.addEventListener('abort', () => fail(d.signal.reason), { once: true });
    p.then(ok, fail).finally(d.done);
  });
}
// The app's onPage callback, awaited: whatever it throws or returns (a thenable whose getter
// throws) becomes a rejection here, never a throw through the module.
export async function callPage(f, page) { await f(page); }

// ---- json.rs, platform.rs: a JWS (id_token), decoded by the browser, its signature checked by
// WebCrypto with the issuer's public key ----
const B64URL = /^[A-Za-z0-9_-]*$/;
const unb64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
// One base64url part, decoded and parsed as JSON; undefined when it is not base64url UTF-8 JSON.
export function b64json(part) {
  try { return B64URL.test(part) ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(unb64(part))) : undefined; } catch { return undefined; }
}
// Every asymmetric JWS algorithm WebCrypto verifies (RS/PS/ES 256/384/512, EdDSA with Ed25519);
// the core chose the key by type and curve. ECDSA signatures in a JWS are raw r||s, as WebCrypto
// expects; RSA-PSS uses a salt as long as the hash (RFC 7518 §3.5).
const HASH = { 256: 'SHA-256', 384: 'SHA-384', 512: 'SHA-512' };
export async function verifyJws(alg, jwk, data, sig) {
  const signature = unb64(sig);
  const bits = alg.slice(2);
  const p = alg === 'EdDSA' || alg === 'Ed25519' ? { name: 'Ed25519' }
    : alg[0] === 'E' ? { name: 'ECDSA', namedCurve: jwk.crv, hash: HASH[bits] }
    : alg[0] === 'P' ? { name: 'RSA-PSS', hash: HASH[bits], saltLength: bits / 8 }
    : { name: 'RSASSA-PKCS1-v1_5', hash: HASH[bits] };
  // Only the public members: a JWK's own alg/use/key_ops are checked by the core, not by importKey.
  const pub = jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }
    : jwk.kty === 'OKP' ? { kty: 'OKP', crv: jwk.crv, x: jwk.x } : { kty: 'RSA', n: jwk.n, e: jwk.e };
  const key = await crypto.subtle.importKey('jwk', pub, p, false, ['verify']);
  return crypto.subtle.verify(p, key, signature, data);
}

// ---- platform.rs: the tab relay's seal (AES-256-GCM) with the session's relay key (base64url, 32
// bytes), imported non-extractable for each operation; a fresh nonce for each seal. Sealed form:
// base64url(nonce) "." base64url(ciphertext and tag).
const b64 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const aesKey = (key, use) => crypto.subtle.importKey('raw', unb64(key), 'AES-GCM', false, [use]);
export async function seal(key, additionalData, plain) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, await aesKey(key, 'encrypt'), plain);
  return `${b64(iv)}.${b64(new Uint8Array(sealed))}`;
}
// The plain bytes, or null when `sealed` is not of that form or does not authenticate.
export async function open(key, additionalData, sealed) {
  try {
    const [iv, data] = sealed.split('.');
    if (!B64URL.test(iv) || !B64URL.test(data)) return null;
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(iv), additionalData }, await aesKey(key, 'decrypt'), unb64(data)));
  } catch { return null; }
}
