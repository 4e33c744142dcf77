// id_token faults for the end-to-end tests (test infrastructure). oidc-provider signs honest
// id_tokens; `settings.idTokenMode` (set through /_sandbox/settings, used once) makes the sandbox
// replace the next token response's id_token with a faulty or differently signed one, so every
// check the client makes can be seen failing. The JWKS the issuer publishes gains a key for each
// algorithm a mode 'alg:<ALG>' has asked for, and, around a 'rotated' token, a new key that the
// first JWKS fetch omits (a set older than the token: fetched before it was issued, or a stale cache)
// and later fetches include. A profile (profiles.mjs) may re-sign every id_token with another
// algorithm (`idTokenAlg`, its key published too) or drop `aud` from a refresh's.
import * as jose from 'jose';

const pair = async (alg, kid) => {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { alg, kid, privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' } };
};

export async function installIdTokenModes(provider, { providerKey, settings, events, profile = {} }) {
  const rotated = await pair('ES384', 'sandbox-2');
  const unknown = await pair('RS256', 'sandbox-unknown');
  const sign = (claims, k, header = {}) => new jose.SignJWT(claims).setProtectedHeader({ alg: k.alg, kid: k.kid, ...header }).sign(k.privateKey);
  const honest = { alg: 'RS256', kid: 'sandbox-1', privateKey: providerKey };
  const profileKey = profile.idTokenAlg ? await pair(profile.idTokenAlg, `sandbox-${profile.idTokenAlg.toLowerCase()}`) : null;
  // Modes 'alg:<ALG>' and 'alg:<ALG>:tampered': the next id_token signed with a key of that
  // algorithm (made when the mode is first asked for, then published for good, whichever of the
  // JWKS fetch and the token request comes first), honestly or with one signature byte changed.
  const algKeys = new Map();
  const algKey = async (mode) => {
    const alg = /^alg:([A-Za-z0-9]+)/.exec(mode ?? '')?.[1];
    if (!alg) return null;
    // The promise is kept, so a JWKS fetch and a token request that ask at once share one key.
    if (!algKeys.has(alg)) algKeys.set(alg, pair(alg, `sandbox-alg-${alg.toLowerCase()}`));
    return algKeys.get(alg);
  };
  const tamper = (jws) => {
    const [h, p, s] = jws.split('.');
    return `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
  };

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/jwks' && ctx.status === 200 && ctx.body?.keys) {
      // Exactly one fetch around a rotation is stale, whether it comes before the token is issued
      // (fetched beside the token request) or after.
      const rotating = settings.idTokenMode === 'rotated' || settings.rotation === 'issued';
      const stale = rotating && !settings.rotationStaleServed;
      if (stale) settings.rotationStaleServed = true;
      await algKey(settings.idTokenMode);
      ctx.body = { keys: [...ctx.body.keys, ...(profileKey ? [profileKey.jwk] : []), ...(await Promise.all(algKeys.values())).map((k) => k.jwk),
        ...((settings.rotation === 'issued' && !stale) || settings.keysRotated ? [rotated.jwk] : [])] };
      events.push({ type: 'jwks', stale });
      return;
    }
    // Profile shapes: every id_token signed with another algorithm; a refresh's without aud.
    if (ctx.oidc?.route === 'token' && ctx.status === 200 && ctx.body?.id_token) {
      const refresh = ctx.oidc.params?.grant_type === 'refresh_token';
      if (profileKey || (refresh && profile.refreshIdTokenWithoutAud) || settings.keysRotated) {
        const claims = jose.decodeJwt(ctx.body.id_token);
        if (refresh && profile.refreshIdTokenWithoutAud) delete claims.aud;
        // The test control /_sandbox/rotate-keys: signed with the new key from now on.
        ctx.body = { ...ctx.body, id_token: await sign(claims, settings.keysRotated ? rotated : profileKey ?? honest) };
        events.push({ type: 'id_token', mode: `profile ${profile.name}`, refresh });
      }
    }
    const mode = settings.idTokenMode;
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || !ctx.body?.id_token || !mode) return;
    settings.idTokenMode = null;
    const token = ctx.body.id_token;
    const claims = jose.decodeJwt(token);
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const [h, p] = token.split('.');
    const modeKey = await algKey(mode);
    const replace = modeKey ? async () => {
      const signed = await sign(claims, modeKey);
      return mode.endsWith(':tampered') ? tamper(signed) : signed;
    } : {
      'bad-signature': async () => tamper(token),
      none: async () => `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`,
      hs256: async () => new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'sandbox-1' }).sign(new TextEncoder().encode('a shared secret of the sandbox')),
      'wrong-aud': async () => sign({ ...claims, aud: 'another-client' }, honest),
      'other-sub': async () => sign({ ...claims, sub: 'daniel' }, honest),
      'multi-aud-no-azp': async () => sign({ ...claims, aud: [claims.aud, 'another-client'], azp: undefined }, honest),
      'multi-aud-azp': async () => sign({ ...claims, aud: [claims.aud, 'another-client'], azp: claims.aud }, honest),
      'wrong-iss': async () => sign({ ...claims, iss: 'http://127.0.0.1:1/elsewhere' }, honest),
      'wrong-nonce': async () => sign({ ...claims, nonce: 'not-the-one-sent' }, honest),
      expired: async () => sign({ ...claims, iat: now - 7200, exp: now - 3600 }, honest),
      'no-fhiruser': async () => sign({ ...claims, fhirUser: undefined }, honest),
      rotated: async () => { settings.rotation = 'issued'; return sign(claims, rotated); },
      'unknown-kid': async () => sign(claims, unknown),
    }[mode];
    if (!replace) throw new Error(`unknown idTokenMode ${mode}`);
    ctx.body = { ...ctx.body, id_token: await replace() };
    events.push({ type: 'id_token', mode });
  });
}
