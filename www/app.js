// The demo portal: launch, then the patient banner and the token context. It uses only the
// package's public API, imported by name as an npm user would.
import SMART from 'smart-wasm';
import { SANDBOX_FHIR, DEFAULT_SCOPE, optionsFor } from './config.js';

const $ = (id) => document.getElementById(id);
const CHOICES = 'demo:choices';
const choices = () => JSON.parse(sessionStorage.getItem(CHOICES) || '{}');

function showError(e) {
  $('error-code').textContent = e.code || e.name || 'error';
  $('error-message').textContent = e.message;
  $('error').hidden = false;
  $('status').textContent = 'Something went wrong.';
}

const REDACT = new Set(['access_token', 'refresh_token', 'id_token']);
function showContext(client) {
  const state = client.getState();
  const shown = Object.fromEntries(Object.entries(state.tokenResponse).map(([k, v]) => [k, REDACT.has(k) ? '…redacted' : v]));
  $('context-json').textContent = JSON.stringify({ serverUrl: state.serverUrl, scope: state.scope, expiresAt: state.expiresAt, tokenResponse: shown }, null, 2);
  $('context').hidden = false;
}

async function showPatient(client) {
  $('error').hidden = true;
  const p = await client.patient.read();
  const name = p.name?.[0] ?? {};
  $('patient-name').textContent = [...(name.given ?? []), name.family].filter(Boolean).join(' ');
  $('patient-birth').textContent = p.birthDate ?? 'unknown';
  $('patient-gender').textContent = p.gender ?? 'unknown';
  $('patient-id').textContent = p.id;
  $('banner').hidden = false;
  $('status').textContent = 'Signed in.';
  showContext(client);
}

async function main() {
  const params = new URLSearchParams(location.search);
  const returning = params.has('code') || params.has('error') || params.has('state') || sessionStorage.getItem('smart-wasm:session');
  if (!returning) {
    $('iss').value = SANDBOX_FHIR;
    $('scope').value = DEFAULT_SCOPE;
    $('launch').hidden = false;
    $('status').textContent = 'Choose a server and launch.';
    $('launch').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const c = { iss: $('iss').value, client: $('client').value, scope: $('scope').value, epic: $('epic').checked };
      sessionStorage.setItem(CHOICES, JSON.stringify(c));
      $('status').textContent = 'Redirecting to the authorization server…';
      try { await SMART.oauth2.authorize(optionsFor(c)); } catch (e) { showError(e); }
    });
    return;
  }
  $('status').textContent = 'Completing sign-in…';
  let client;
  try {
    client = await SMART.oauth2.ready(optionsFor(choices()));
  } catch (e) {
    showError(e);
    return;
  }
  window.smartClient = client; // for the end-to-end tests and the console
  $('reload').onclick = () => showPatient(client).catch(showError);
  $('refresh').onclick = () => client.refresh().then(() => showContext(client), showError);
  $('signout').onclick = () => { sessionStorage.clear(); location.replace(location.pathname); };
  try {
    await showPatient(client);
  } catch (e) {
    showContext(client);
    showError(e);
  }
}

main();
