// The JavaScript the identity entry's adapters call: IndexedDB (idb.rs) and WebCrypto keys
// (keys.rs).

// ---- idb.rs ----
const open = () => new Promise((resolve, reject) => {
  const r = indexedDB.open('smart-wasm', 1);
  r.onupgradeneeded = () => r.result.createObjectStore('registrations', { keyPath: 'iss' });
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});
const run = (mode, op) => open().then((db) => new Promise((resolve, reject) => {
  const t = db.transaction('registrations', mode);
  const req = op(t.objectStore('registrations'));
  t.oncomplete = () => { db.close(); resolve(req.result); };
  t.onerror = t.onabort = () => { db.close(); reject(t.error); };
}));
export const put = (iss, record, keys) => run('readwrite', (s) => s.put({ iss, record, keys }));
export const get = (iss) => run('readonly', (s) => s.get(iss));
export const remove = (iss) => run('readwrite', (s) => s.delete(iss));
// Sets the record's lastUsedAt, in one transaction, only when the entry still exists. (It also
// drops the RFC 7592 `management` member earlier versions kept: a lasting credential.)
export const touch = (iss, at) => run('readwrite', (s) => {
  const req = s.get(iss);
  req.onsuccess = () => { const e = req.result; if (e) { e.record.lastUsedAt = at; delete e.record.management; s.put(e); } };
  return req;
});
export const all = () => run('readonly', (s) => s.getAll());
export const field = (entry, name) => entry == null ? undefined : entry[name];

// ---- keys.rs ----
const params = (alg) => alg === 'ES384'
  ? { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' }
  : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]),
      hash: alg === 'RS256' ? 'SHA-256' : 'SHA-384' };
// extractable=false applies to the private key; a public key is always exportable.
export const generate = (alg) => crypto.subtle.generateKey(params(alg), false, ['sign', 'verify']);
export const exportPublic = (pair) => crypto.subtle.exportKey('jwk', pair.publicKey);
// A private JWK the app provides, imported as a non-extractable signing key; its public half (from
// the JWK's public members) beside it.
export async function importPair(jwk, alg) {
  const p = params(alg);
  const pub = jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'RSA', n: jwk.n, e: jwk.e };
  const { alg: _a, key_ops: _k, ext: _e, use: _u, ...material } = jwk;
  const privateKey = await crypto.subtle.importKey('jwk', material, p, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('jwk', pub, p, true, ['verify']);
  return { privateKey, publicKey };
}
export const sign = async (pair, alg, data) =>
  new Uint8Array(await crypto.subtle.sign(params(alg), pair.privateKey, data));
