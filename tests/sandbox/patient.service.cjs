// Patient read and search for node-fhir-server-core, over the fixtures, limited to the patient
// compartment the token allows (req.smart, set by fhir-auth.mjs).
const { ServerError } = require('@asymmetrik/node-fhir-server-core');

let patients = [];
import('./patients.mjs').then((m) => { patients = m.patients; });

const visible = (req) => patients.filter((p) => !req.smart.patient || p.id === req.smart.patient);

module.exports.searchById = async (args, { req }) => {
  const found = visible(req).find((p) => p.id === args.id);
  if (!found) {
    throw new ServerError('not found', { statusCode: 404, issue: [{ severity: 'error', code: 'not-found', diagnostics: `Patient/${args.id}` }] });
  }
  return found;
};

module.exports.search = async (args, { req }) => {
  const hits = visible(req).filter((p) => !args.family || p.name.some((n) => n.family.toLowerCase().startsWith(String(args.family).toLowerCase())));
  return { resourceType: 'Bundle', type: 'searchset', total: hits.length, entry: hits.map((resource) => ({ fullUrl: `Patient/${resource.id}`, resource })) };
};
