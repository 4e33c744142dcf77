'use client';
// The launch page and the redirect page of a Next.js app router app: `?fhir=` launches; otherwise
// the README's component (PatientBanner.tsx, copied from the README by the test) completes the
// launch. Development mode runs effects twice (StrictMode).
import { useEffect, useState } from 'react';
import SMART from 'smart-wasm';
import { PatientBanner } from './PatientBanner';

export default function Page() {
  const [redirected, setRedirected] = useState<boolean>();
  useEffect(() => {
    const fhir = new URLSearchParams(location.search).get('fhir');
    if (fhir) {
      SMART.authorize({ iss: fhir, clientId: 'toolchain-app', scope: 'openid fhirUser launch/patient patient/Patient.read',
        redirectUri: `${location.origin}${location.pathname}` });
    }
    setRedirected(!fhir);
  }, []);
  return redirected ? <PatientBanner /> : <p>…</p>;
}
