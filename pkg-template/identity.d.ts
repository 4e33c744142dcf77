// Types of `smart-wasm/identity`: everything in `smart-wasm`, plus browser-bound app identity.
import type { AuthorizeOptions, Client as BaseClient } from './index.js';

export * from './index.js';

/** A registration this browser holds with one FHIR server (no key material: the private key stays in WebCrypto). */
export interface Registration {
  /** The FHIR server (`iss`). */
  iss: string;
  /** The dynamic client id the server issued to this browser. */
  clientId: string;
  /** The app's own client id, sent as `software_id`. */
  softwareId: string;
  /** RFC 7638 thumbprint of the registered public key. */
  kid: string;
  alg: 'ES384' | 'RS384' | 'RS256';
  scope: string;
  tokenEndpoint: string;
  /** Seconds since the epoch. */
  createdAt: number;
  lastUsedAt: number;
}

/**
 * How to register: the key's algorithm (`ES384` by default), and the registration body:
 * `'rfc7591'` (default) sends the client metadata a generic RFC 7591 server requires
 * (`redirect_uris`, `grant_types`, `token_endpoint_auth_method: private_key_jwt`, …);
 * `'minimal'` sends only `software_id` and `jwks`, as Epic documents it.
 */
export interface RegistrationOptions {
  alg?: 'ES384' | 'RS384' | 'RS256';
  metadata?: 'rfc7591' | 'minimal';
}

export declare class Client extends BaseClient {
  /**
   * Registers this browser with the server (RFC 7591): a new WebCrypto key pair whose private key
   * cannot be exported, kept in IndexedDB. The launch's access token is the one-time initial access
   * token; the client then switches to the registered identity (JWT bearer grant). Default `ES384`.
   */
  registerDynamicClient(options?: RegistrationOptions): Promise<Registration>;
  /**
   * Set when `ready({ registerDevice })` completed the launch but could not register this browser
   * (the server refused, or IndexedDB failed): the client then uses the launch's own session.
   */
  readonly registrationError: import('./index.js').SmartError | undefined;
}

/** `registerDevice` of `ready()`: `true` (ES384) or the algorithm. */
export interface RegisterDeviceOption {
  registerDevice?: boolean | RegistrationOptions;
}

/** `ready()` without the server list (a public client's redirect page needs none). */
export interface RegisterDeviceOnly extends RegisterDeviceOption {
  iss?: undefined;
  fhirServiceUrl?: undefined;
  servers?: undefined;
  clientId?: undefined;
  clientSecret?: undefined;
  scope?: undefined;
  redirectUri?: undefined;
}

/**
 * As in `smart-wasm`; with `registerDevice`, the launch's token is used at once as the one-time
 * initial access token to register this browser (and never stored), and the client returned is the
 * registered one. The server options are needed only by a confidential client (its secret).
 */
export function ready(options?: (AuthorizeOptions & RegisterDeviceOption) | RegisterDeviceOnly | { iss: string }): Promise<Client>;
export function clients(options?: AuthorizeOptions): Promise<Client[]>;
export function init(options: AuthorizeOptions): Promise<Client>;
/**
 * A later visit: a new access token by the JWT bearer grant, with no login. Throws
 * `no_registration` when there is none. Waits at most `timeout` ms (30 s) for a
 * `forgetRegistration()` of the same server in another tab.
 */
export function resume(options: { iss: string; timeout?: number } | { fhirServiceUrl: string; timeout?: number } | string): Promise<Client>;
/**
 * Deletes this browser's registration with a server: its key pair and record. The server's
 * registration stays, bound to a public key whose private half no longer exists (it was never
 * exportable), so nobody can use it. (The library keeps no RFC 7592 registration access token: one
 * XSS could take it and re-key the registration from anywhere.) Never interleaves with a
 * `resume()` of the same server, in any tab; waits for that at most `timeout` ms (30 s).
 */
export function forgetRegistration(iss: string | { iss: string; timeout?: number }): Promise<void>;
/** The registrations this browser holds, one per server. */
export function listRegistrations(): Promise<Registration[]>;

/**
 * Non-interactive: the client credentials grant with `clientSecret` (HTTP Basic, seed 003) or with
 * this browser's registered key (`useRegistration: true`, SMART Backend Services). For headless
 * tests and internal tools only — never in code shipped to patients' browsers.
 */
export function clientCredentials(options: AuthorizeOptions & { useRegistration?: boolean }): Promise<Client>;
/** A key bound to a client registered out of band: its record, and the public JWKS to register. */
export interface ClientKey extends Registration {
  jwks: { keys: Array<Record<string, string>> };
}

/** Options of `createClientKey` / `importClientKey`: the server and the client id the app registered the key's JWKS under. */
export interface ClientKeyOptions {
  iss: string;
  clientId: string;
  alg?: 'ES384' | 'RS384' | 'RS256';
  /** Milliseconds the discovery request may take. */
  timeout?: number;
}

/**
 * SMART confidential-asymmetric with the app's own registration: a new WebCrypto key pair (private
 * half non-extractable) kept in IndexedDB for `iss`; register the returned `jwks` with the server
 * out of band, then `authorize({ iss, clientId, scope, useRegistration: true })` launches with a
 * client assertion on the code exchange and every refresh.
 */
export function createClientKey(options: ClientKeyOptions): Promise<ClientKey>;
/**
 * The same with a private JWK the app provides, imported as a non-extractable key (its `kid` kept).
 * For tools and tests only: a key that existed outside WebCrypto is only as safe as where it was.
 */
export function importClientKey(options: ClientKeyOptions & { privateJwk: JsonWebKey & { kid?: string } }): Promise<ClientKey>;

/** Non-interactive: FHIR requests with HTTP Basic client credentials (seed 002). Tools and tests only. */
export function basicClient(options: { iss: string; clientId: string; clientSecret: string }): Promise<Client>;

export declare const oauth2: {
  authorize: typeof import('./index.js').authorize; ready: typeof ready; init: typeof init; resume: typeof resume;
};
declare const SMART: {
  oauth2: typeof oauth2; authorize: typeof import('./index.js').authorize; ready: typeof ready; init: typeof init;
  clients: typeof clients; client: typeof import('./index.js').client; loadModule: typeof import('./index.js').loadModule; resume: typeof resume; forgetRegistration: typeof forgetRegistration; listRegistrations: typeof listRegistrations;
  clientCredentials: typeof clientCredentials; basicClient: typeof basicClient;
  createClientKey: typeof createClientKey; importClientKey: typeof importClientKey;
};
export default SMART;
