#!/usr/bin/env node
// smart-wasm-sandbox: runs the sandbox in this process until it is stopped (Ctrl-C, or a signal)
// and prints, once it listens, one line of JSON with its URLs. Every port is a free one unless
// given.
//   --client <id>=<redirect URI>[,<redirect URI>…]   a public client of the app under test (repeatable)
//   --headless <user>          launches sign in as <user> without a page (amy, daniel, kim, dr-smith)
//   --patient <id>             with --headless: the patient in context (a clinician's launch)
//   --tls                      https everywhere, with a certificate made at start ("certificate" in the JSON)
//   --host <address>           the address to bind (127.0.0.1); --hostname <name>: the name in the URLs
//   --profile <name>           a server shape (standard, idp-gateway, tenant-issuer, es256, …: profiles.mjs)
//   --port-fhir, --port-authorization-server, --port-control <n>   fixed ports
const args = process.argv.slice(2);
const clients = [];
let headless = null;
let patient;
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split(/=(.*)/s, 2);
  const value = () => inline ?? args[++i];
  switch (flag) {
    case '--client': {
      const spec = inline ?? args[++i] ?? '';
      const at = spec.indexOf('=');
      if (at < 1) { console.error('smart-wasm-sandbox: --client takes <id>=<redirect URI>[,…]'); process.exit(2); }
      clients.push({ clientId: spec.slice(0, at), redirectUris: spec.slice(at + 1).split(',').filter(Boolean) });
      break;
    }
    case '--headless': headless = value(); break;
    case '--patient': patient = value(); break;
    case '--tls': process.env.SANDBOX_TLS = '1'; break;
    case '--host': process.env.SANDBOX_HOST = value(); break;
    case '--hostname': process.env.SANDBOX_HOSTNAME = value(); break;
    case '--profile': process.env.SANDBOX_PROFILE = value(); break;
    case '--port-fhir': process.env.SANDBOX_FHIR_PORT = value(); break;
    case '--port-authorization-server': process.env.SANDBOX_AS_PORT = value(); break;
    case '--port-control': process.env.SANDBOX_DEMO_PORT = value(); break;
    case '--help': case '-h':
      console.log('usage: smart-wasm-sandbox [--client id=redirectUri[,…]]… [--headless user [--patient id]] [--tls] [--host a] [--hostname n] [--profile p]');
      process.exit(0);
      break;
    default: console.error(`smart-wasm-sandbox: unknown option ${flag} (--help lists them)`); process.exit(2);
  }
}
process.env.SANDBOX_CLIENTS = JSON.stringify(clients);
if (headless) process.env.SANDBOX_HEADLESS = JSON.stringify({ user: headless, patient });
await import('./server.mjs');
