// The demo's server list. It is also the EHR-launch allow-list: launch.html refuses any other iss.
// The sandbox's confidential client secret is here only because this is a local demo: a secret in
// code shipped to browsers is not secret.
// The local sandbox's FHIR base (its servers may listen on any free port): from its control endpoint.
const sandbox = await fetch('/_sandbox/config').then((r) => r.json(), () => ({}));
export const SANDBOX_FHIR = sandbox.fhirBase ?? 'http://127.0.0.1:9001/4_0_0';
/** The portal's scope: who signed in (OpenID Connect), the patient's record, and writes. */
export const DEFAULT_SCOPE = 'openid fhirUser launch/patient launch/encounter patient/*.cruds offline_access';

export const clients = {
  public: { clientId: 'demo-public' },
  confidential: { clientId: 'demo-confidential', clientSecret: 'demo-secret/2:7 &+' },
};

/** Options for authorize()/ready(), from the choices kept in sessionStorage (no secrets there). */
export function optionsFor({ iss = SANDBOX_FHIR, client = 'public', scope = DEFAULT_SCOPE, epic = false } = {}) {
  return {
    servers: [{ iss, ...clients[client], scope }],
    redirectUri: new URL('./index.html', location.href).href,
    epicClientIdHeader: epic,
  };
}

/** Other health systems the local sandbox offers to connect to (a second sandbox instance). */
export async function otherHealthSystems() {
  try {
    const config = await (await fetch('/_sandbox/config')).json();
    return Array.isArray(config.peers) ? config.peers : [];
  } catch {
    return [];
  }
}
