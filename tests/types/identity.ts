// Type-checks the identity entry's declarations (never run).
import SMART, { resume, listRegistrations, forgetRegistration, type Registration, type Client } from 'smart-wasm/identity';

async function device(): Promise<number> {
  const client: Client = await SMART.oauth2.ready();
  const reg: Registration = await client.registerDynamicClient({ alg: 'RS384' });
  const again: Client = await resume({ iss: reg.iss });
  const p = await again.patient.read();
  const all: Registration[] = await listRegistrations();
  await forgetRegistration(reg.iss);
  return all.length + (p.birthDate ? 1 : 0) + reg.createdAt;
}
void device;
