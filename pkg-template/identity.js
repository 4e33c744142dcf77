// smart-wasm/identity: everything in smart-wasm, plus browser-bound app identity (seed 004's
// "offline access for browser-based applications"): dynamic client registration with a
// non-extractable WebCrypto key kept in IndexedDB, then the JWT bearer grant on later visits.
// A separate, larger module: apps that do not use it do not download it.
// (`smart-wasm-source`: see index.js.)
import load, * as wasm from './identity/smart_wasm_identity.js';
import source from 'smart-wasm-source';
import { makeApi, SmartError } from './api.js';

const api = makeApi(load, wasm, source);
export const { loadModule, authorize, ready, init, clients, client } = api;
export const Client = wasm.Client;
export { SmartError };
/** A later visit: a token by the JWT bearer grant from this browser's registration, no login. */
export const resume = (options) => api.call(3, options);
/** Deletes this browser's registration with a server: its key pair and its record. */
export const forgetRegistration = (iss) => api.call(4, iss);
/** What this browser holds: one record per server (no key material). */
export const listRegistrations = () => api.call(5);
/**
 * Non-interactive modes, for headless browser tests and internal tools — never for code shipped
 * to patients' browsers: the client credentials grant with a client secret (`clientSecret`) or
 * with this browser's registered key (`useRegistration: true`, SMART Backend Services style)…
 */
export const clientCredentials = (options) => api.call(6, options);
/** …and a client that sends HTTP Basic client credentials to a FHIR server that accepts them. */
export const basicClient = (options) => api.call(7, options);
/**
 * A key for a client the app registers with the server out of band (SMART confidential-asymmetric):
 * a new non-extractable WebCrypto key pair kept in IndexedDB for `iss`; resolves to its public
 * `jwks` to register. Then `authorize({ …, useRegistration: true })` launches as `clientId`.
 */
export const createClientKey = (options) => api.call(8, options);
/** The same with a private JWK the app provides, imported non-extractable. For tools and tests only. */
export const importClientKey = (options) => api.call(9, options);
export const oauth2 = { ...api.oauth2, resume };
export default { oauth2, authorize, ready, init, clients, client, loadModule, resume, forgetRegistration, listRegistrations, clientCredentials,
  basicClient, createClientKey, importClientKey };
