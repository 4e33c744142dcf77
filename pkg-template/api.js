// The JavaScript API over one build of the module (shared by index.js and identity.js): loads the
// WebAssembly on first use and exposes fhirclient.js's names.
export function makeApi(load, wasm, wasmUrl) {
  let loading;
  /** Fetches and instantiates the module once; every call awaits it. */
  const loadModule = () => (loading ??= load({ module_or_path: wasmUrl }));
  const call = async (op, options) => (await loadModule(), wasm.run(op, options));
  const authorize = (options) => call(0, options);
  const ready = (options) => call(1, options);
  const init = (options) => call(2, options);
  /** fhirclient.js's shape, so a port is a changed import: `SMART.oauth2.authorize(...)`. */
  const oauth2 = { authorize, ready, init };
  return { call, loadModule, authorize, ready, init, oauth2 };
}
