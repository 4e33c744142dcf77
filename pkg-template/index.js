// smart-wasm: SMART App Launch for browser apps. Loads the WebAssembly module on first use and
// exposes fhirclient.js's names: authorize, ready, init, and a Client with request/refresh/patient.
import load, * as wasm from './smart_wasm.js';

let loading;
/** Fetches and instantiates the module once; every export awaits it. */
export const loadModule = () => (loading ??= load({ module_or_path: new URL('./smart_wasm_bg.wasm', import.meta.url) }));

const call = async (op, options) => (await loadModule(), wasm.run(op, options));
export const authorize = (options) => call(0, options);
export const ready = (options) => call(1, options);
export const init = (options) => call(2, options);
export const Client = wasm.Client;

/** fhirclient.js's shape, so a port is a changed import: `SMART.oauth2.authorize(...)`. */
export const oauth2 = { authorize, ready, init };
export default { oauth2, authorize, ready, init };
