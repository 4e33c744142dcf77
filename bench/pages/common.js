// Shared by the two benchmark pages: the same server, scope and measurements for both clients.
// The sandbox's FHIR base (its servers take free ports): from its control endpoint.
export const FHIR = (await (await fetch('/_sandbox/config')).json()).fhirBase;
export const SCOPE = 'openid fhirUser launch/patient patient/Patient.read offline_access';
export const redirectUri = () => `${location.origin}${location.pathname}`;

/** `n` sequential calls of `fn`; the duration of each, ms. */
export async function sequential(n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

/** `n` concurrent calls of `fn`; the wall time of all, ms. */
export async function concurrent(n, fn) {
  const t = performance.now();
  await Promise.all(Array.from({ length: n }, fn));
  return performance.now() - t;
}

/** A raw fetch of the same resource with the same headers: the baseline for request overhead. */
export const rawRead = (token, cache) => fetch(`${FHIR}/Patient/amy`, {
  headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' }, cache,
}).then((r) => r.json());
