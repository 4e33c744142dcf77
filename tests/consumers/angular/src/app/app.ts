// An Angular app: `?fhir=` launches; on the redirect the patient in context is read. Angular's
// build does not emit the .wasm of the default entry (its bundler does not follow
// `new URL(…, import.meta.url)`): it imports the inline entry, which carries the module.
import { Component, OnInit, signal } from '@angular/core';
import SMART from 'smart-wasm/inline';

@Component({
  selector: 'app-root',
  template: `<p id="out" [attr.data-patient]="patient()" [attr.data-error]="error()">{{ text() }}</p>`,
})
export class App implements OnInit {
  patient = signal<string | null>(null);
  error = signal<string | null>(null);
  text = signal('Loading…');

  async ngOnInit() {
    const params = new URLSearchParams(location.search);
    try {
      if (params.has('fhir')) {
        await SMART.authorize({ iss: params.get('fhir')!, clientId: 'toolchain-app', scope: 'openid fhirUser launch/patient patient/Patient.read',
          redirectUri: `${location.origin}${location.pathname}` });
      } else {
        const client = await SMART.ready();
        const patient = await client.patient.read();
        this.text.set(`${patient.name?.[0]?.family}`);
        this.patient.set(patient.id ?? '');
      }
    } catch (e: any) {
      this.text.set(`${e.code}: ${e.message}`);
      this.error.set(e.code ?? 'error');
    }
  }
}
