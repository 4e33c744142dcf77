// The sandbox's clinical records (test infrastructure): for each fixture patient a year of weekly
// vital signs (body weight, heart rate, blood pressure with components), and a few conditions,
// medication requests, encounters and allergies; a Practitioner for the clinician login. One
// generic node-fhir-server-core service per resource type: read, search (patient, code as
// `system|code`, date with ge/gt/le/lt/eq, _count with real paging through `_offset` next links),
// create, update (If-Match), delete and JSON Patch, all inside the patient compartment the token
// allows (req.smart, set by fhir-auth.mjs). Deterministic: the same data on every start.
const { ServerError } = require('@asymmetrik/node-fhir-server-core');

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const PATIENTS = ['amy', 'daniel', 'kim'];
// The year of vitals ends on this day (fixed, so every run serves the same records).
const LAST_DAY = Date.UTC(2026, 10, 23);
const WEEK = 7 * 24 * 3600 * 1000;

/** type -> Map(id -> resource) */
const store = new Map();
const put = (r) => {
  if (!store.has(r.resourceType)) store.set(r.resourceType, new Map());
  r.meta = { versionId: String(Number(r.meta?.versionId || 0) + 1), lastUpdated: new Date().toISOString() };
  store.get(r.resourceType).set(r.id, r);
  return r;
};

// A small deterministic generator (so the charts have plausible, stable wiggles).
function rng(seed) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

const concept = (system, code, display) => ({ coding: [{ system, code, display }], text: display });
const vitalsCategory = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }];
const qty = (value, unit, code) => ({ value, unit, system: 'http://unitsofmeasure.org', code });

function seed() {
  const profiles = { amy: { weight: 64, hr: 68, sys: 118, dia: 76 }, daniel: { weight: 81, hr: 74, sys: 142, dia: 88 }, kim: { weight: 57, hr: 62, sys: 112, dia: 70 } };
  PATIENTS.forEach((pid, pi) => {
    const subject = { reference: `Patient/${pid}` };
    const p = profiles[pid];
    const rand = rng(pi + 7);
    for (let w = 51; w >= 0; w -= 1) {
      const day = new Date(LAST_DAY - w * WEEK).toISOString().slice(0, 10);
      const drift = (51 - w) / 51;
      const n = String(52 - w).padStart(2, '0');
      put({ resourceType: 'Observation', id: `${pid}-weight-${n}`, status: 'final', category: vitalsCategory,
        code: concept(LOINC, '29463-7', 'Body weight'), subject, effectiveDateTime: day,
        valueQuantity: qty(Math.round((p.weight + drift * (pi === 1 ? -4 : 2) + (rand() - 0.5) * 1.6) * 10) / 10, 'kg', 'kg') });
      put({ resourceType: 'Observation', id: `${pid}-hr-${n}`, status: 'final', category: vitalsCategory,
        code: concept(LOINC, '8867-4', 'Heart rate'), subject, effectiveDateTime: day,
        valueQuantity: qty(Math.round(p.hr + (rand() - 0.5) * 12), 'beats/minute', '/min') });
      put({ resourceType: 'Observation', id: `${pid}-bp-${n}`, status: 'final', category: vitalsCategory,
        code: concept(LOINC, '85354-9', 'Blood pressure panel with all children optional'), subject, effectiveDateTime: day,
        component: [
          { code: concept(LOINC, '8480-6', 'Systolic blood pressure'), valueQuantity: qty(Math.round(p.sys - drift * (pi === 1 ? 10 : 0) + (rand() - 0.5) * 10), 'mmHg', 'mm[Hg]') },
          { code: concept(LOINC, '8462-4', 'Diastolic blood pressure'), valueQuantity: qty(Math.round(p.dia - drift * (pi === 1 ? 5 : 0) + (rand() - 0.5) * 8), 'mmHg', 'mm[Hg]') },
        ] });
    }
    const conditions = {
      amy: [['195967001', 'Asthma', '2009-04-02'], ['68566005', 'Urinary tract infection', '2026-03-10']],
      daniel: [['38341003', 'Hypertension', '1998-06-15'], ['44054006', 'Type 2 diabetes mellitus', '2004-09-01'], ['49436004', 'Atrial fibrillation', '2019-01-22']],
      kim: [['35489007', 'Depressive disorder', '2022-11-05']],
    }[pid];
    conditions.forEach(([code, display, onset], i) => put({ resourceType: 'Condition', id: `${pid}-condition-${i + 1}`,
      clinicalStatus: concept('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active', 'Active'),
      code: concept(SNOMED, code, display), subject, onsetDateTime: onset, recordedDate: onset }));
    const meds = {
      amy: [['745679', 'albuterol 90 MCG/ACTUAT inhaler', 'Two puffs every 4 hours as needed']],
      daniel: [['314076', 'lisinopril 10 MG Oral Tablet', 'One tablet daily'], ['860975', 'metformin 500 MG Oral Tablet', 'One tablet twice daily'], ['855332', 'warfarin 5 MG Oral Tablet', 'As directed by the anticoagulation clinic']],
      kim: [['312938', 'sertraline 50 MG Oral Tablet', 'One tablet daily']],
    }[pid];
    meds.forEach(([code, display, text], i) => put({ resourceType: 'MedicationRequest', id: `${pid}-med-${i + 1}`, status: 'active',
      intent: 'order', medicationCodeableConcept: concept(RXNORM, code, display), subject, authoredOn: '2026-01-15',
      dosageInstruction: [{ text }] }));
    const allergies = { amy: [['91936005', 'Penicillin']], daniel: [], kim: [['300913006', 'Shellfish'], ['418689008', 'Grass pollen']] }[pid];
    allergies.forEach(([code, display], i) => put({ resourceType: 'AllergyIntolerance', id: `${pid}-allergy-${i + 1}`,
      clinicalStatus: concept('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active', 'Active'),
      code: concept(SNOMED, code, display), patient: subject }));
    ['2025-12-02', '2026-05-19', '2026-11-23'].forEach((start, i) => put({ resourceType: 'Encounter', id: `${pid}-encounter-${i + 1}`,
      status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [concept(SNOMED, '185349003', 'Encounter for check up')], subject, period: { start, end: start } }));
  });
  put({ resourceType: 'Practitioner', id: 'smith', name: [{ family: 'Smith', given: ['Jordan'], prefix: ['Dr.'] }] });
}
seed();

/** The encounter a launch puts in context: the patient's latest. */
const latestEncounter = (patient) => `${patient}-encounter-3`;

const fail = (statusCode, code, text) => new ServerError(text, { statusCode, issue: [{ severity: 'error', code, diagnostics: text }] });

/** The patient a resource belongs to (its compartment), if any. */
const patientOf = (r) => {
  const ref = (r.subject || r.patient)?.reference || (r.resourceType === 'Patient' ? `Patient/${r.id}` : '');
  return /^Patient\/(.+)$/.exec(ref)?.[1];
};

function visibleTo(req, r) {
  const only = req.smart?.patient;
  if (!only) return true;
  if (r.resourceType === 'Practitioner') return true;
  return patientOf(r) === only;
}

function codeMatches(r, param) {
  return String(param).split(',').some((one) => {
    const bar = one.indexOf('|');
    const [system, code] = bar >= 0 ? [one.slice(0, bar), one.slice(bar + 1)] : [null, one];
    return (r.code?.coding || []).some((c) => c.code === code && (system === null || system === '' || c.system === system));
  });
}

const dateOf = (r) => r.effectiveDateTime || r.onsetDateTime || r.authoredOn || r.period?.start || r.recordedDate;

function dateMatches(r, params) {
  const d = dateOf(r);
  if (!d) return false;
  return [].concat(params).every((p) => {
    const m = /^(eq|ne|gt|lt|ge|le)?(\d{4}(-\d{2}(-\d{2})?)?)$/.exec(p);
    if (!m) throw fail(400, 'invalid', `date "${p}" is not understood`);
    const v = m[2], x = d.slice(0, v.length);
    switch (m[1] || 'eq') {
      case 'eq': return x === v;
      case 'ne': return x !== v;
      case 'gt': return x > v;
      case 'lt': return x < v;
      case 'ge': return x >= v;
      default: return x <= v;
    }
  });
}

function service(type) {
  const all = () => [...(store.get(type) || new Map()).values()];
  const find = (req, id) => {
    const r = store.get(type)?.get(id);
    if (!r || !visibleTo(req, r)) throw fail(404, 'not-found', `${type}/${id}`);
    return r;
  };
  // The response body for writes (the handler itself ends the response without one).
  const represent = (req, r) => {
    req.res.locals.representation = r;
    return { id: r.id, resource_version: r.meta.versionId };
  };
  const checkCompartment = (req, r) => {
    if (r.resourceType !== type) throw fail(400, 'invalid', `resourceType must be ${type}`);
    if (req.smart?.patient && patientOf(r) !== req.smart.patient) throw fail(403, 'forbidden', 'outside the patient in context');
  };
  return {
    searchById: async (args, { req }) => find(req, args.id),
    search: async (args, { req }) => {
      const q = req.query;
      const patient = q.patient || q.subject;
      let hits = all().filter((r) => visibleTo(req, r));
      if (patient) hits = hits.filter((r) => patientOf(r) === String(patient).replace(/^Patient\//, ''));
      if (q.code) hits = hits.filter((r) => codeMatches(r, q.code));
      if (q.date) hits = hits.filter((r) => dateMatches(r, q.date));
      if (q.family) hits = hits.filter((r) => r.name?.some((n) => n.family.toLowerCase().startsWith(String(q.family).toLowerCase())));
      hits.sort((a, b) => String(dateOf(a) || '').localeCompare(String(dateOf(b) || '')) || a.id.localeCompare(b.id));
      const count = Math.min(Math.max(Number(q._count) || 50, 1), 200);
      const offset = Math.max(Number(q._offset) || 0, 0);
      const page = hits.slice(offset, offset + count);
      const base = req.sandbox.nextOrigin ? `${req.sandbox.nextOrigin}/4_0_0` : req.sandbox.fhirBase;
      const link = (at) => {
        const params = new URLSearchParams(Object.entries(q).flatMap(([k, v]) => [].concat(v).map((x) => [k, x])).filter(([k]) => k !== '_offset'));
        params.set('_offset', String(at));
        return `${base}/${type}?${params}`;
      };
      const links = [{ relation: 'self', url: link(offset).replace(base, req.sandbox.fhirBase) }];
      // `endless`: a hostile server's paging, a next link on every page, each one new.
      if (offset + count < hits.length || req.sandbox.endless) links.push({ relation: 'next', url: link(offset + count) });
      return { resourceType: 'Bundle', type: 'searchset', total: hits.length, link: links,
        entry: page.map((resource) => ({ fullUrl: `${req.sandbox.fhirBase}/${type}/${resource.id}`, resource, search: { mode: 'match' } })) };
    },
    create: async (args, { req }) => {
      const r = { ...req.body, id: `${type.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}` };
      delete r.meta;
      checkCompartment(req, r);
      return represent(req, put(r));
    },
    update: async (args, { req }) => {
      const existing = store.get(type)?.get(args.id);
      if (existing && !visibleTo(req, existing)) throw fail(403, 'forbidden', 'outside the patient in context');
      const ifMatch = req.get('if-match');
      if (ifMatch && (!existing || ifMatch !== `W/"${existing.meta.versionId}"`)) {
        throw fail(412, 'conflict', `If-Match ${ifMatch} does not match the current version W/"${existing?.meta.versionId}"`);
      }
      const r = { ...req.body, id: args.id, meta: existing?.meta };
      if (req.body?.id !== undefined && req.body.id !== args.id) throw fail(400, 'invalid', 'the id in the body differs from the URL');
      checkCompartment(req, r);
      const out = represent(req, put(r));
      return { ...out, created: !existing };
    },
    patch: async (args, { req }) => {
      const existing = find(req, args.id);
      const ops = req.body;
      if (!Array.isArray(ops)) throw fail(400, 'invalid', 'a JSON Patch document (an array) is required');
      const r = structuredClone(existing);
      for (const op of ops) applyPatch(r, op);
      r.id = existing.id;
      checkCompartment(req, r);
      return represent(req, put(r));
    },
    remove: async (args, { req }) => {
      find(req, args.id);
      store.get(type).delete(args.id);
      return {};
    },
  };
}

// JSON Patch (RFC 6902): add, replace, remove and test, enough for the tests and the demo.
function applyPatch(doc, op) {
  const parts = String(op.path || '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (!parts.length) throw fail(400, 'invalid', 'JSON Patch path is required');
  let parent = doc;
  for (const p of parts.slice(0, -1)) {
    parent = parent?.[p];
    if (parent === undefined) throw fail(400, 'invalid', `JSON Patch path ${op.path} does not exist`);
  }
  const key = parts[parts.length - 1];
  switch (op.op) {
    case 'add':
      if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : Number(key), 0, op.value); else parent[key] = op.value;
      break;
    case 'replace': parent[key] = op.value; break;
    case 'remove': if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete parent[key]; break;
    case 'test':
      if (JSON.stringify(parent[key]) !== JSON.stringify(op.value)) throw fail(422, 'processing', `JSON Patch test failed at ${op.path}`);
      break;
    default: throw fail(400, 'not-supported', `JSON Patch op "${op.op}" is not supported here`);
  }
}

module.exports = { service, latestEncounter, store };
