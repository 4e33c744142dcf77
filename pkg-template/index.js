// smart-wasm: SMART App Launch for browser apps. `smart-wasm/identity` adds device sign-in.
// `smart-wasm-source` is the module's .wasm: its URL beside this file (`index.js`), or its bytes
// (`inline.js`); scripts/build.sh bundles each entry with one of them.
import load, * as wasm from './smart_wasm.js';
import source from 'smart-wasm-source';
import { makeApi, SmartError } from './api.js';

const api = makeApi(load, wasm, source);
export const { loadModule, authorize, ready, init, clients, client, oauth2 } = api;
export const Client = wasm.Client;
export { SmartError };
export default { oauth2, authorize, ready, init, clients, client, loadModule };
