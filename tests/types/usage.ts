// Compiled with `tsc --noEmit --strict` by scripts/test.sh: the package's declarations describe a
// usable API (this file is never run).
import SMART, { authorize, ready, init, client as fromState, SmartError, type Client, type ErrorCode, type ClientState } from 'smart-wasm';
import type { Bundle, Observation, Patient } from 'fhir/r4';

async function portal(): Promise<string> {
  const url: string = await authorize({ iss: 'https://ehr.example.org/fhir/R4', clientId: 'x', scope: 'launch/patient', noRedirect: true });
  await SMART.oauth2.authorize({
    servers: [
      { iss: 'https://prod.example.org/R4', clientId: 'prod-id' },
      { iss: 'https://nonprod.example.org/R4', clientId: 'nonprod-id' },
    ],
    scope: 'openid fhirUser launch/patient patient/Patient.rs offline_access',
    redirectUri: 'https://app.example.org/',
    epicClientIdHeader: true,
  });
  const client: Client = await ready();
  const again: Client = await init({ iss: 'https://ehr.example.org/fhir/R4', clientId: 'x', scope: 's' });
  const patient = await client.patient.read();
  const name: string | undefined = patient.name?.[0]?.family;
  const bundle = await client.request<Bundle<Observation>>('Observation?patient=' + client.getPatientId(), { headers: { Prefer: 'x' } });
  const state: ClientState = await again.refresh();
  const exp: number | null = state.expiresAt;
  try {
    await client.request({ url: 'Patient', method: 'POST', body: { resourceType: 'Patient' } });
  } catch (e) {
    if (e instanceof SmartError) {
      const code: ErrorCode = e.code;
      if (code === 'insufficient_scope' || code === 'token_error') return `${e.status} ${e.error ?? ''}`;
    }
  }
  return `${url} ${name} ${bundle.total} ${exp} ${client.state.tokenResponse.patient}`;
}
void portal;

// Issue 17: what a read is typed as; a client from a known token response.
async function typed(): Promise<void> {
  const client = await fromState({ serverUrl: 'https://fhir.example.org/R4', tokenResponse: { access_token: 'a', token_type: 'bearer', patient: 'p' } });
  const patient: Patient = await client.patient.read();
  // @ts-expect-error a read is a Patient, not a string
  const wrong: string = await client.patient.read();
  const unknownBody = await client.request('Patient/p');
  // @ts-expect-error an untyped request resolves to unknown
  unknownBody.id;
  const err: SmartError = new SmartError('x', 'timeout');
  void [patient, wrong, err.code];
}
void typed;

async function refused(): Promise<void> {
  // @ts-expect-error an option this library does not know (the runtime refuses it: invalid_option)
  await authorize({ iss: 'https://ehr.example.org/fhir/R4', clientId: 'x', scope: 's', privateJwk: {} });
  // @ts-expect-error the single-server shape needs a client id
  await authorize({ iss: 'https://ehr.example.org/fhir/R4', scope: 's' });
  // @ts-expect-error registerDevice is the identity entry's
  await ready({ registerDevice: true });
}
void refused;

// Issue 9: identity, paging, writes, several servers.
async function portalApi(client: Client): Promise<number> {
  const claims = client.getIdToken();
  const who: string | null = client.getFhirUser();
  const type: string | null = client.getUserType();
  const me = await client.user.read();
  const enc = await client.encounter.read();
  const weights = await client.request<Observation>('Observation?code=http://loinc.org|29463-7', { pageLimit: 0, flat: true });
  const nothing: null = await client.request('Observation', { onPage: (bundle) => console.log(bundle) });
  const full = await client.request<Patient>('Patient/1', { includeResponse: true });
  const etag: string | null = full.headers.get('etag');
  const created: Observation = await client.create({ resourceType: 'Observation', status: 'final', code: { text: 'x' } });
  await client.update({ ...created, status: 'amended' }, { ifMatch: etag });
  // @ts-expect-error an ETag is a string
  await client.update(created, { ifMatch: 3 });
  const bounded = await client.request('Observation', { pageLimit: 0, pagingTimeout: 60_000, flat: true });
  const limit: ErrorCode = 'paging_limit';
  await client.patch(`Observation/${created.id}`, [{ op: 'replace', path: '/status', value: 'final' }]);
  await client.delete(`Observation/${created.id}`);
  // @ts-expect-error a JSON Patch is an array of operations
  await client.patch('Observation/1', { op: 'replace', path: '/status' });
  // @ts-expect-error a resource needs its type's required members (an Observation's code)
  await client.update({ resourceType: 'Observation', id: 'x', status: 'final' });
  const release: number = await client.getFhirRelease();
  const version: string | null = await client.getFhirVersion();
  const header: string = client.getAuthorizationHeader();
  const all: Client[] = await SMART.clients();
  const other: Client = await ready({ iss: 'https://other.example.org/fhir' });
  void [claims?.fhirUser, who, type, me.resourceType, enc.id, weights[0].id, nothing, version, header, other, nothing, bounded, limit];
  return release + all.length + full.status;
}
void portalApi;

// Issue 14: pins, a required signature, how the id_token's origin was established, a refresh's
// id_token that was not adopted.
async function interoperability(): Promise<string> {
  await authorize({
    servers: [{ iss: 'https://fhir.example.org/R4', clientId: 'c', authorizationEndpoint: 'https://idp.example.org/authorize',
      tokenEndpoint: 'https://gateway.example.org/token' }],
    scope: 'openid fhirUser', requireIdTokenSignature: true,
  });
  // @ts-expect-error a pin belongs to one server entry
  await authorize({ servers: [{ iss: 'https://fhir.example.org/R4' }], clientId: 'c', scope: 's', tokenEndpoint: 'https://t.example.org/token' });
  const client = await ready();
  const how: 'signature' | 'tls' | null = client.getIdTokenVerification();
  await client.refresh();
  const why: ErrorCode | undefined = client.idTokenError?.code;
  return `${how} ${why}`;
}
void interoperability;
