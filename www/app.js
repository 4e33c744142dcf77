// The demo patient portal: launch, then the patient banner, who signed in (the verified id_token's
// fhirUser), a chart of vital signs over the past year (a paged Observation search by LOINC code),
// and the patient's conditions, medications and allergies — for each connected health system,
// side by side. It uses only the package's public API, imported by name as an npm user would:
// `smart-wasm`, or `smart-wasm/identity` when this device signs in by itself (only then is the
// larger module loaded).
import { SANDBOX_FHIR, DEFAULT_SCOPE, optionsFor, otherHealthSystems } from './config.js';
import { lineChart } from './chart.js';

// Which server this device holds a registration with. Not a secret: the key stays in WebCrypto
// and IndexedDB; this only tells the demo to load the identity module and try a silent sign-in.
const DEVICE = 'demo:device-sign-in';
// Set by "Sign out" for this tab: the next visit shows the launch form instead of signing in
// silently with the registered device.
const SIGNED_OUT = 'demo:signed-out';
const load = async (identity) => {
  const mod = await import(identity ? 'smart-wasm/identity' : 'smart-wasm');
  window.SMART = mod; // for the end-to-end tests and the console
  return mod.default;
};

const $ = (id) => document.getElementById(id);
const CHOICES = 'demo:choices';
const choices = () => JSON.parse(sessionStorage.getItem(CHOICES) || '{}');
const LOINC = 'http://loinc.org';
const VITALS = { weight: '29463-7', heartRate: '8867-4', bloodPressure: '85354-9', systolic: '8480-6', diastolic: '8462-4' };

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

const personName = (r) => {
  const n = r?.name?.[0] ?? {};
  return n.text ?? [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ');
};

async function showPatient(client) {
  $('error').hidden = true;
  const p = await client.patient.read();
  $('patient-name').textContent = personName(p);
  $('patient-birth').textContent = p.birthDate ?? 'unknown';
  $('patient-gender').textContent = p.gender ?? 'unknown';
  $('patient-id').textContent = p.id;
  // SMART's need_patient_banner: false when the EHR already shows one around the app.
  $('patient-details').hidden = client.getState().tokenResponse.need_patient_banner === false;
  $('banner').hidden = false;
  $('status').textContent = 'Signed in.';
  showContext(client);
  return p;
}

/** Whether the granted scope lets the app read `type` (SMART v1 `.read`/`.*`, v2 `.rs`…). */
function grants(scope, type) {
  return scope.split(' ').some((s) => {
    const m = /^(patient|user)\/(\*|[A-Za-z]+)\.(read|\*|[cruds]+)$/.exec(s);
    return m && (m[2] === '*' || m[2] === type) && (m[3] === 'read' || m[3] === '*' || /[rs]/.test(m[3]));
  });
}

const node = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
};

/** Vital signs over time: one paged search for the three LOINC codes, drawn as three charts. */
async function vitals(client, patient, section) {
  const codes = [VITALS.weight, VITALS.heartRate, VITALS.bloodPressure].map((c) => `${LOINC}|${c}`).join(',');
  let pages = 0;
  const observations = [];
  await client.request(`Observation?patient=${encodeURIComponent(patient)}&code=${codes}&_count=50`, {
    pageLimit: 0, flat: true, onPage: (resources) => { pages += 1; observations.push(...resources); },
  });
  const coded = (r, code) => r.code?.coding?.some((c) => c.system === LOINC && c.code === code);
  const series = (code, pick = (r) => r.valueQuantity?.value) => observations.filter((o) => coded(o, code))
    .map((o) => ({ t: Date.parse(o.effectiveDateTime), v: pick(o) })).filter((p) => Number.isFinite(p.v)).sort((a, b) => a.t - b.t);
  const component = (code) => (o) => o.component?.find((c) => coded(c, code))?.valueQuantity?.value;
  section.append(
    lineChart({ title: 'Body weight', unit: 'kg', series: [{ points: series(VITALS.weight), className: 'weight' }] }),
    lineChart({ title: 'Heart rate', unit: 'beats/min', series: [{ points: series(VITALS.heartRate), className: 'pulse' }] }),
    lineChart({ title: 'Blood pressure', unit: 'mmHg', series: [
      { name: 'systolic', points: series(VITALS.bloodPressure, component(VITALS.systolic)), className: 'systolic' },
      { name: 'diastolic', points: series(VITALS.bloodPressure, component(VITALS.diastolic)), className: 'diastolic' }] }),
    node('p', { class: 'note' }, `${observations.length} measurements, ${pages} pages of search results.`),
  );
}

const LISTS = [
  ['Condition', 'Conditions', (r) => `${r.code?.text ?? 'Condition'}${r.onsetDateTime ? ` (since ${r.onsetDateTime.slice(0, 4)})` : ''}`],
  ['MedicationRequest', 'Medications', (r) => [r.medicationCodeableConcept?.text, r.dosageInstruction?.[0]?.text].filter(Boolean).join(' — ')],
  ['AllergyIntolerance', 'Allergies', (r) => r.code?.text ?? 'Allergy'],
];

/**
 * One health system's record: who signed in, the patient, vital signs, and lists. `known` is the
 * patient resource when the banner already read it.
 */
async function renderRecord(client, grid, known) {
  const state = client.getState();
  const patient = client.getPatientId();
  const article = node('article', { class: 'record', 'data-server': state.serverUrl });
  const who = node('p', { class: 'user' }, 'Signed in.');
  const patientLine = node('p', { class: 'patient' });
  article.append(node('h3', {}, `Health system at ${new URL(state.serverUrl).host}`), who, patientLine);
  grid.append(article);
  const showPatientLine = (p) => { patientLine.textContent = `Patient: ${personName(p)}, born ${p.birthDate ?? 'unknown'}`; return p; };
  const patientRead = known ? Promise.resolve(showPatientLine(known))
    : patient && grants(state.scope, 'Patient') ? client.patient.read().then(showPatientLine, () => null) : Promise.resolve(null);
  const part = (name, title) => {
    const s = node('section', { 'data-section': name }, node('h4', {}, title));
    article.append(s);
    return s;
  };
  const guard = (section, f) => f().catch((e) => section.append(node('p', { class: 'problem' }, `Could not load: ${e.code ?? e.message}`)));
  const fhirUser = client.getFhirUser();
  const jobs = [];
  // The signed-in user, from the verified id_token: the patient themself (already read), or
  // someone else (a clinician, a parent) whose resource is read.
  const self = fhirUser && fhirUser === `Patient/${patient}`;
  const user = !fhirUser ? Promise.resolve(null) : self ? patientRead : client.user.read().catch(() => null);
  jobs.push(user.then((u) => {
    // How the id_token was checked: by the server's signature, or (its keys out of reach) as the
    // token endpoint's answer over TLS.
    const how = { signature: 'identity verified by signature', tls: 'identity from the token endpoint over TLS' }[client.getIdTokenVerification()];
    who.textContent = !fhirUser ? 'Signed in (the server did not say who: no openid fhirUser scope).'
      : `Signed in as ${u ? personName(u) : fhirUser} (${fhirUser}${self ? ', the patient' : ''}${how ? `; ${how}` : ''})`;
  }));
  if (!patient) {
    article.append(node('p', {}, 'No patient in context.'));
    return Promise.all(jobs);
  }
  const vitalsPart = part('vitals', 'Vital signs, past year');
  jobs.push(grants(state.scope, 'Observation') ? guard(vitalsPart, () => vitals(client, patient, vitalsPart))
    : Promise.resolve(vitalsPart.append(node('p', { class: 'note' }, 'Not shared with this app (scope).'))));
  for (const [type, title, line] of LISTS) {
    const s = part(type, title);
    if (!grants(state.scope, type)) { s.append(node('p', { class: 'note' }, 'Not shared with this app (scope).')); continue; }
    jobs.push(guard(s, async () => {
      const items = await client.request(`${type}?patient=${encodeURIComponent(patient)}`, { flat: true, pageLimit: 0 });
      s.append(items.length ? node('ul', {}, ...items.map((r) => node('li', {}, line(r)))) : node('p', { class: 'note' }, 'None recorded.'));
    }));
  }
  return Promise.all(jobs);
}

/** Every health system this tab is connected to, side by side; and "Connect another". */
async function renderRecords(SMART, current, currentPatient) {
  const all = await SMART.clients(optionsFor(choices()));
  window.smartClients = all; // for the end-to-end tests and the console
  const grid = $('records-grid');
  grid.replaceChildren();
  $('records').hidden = false;
  // The launch just completed first, then the others.
  all.sort((a, b) => (b.getState().serverUrl === current.getState().serverUrl) - (a.getState().serverUrl === current.getState().serverUrl));
  await Promise.all(all.map((c) => renderRecord(c, grid, c.getState().serverUrl === current.getState().serverUrl ? currentPatient : null)));
  const connected = new Set(all.map((c) => c.getState().serverUrl));
  const other = (await otherHealthSystems()).find((iss) => !connected.has(iss));
  $('connect').hidden = !other;
  $('connect').onclick = async () => {
    const c = { iss: other, client: 'public', scope: DEFAULT_SCOPE };
    sessionStorage.setItem(CHOICES, JSON.stringify(c));
    $('status').textContent = 'Redirecting to the other health system…';
    try { await SMART.oauth2.authorize(optionsFor(c)); } catch (e) { showError(e); }
  };
  $('records').dataset.loaded = 'true';
}

function signedIn(SMART, client, how) {
  window.smartClient = client; // for the end-to-end tests and the console
  sessionStorage.removeItem(SIGNED_OUT);
  $('reload').onclick = () => showPatient(client).then(() => { $('status').textContent = 'Patient read again.'; }, showError);
  $('refresh').onclick = () => client.refresh().then((state) => {
    showContext(client);
    $('status').textContent = `Token refreshed; it now expires at ${new Date(state.expiresAt * 1000).toLocaleTimeString()}.`;
  }, showError);
  $('signout').onclick = () => {
    // Ends the sessions of this tab. A registered device stays registered (until "Forget this
    // device"); the next launch page says it can sign in silently.
    sessionStorage.clear();
    sessionStorage.setItem(SIGNED_OUT, '1');
    location.replace(location.pathname);
  };
  const device = localStorage.getItem(DEVICE);
  $('forget').hidden = !device;
  $('forget').onclick = async () => {
    await SMART.forgetRegistration(device);
    localStorage.removeItem(DEVICE);
    sessionStorage.clear();
    sessionStorage.setItem(SIGNED_OUT, 'forgotten');
    location.replace(location.pathname);
  };
  return showPatient(client).then((p) => {
    $('status').textContent = how;
    renderRecords(SMART, client, p).catch(showError);
  });
}

async function resume(device) {
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

async function main() {
  const params = new URLSearchParams(location.search);
  const returning = params.has('code') || params.has('error') || params.has('state') || sessionStorage.getItem('smart-wasm:session');
  const device = localStorage.getItem(DEVICE);
  const signedOut = sessionStorage.getItem(SIGNED_OUT);
  if (!returning && device && !signedOut) return resume(device);
  if (!returning) {
    $('iss').value = SANDBOX_FHIR;
    $('scope').value = DEFAULT_SCOPE;
    $('launch').hidden = false;
    $('status').textContent = !signedOut ? 'Choose a server and launch.'
      : signedOut === 'forgotten' ? 'Signed out; this device is forgotten (its key is deleted): the next launch needs a login.' : 'Signed out.';
    if (device) {
      $('device').hidden = false;
      $('device-server').textContent = device;
      $('device-signin').onclick = () => { $('launch').hidden = true; $('device').hidden = true; resume(device); };
    }
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
