// The demo portal: launch, then the patient banner and the token context. It uses only the
// package's public API, imported by name as an npm user would: `smart-wasm`, or
// `smart-wasm/identity` when this device signs in by itself (only then is the larger module loaded).
import { SANDBOX_FHIR, DEFAULT_SCOPE, optionsFor } from './config.js';

// Which server this device holds a registration with. Not a secret: the key stays in WebCrypto
// and IndexedDB; this only tells the demo to load the identity module and try a silent sign-in.
const DEVICE = 'demo:device-sign-in';
const load = async (identity) => {
  const mod = await import(identity ? 'smart-wasm/identity' : 'smart-wasm');
  window.SMART = mod; // for the end-to-end tests and the console
  return mod.default;
};

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

function signedIn(SMART, client, how) {
  window.smartClient = client; // for the end-to-end tests and the console
  $('reload').onclick = () => showPatient(client).catch(showError);
  $('refresh').onclick = () => client.refresh().then(() => showContext(client), showError);
  $('signout').onclick = () => { sessionStorage.clear(); location.replace(location.pathname); };
  const device = localStorage.getItem(DEVICE);
  $('forget').hidden = !device;
  $('forget').onclick = async () => {
    await SMART.forgetRegistration(device);
    localStorage.removeItem(DEVICE);
    sessionStorage.clear();
    location.replace(location.pathname);
  };
  return showPatient(client).then(() => { $('status').textContent = how; });
}

async function main() {
  const params = new URLSearchParams(location.search);
  const returning = params.has('code') || params.has('error') || params.has('state') || sessionStorage.getItem('smart-wasm:session');
  const device = localStorage.getItem(DEVICE);
  if (!returning && device) {
    $('status').textContent = 'Signing in on this device…';
    const SMART = await load(true);
    try {
      return await signedIn(SMART, await SMART.resume({ iss: device }), 'Signed in silently on this device.');
    } catch (e) {
      if (e.code === 'no_registration') localStorage.removeItem(DEVICE);
      showError(e);
      $('error').hidden = false;
    }
  }
  if (!returning) {
    $('iss').value = SANDBOX_FHIR;
    $('scope').value = DEFAULT_SCOPE;
    $('launch').hidden = false;
    $('status').textContent = 'Choose a server and launch.';
    $('launch').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const c = { iss: $('iss').value, client: $('client').value, scope: $('scope').value, epic: $('epic').checked,
        stay: $('stay').checked, alg: $('alg').value };
      sessionStorage.setItem(CHOICES, JSON.stringify(c));
      $('status').textContent = 'Redirecting to the authorization server…';
      try { await (await load(c.stay)).oauth2.authorize(optionsFor(c)); } catch (e) { showError(e); }
    });
    return;
  }
  $('status').textContent = 'Completing sign-in…';
  const c = choices();
  const SMART = await load(c.stay || c.identity || Boolean(device));
  let client;
  try {
    // With "stay signed in", the launch's token registers this device at once and is never stored.
    client = await SMART.oauth2.ready({ ...optionsFor(c), registerDevice: c.stay ? { alg: c.alg } : undefined });
    if (c.stay && !client.registrationError) localStorage.setItem(DEVICE, client.getState().serverUrl);
  } catch (e) {
    showError(e);
    return;
  }
  try {
    const how = client.registrationError
      ? `Signed in, but this device could not be registered (${client.registrationError.code}): you will sign in again next time.`
      : localStorage.getItem(DEVICE) ? 'Signed in; this device will sign in by itself next time.' : 'Signed in.';
    await signedIn(SMART, client, how);
  } catch (e) {
    showContext(client);
    showError(e);
  }
}

main();
