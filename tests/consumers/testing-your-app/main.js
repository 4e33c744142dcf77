// "my-app" of the README's "Testing your app": an EHR-launched chart. Its test configuration
// (VITE_FHIR_BASE, given at build time) lists the FHIR server it may be launched from.
import SMART from 'smart-wasm';

const out = document.getElementById('out');
const params = new URLSearchParams(location.search);
try {
  if (params.has('launch')) {
    await SMART.authorize({ servers: [{ iss: import.meta.env.VITE_FHIR_BASE, clientId: 'my-app' }],
      scope: 'launch openid fhirUser patient/*.rs', redirectUri: `${location.origin}${location.pathname}` });
  } else {
    const patient = await (await SMART.ready()).patient.read();
    out.textContent = `${patient.name?.[0]?.given?.join(' ')} ${patient.name?.[0]?.family}`;
  }
} catch (e) {
  out.textContent = `${e.code}: ${e.message}`;
}
