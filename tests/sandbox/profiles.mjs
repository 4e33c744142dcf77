// Server profiles of the sandbox (test infrastructure): the shapes real EHRs publish, which a
// standards-perfect oidc-provider does not. One profile per instance (SANDBOX_PROFILE); the
// default, `standard`, is what the sandbox always was. Each entry says what the instance changes and
// which real deployments have the shape (tests/corpus/ holds their recorded documents).
//
// Knobs:
//   issuer          where oidc-provider's issuer lives: 'as' (its own origin), 'as/' (the same with
//                   a trailing slash), 'tenant' (a per-tenant path on its origin), 'fhir-base' (the
//                   FHIR base URL, where nothing about it is published)
//   configIssuer    what the smart-configuration says `issuer` is: 'provider' (the same string),
//                   'no-slash' (the provider's issuer without its trailing slash), 'none' (absent)
//   configJwks      whether the smart-configuration carries `jwks_uri`
//   gateway         the authorization and token endpoints are a gateway on another origin in front
//                   of the identity provider (302 to its authorize, proxy to its token endpoint)
//   hideMetadata    the provider's own OpenID Discovery answers 404
//   metadataUnderBase  OpenID Discovery is (also) served under the FHIR base
//   noCorsKeys      discovery and JWKS answer without CORS (SMART requires CORS only on
//                   smart-configuration, token and FHIR endpoints)
//   idTokenAlg      every id_token is re-signed with this algorithm (its key published in the JWKS)
//   refreshIdTokenWithoutAud  an id_token a refresh brings has no `aud`
//   smartConfiguration  false: no smart-configuration (404), the endpoints only in the
//                   CapabilityStatement's `oauth-uris` extension (SMART App Launch 1.0)
//   pkceOptional    PKCE is checked when the client sends a challenge, not required (SMART 1.0
//                   made it optional; fhirclient.js sends none to a server that lists no methods)
//   verification    how the library establishes the id_token's origin against this profile
export const PROFILES = {
  standard: { issuer: 'as', configIssuer: 'provider', configJwks: true, verification: 'signature' },
  // athenahealth (issuer https://athena.okta.com/oauth2/…, endpoints on api.platform.athenahealth.com),
  // NextGen Enterprise: the issuer is an identity provider on another host, the endpoints a gateway;
  // the IdP's own metadata lists its own endpoints, not the gateway's.
  'idp-gateway': { issuer: 'as', configIssuer: 'provider', configJwks: false, gateway: true, verification: 'signature' },
  // Oracle Health (issuer https://authorization.cerner.com/tenants/<id>, no metadata there): a
  // per-tenant issuer path that publishes nothing, jwks_uri in the smart-configuration.
  'tenant-issuer': { issuer: 'tenant', configIssuer: 'provider', configJwks: true, hideMetadata: true, verification: 'signature' },
  // An Epic customer (Apotti): no issuer and no jwks_uri in the smart-configuration; OpenID
  // Discovery under the FHIR base names both.
  'metadata-under-fhir-base': { issuer: 'as', configIssuer: 'none', configJwks: false, hideMetadata: true, metadataUnderBase: true, verification: 'signature' },
  // MEDITECH-style trailing slash: the smart-configuration names the issuer without it, the
  // provider's metadata, redirects and tokens with it.
  'issuer-other-string': { issuer: 'as/', configIssuer: 'no-slash', configJwks: false, verification: 'signature' },
  // eClinicalWorks, VA Lighthouse: the issuer is the FHIR base, nothing published at it, no jwks_uri.
  'issuer-is-fhir-base': { issuer: 'fhir-base', configIssuer: 'provider', configJwks: false, verification: 'tls' },
  // Metadata and keys without CORS (a browser cannot read them).
  'no-cors-metadata': { issuer: 'as', configIssuer: 'provider', configJwks: true, noCorsKeys: true, verification: 'tls' },
  es256: { issuer: 'as', configIssuer: 'provider', configJwks: true, idTokenAlg: 'ES256', verification: 'signature' },
  ps256: { issuer: 'as', configIssuer: 'provider', configJwks: true, idTokenAlg: 'PS256', verification: 'signature' },
  eddsa: { issuer: 'as', configIssuer: 'provider', configJwks: true, idTokenAlg: 'EdDSA', verification: 'signature' },
  // A refresh's id_token without aud (OIDC Core §12.2 asks for it).
  'refresh-no-aud': { issuer: 'as', configIssuer: 'provider', configJwks: true, refreshIdTokenWithoutAud: true, verification: 'signature' },
  // No issuer at all in the smart-configuration (Epic's own, CareEvolution's recorded fields).
  'no-issuer': { issuer: 'as', configIssuer: 'none', configJwks: true, verification: 'signature' },
  // SMART App Launch 1.0: no smart-configuration, the endpoints in the CapabilityStatement (Epic and
  // MEDITECH customers recorded by ONC Lantern); no issuer or keys are named anywhere.
  'smart-v1': { issuer: 'as', configIssuer: 'none', configJwks: false, smartConfiguration: false, pkceOptional: true, verification: 'tls' },
};

/** The profile named by `name`, or an error naming the known ones. */
export function profile(name = 'standard') {
  const p = PROFILES[name];
  if (!p) throw new Error(`unknown sandbox profile ${name}; known: ${Object.keys(PROFILES).join(', ')}`);
  return { name, ...p };
}
