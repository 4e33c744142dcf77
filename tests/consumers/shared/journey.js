// The journey every toolchain's app runs (tests/e2e/toolchains.test.mjs): with `?fhir=` it
// launches against that FHIR server; on the redirect it reads the patient in context and shows
// them. `SMART` is the entry the toolchain uses. What happened is on #out's data attributes.
export async function journey(SMART, out = document.getElementById('out')) {
  const params = new URLSearchParams(location.search);
  try {
    if (params.has('fhir')) {
      await SMART.authorize({
        iss: params.get('fhir'), clientId: 'toolchain-app', scope: 'openid fhirUser launch/patient patient/Patient.read',
        redirectUri: `${location.origin}${location.pathname}`,
      });
    } else {
      const client = await SMART.ready();
      const patient = await client.patient.read();
      out.textContent = `${patient.name?.[0]?.given?.[0]} ${patient.name?.[0]?.family}`;
      out.dataset.patient = patient.id ?? '';
    }
  } catch (e) {
    out.textContent = `${e.code ?? e.name}: ${e.message}`;
    out.dataset.error = e.code ?? e.name;
  }
}
