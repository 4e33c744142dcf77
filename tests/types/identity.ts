// Type-checks the identity entry's declarations (never run).
import SMART, { resume, listRegistrations, forgetRegistration, type Registration, type Client } from 'smart-wasm/identity';

async function device(): Promise<number> {
  const client: Client = await SMART.oauth2.ready();
  const reg: Registration = await client.registerDynamicClient({ alg: 'RS384' });
  const again: Client = await resume({ iss: reg.iss });
  const p = await again.patient.read();
  const all: Registration[] = await listRegistrations();
  const forgotten: void = await forgetRegistration({ iss: reg.iss, timeout: 5000 });
  void forgotten;
  await resume({ iss: reg.iss, timeout: 5000 });
  return all.length + (p.birthDate ? 1 : 0) + reg.createdAt;
}
void device;

async function readyShapes(): Promise<void> {
  // The README's call: no server options on a public client's redirect page.
  await SMART.oauth2.ready({ registerDevice: { alg: 'ES384' } });
  await SMART.oauth2.ready({ iss: 'https://fhir.example.org/R4', clientId: 'x', scope: 's', registerDevice: true });
  // @ts-expect-error a server option without the server: the runtime refuses it too (invalid_option)
  await SMART.oauth2.ready({ clientId: 'x', registerDevice: true });
  // @ts-expect-error not an algorithm
  await SMART.oauth2.ready({ registerDevice: { alg: 'HS256' } });
}
void readyShapes;

async function ownKeys(): Promise<string> {
  const made = await SMART.createClientKey({ iss: 'https://fhir.example.org/R4', clientId: 'registered-id', alg: 'RS384' });
  const imported = await SMART.importClientKey({ iss: 'https://fhir.example.org/R4', clientId: 'x', privateJwk: { kty: 'EC', crv: 'P-384', d: 'x', x: 'y', y: 'z', kid: 'k1' } });
  // @ts-expect-error the client id the key is registered under is required
  await SMART.createClientKey({ iss: 'https://fhir.example.org/R4' });
  return made.jwks.keys[0].kid + imported.kid;
}
void ownKeys;
