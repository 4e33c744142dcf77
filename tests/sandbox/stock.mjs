// A stock RFC 7591 authorization server: oidc-provider with open dynamic registration and the
// JWT bearer grant type registered, none of the sandbox's registration glue (no initial access
// token swap, no server-side defaults). It checks that registration bodies carry what a generic
// server requires. Beside it, at /fhir, the smart-configuration that points a client at it.
// CORS is added for the registration endpoint only, so a browser test can read the answer.
import Provider from 'oidc-provider';

export function stockServer(issuer) {
  const provider = new Provider(issuer, {
    features: { registration: { enabled: true } },
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'RS384', 'ES384'] },
  });
  provider.registerGrantType('urn:ietf:params:oauth:grant-type:jwt-bearer', async (ctx) => {
    ctx.status = 400;
    ctx.body = { error: 'unsupported_grant_type', error_description: 'registration tests only' };
  }, ['assertion']);
  provider.use(async (ctx, next) => {
    const origin = ctx.get('origin');
    if (origin) ctx.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept', Vary: 'Origin' });
    if (ctx.method === 'OPTIONS' && (ctx.path === '/reg' || ctx.path.startsWith('/fhir/'))) { ctx.status = 204; return; }
    if (ctx.path === '/fhir/.well-known/smart-configuration') {
      ctx.body = { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, registration_endpoint: `${issuer}/reg`,
        code_challenge_methods_supported: ['S256'] };
      return;
    }
    await next();
  });
  return provider;
}
