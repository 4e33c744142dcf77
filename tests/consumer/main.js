// The consumer app of the package tests: imports smart-wasm (or smart-wasm/identity, `?entry=`)
// by its package name, launches against the FHIR server given as `?fhir=`, and on the redirect
// shows the patient read with the token. Its state is on #out's data attributes.
const out = document.getElementById('out');
const params = new URLSearchParams(location.search);
if (params.has('entry')) sessionStorage.setItem('consumer:entry', params.get('entry'));
const identity = sessionStorage.getItem('consumer:entry') === 'identity';

try {
  const SMART = (identity ? await import('smart-wasm/identity') : await import('smart-wasm')).default;
  if (params.has('fhir')) {
    await SMART.oauth2.authorize({
      iss: params.get('fhir'), clientId: 'consumer-app', scope: 'openid fhirUser launch/patient patient/Patient.read',
      redirectUri: `${location.origin}${location.pathname}`,
    });
  } else {
    const client = await SMART.oauth2.ready();
    const patient = await client.patient.read();
    out.textContent = `${patient.name[0].given[0]} ${patient.name[0].family} (${client.getFhirUser()})`;
    Object.assign(out.dataset, { patient: patient.id, user: client.getFhirUser(), entry: identity ? 'identity' : 'default' });
  }
} catch (e) {
  out.textContent = `${e.code ?? e.name}: ${e.message}`;
  out.dataset.error = e.code ?? e.name;
}
