// smart-wasm: SMART App Launch for browser apps. `smart-wasm/identity` adds device sign-in.
import load, * as wasm from './smart_wasm.js';
import { makeApi } from './api.js';

const api = makeApi(load, wasm, new URL('./smart_wasm_bg.wasm', import.meta.url));
export const { loadModule, authorize, ready, init, clients, oauth2 } = api;
export const Client = wasm.Client;
export default { oauth2, authorize, ready, init, clients, loadModule };
