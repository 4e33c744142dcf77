// The launch page and the redirect page of a Vite React-TS app: `?fhir=` launches; otherwise the
// README's component (PatientBanner.tsx, copied from the README by the test) completes the launch
// under StrictMode.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import SMART from 'smart-wasm';
import { PatientBanner } from './PatientBanner';

const fhir = new URLSearchParams(location.search).get('fhir');
if (fhir) {
  await SMART.authorize({ iss: fhir, clientId: 'toolchain-app', scope: 'openid fhirUser launch/patient patient/Patient.read',
    redirectUri: `${location.origin}${location.pathname}` });
} else {
  createRoot(document.getElementById('root')!).render(<StrictMode><PatientBanner /></StrictMode>);
}
