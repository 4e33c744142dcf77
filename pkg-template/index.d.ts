// Types of smart-wasm's JavaScript API (an ES module package: `import`, never `require`). Error
// codes are checked against the Rust error enum by the crate's tests (src/core/error.rs), so this
// list cannot drift from what the module throws. FHIR resources are the R4 types of @types/fhir.
import type { Encounter, FhirResource, Patient, Person, Practitioner, RelatedPerson, Resource } from 'fhir/r4';

export type { FhirResource };

/** Stable `.code` of every error the library throws. */
export type ErrorCode =
  // the caller's input
  | 'invalid_option' // an option is missing, of the wrong type, invalid, or not an option of this library
  | 'iss_not_allowed' // EHR launch `iss` is not one of the configured servers
  | 'invalid_url' // a URL is not an acceptable absolute http(s) URL (non-ASCII hosts included: use their xn-- form)
  | 'insecure_url' // a URL is not https: (loopback http: is allowed)
  | 'url_not_allowed' // client.request() to a URL outside the session's FHIR server
  | 'missing_context' // e.g. client.patient.read() without a patient in context
  | 'no_launch' // ready(): no authorization response to complete and no stored session
  // the servers' answers
  | 'invalid_discovery' // .well-known/smart-configuration is malformed
  | 'pkce_unsupported' // the server does not offer PKCE S256
  | 'missing_state' // the redirect has no state
  | 'unknown_state' // the redirect's state matches no launch in flight (tampered, replayed, expired)
  | 'missing_code' // the redirect has neither code nor error
  | 'issuer_mismatch' // RFC 9207: the redirect's iss is not the authorization server's issuer
  | 'endpoint_mismatch' // smart-configuration's authorization and token endpoints are on different origins (mix-up rule), or not the ones the app pinned
  | 'authorization_error' // the redirect carries error= (see .error, .errorDescription)
  | 'token_error' // the token endpoint answered an OAuth error (see .error, .errorDescription, .status)
  | 'invalid_token_response' // a token response field is missing or of the wrong type
  | 'unsupported_token_type' // token_type is not bearer
  | 'registration_unsupported' // the server has no registration_endpoint
  | 'registration_error' // the registration endpoint refused (see .status, .error, .errorDescription)
  | 'invalid_registration_response' // a registration response field is missing or of the wrong type
  | 'no_registration' // resume(): nothing registered with this server in this browser
  | 'no_refresh_token' // a refresh was needed but the session has no refresh token
  | 'invalid_json' // a response body is not a JSON object
  | 'response_too_large' // a response body is larger than any legitimate one
  | 'http_error' // an unexpected HTTP status (see .status, .body)
  | 'unauthorized' // the FHIR server answered 401 even after a refresh
  | 'insufficient_scope' // the FHIR server answered 403 (see .body)
  | 'unexpected_redirect' // a response redirected; redirects are never followed
  | 'invalid_id_token' // the id_token is refused (none/HMAC, an alg the server does not list, a bad signature, a kid the server does not publish, iss, aud, azp, exp, iat, nonce; or, after a refresh, another user): the reason is in the message
  | 'timeout' // no complete answer within the time limit (the `timeout` option; 30 s by default)
  | 'aborted' // the app's AbortSignal aborted the request
  | 'paging_limit' // paging stopped at its overall bound: `pageLimit: 0` follows at most 1,000 pages, and paging stops after `pagingTimeout` (5 minutes by default)
  | 'module_load_failed' // the WebAssembly module could not be fetched or instantiated (see .cause); the next call tries again
  // the browser
  | 'network_error'
  | 'storage_error'
  | 'crypto_error';

/**
 * Every error the library throws or rejects with: `err instanceof SmartError`, with a stable
 * `code`. (An error of the other entry, when an app loads both, is an instance too.)
 */
export declare class SmartError extends Error {
  constructor(message: string, code: ErrorCode);
  name: 'SmartError';
  code: ErrorCode;
  /** HTTP status, for token_error, http_error, unauthorized, insufficient_scope. */
  status?: number;
  /** OAuth `error`, for authorization_error and token_error. */
  error?: string;
  /** OAuth `error_description`, when the server sent one. */
  errorDescription?: string;
  /** The response body (parsed JSON, e.g. an OperationOutcome, or text), for FHIR errors. */
  body?: unknown;
}

/** One FHIR server the app is registered with. Production and non-production client ids differ. */
export interface ServerOptions {
  /** FHIR base URL (the SMART `iss`); with or without a trailing slash. */
  iss: string;
  /** The client id this server issued (defaults to the top-level `clientId`). */
  clientId?: string;
  /**
   * Client secret of a confidential-symmetric client. Never stored by the library; pass the same
   * options to `ready()`. A secret in code shipped to browsers is not secret: use this only for
   * internal tools and tests.
   */
  clientSecret?: string;
  /** Scopes to request (defaults to the top-level `scope`). */
  scope?: string;
  /** Exact redirect URI registered with the server (defaults to the top-level one, else this page). */
  redirectUri?: string;
  /**
   * How HTTP Basic carries `clientId:clientSecret`: `'form'` (default) form-encodes both first, as
   * RFC 6749 §2.3.1 requires; `'raw'` sends them as they are, for servers that compare the decoded
   * header without form-decoding it (only matters when the secret has characters such as `/ + = :`).
   */
  secretEncoding?: 'form' | 'raw';
  /**
   * Pins: the authorization and token endpoints the app expects of this server. The
   * smart-configuration must name exactly these (`endpoint_mismatch` otherwise), and with pins the
   * two may be on different origins. Without pins, both must share one origin (the mix-up rule).
   */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

/** Options every launch shape shares. A name not listed in these types is refused with `invalid_option`. */
export interface LaunchOptions {
  /** Defaults for every entry of `servers` (or the single server's values). */
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  redirectUri?: string;
  secretEncoding?: 'form' | 'raw';
  /** Milliseconds each request may take before it fails with `timeout` (1..600000; default 30000). */
  timeout?: number;
  /** Send `aud` (the FHIR base) on the authorize request. Default true; some servers reject it. */
  aud?: boolean;
  /** Send `Epic-Client-ID: <client id>` on FHIR requests. Default false. */
  epicClientIdHeader?: boolean;
  /** Seconds before expiry at which `request()` refreshes the access token. Default 30. */
  refreshMargin?: number;
  /** `authorize()` resolves to the authorization URL instead of navigating to it. */
  noRedirect?: boolean;
  /** `smart-wasm/identity`: act as this browser's registered client (confidential-asymmetric). */
  useRegistration?: boolean;
  /**
   * Refuse an id_token whose signature cannot be checked (its keys unreachable — no CORS, 404,
   * timeout — or an algorithm this browser cannot verify) instead of trusting the token endpoint's
   * TLS answer (OIDC Core §3.1.3.7 step 6, the default). The launch then fails with the reason.
   */
  requireIdTokenSignature?: boolean;
}

/** Endpoint pins of one server (see `ServerOptions`). */
interface Pins {
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

/** One server: its FHIR base (`iss`), client id and scope. */
export interface SingleServerOptions extends LaunchOptions, Pins {
  iss: string;
  fhirServiceUrl?: undefined;
  servers?: undefined;
  clientId: string;
  scope: string;
}

/** One server named by fhirclient.js's `fhirServiceUrl`. */
export interface FhirServiceUrlOptions extends LaunchOptions, Pins {
  fhirServiceUrl: string;
  iss?: undefined;
  servers?: undefined;
  clientId: string;
  scope: string;
}

/** Several servers (also the EHR-launch `iss` allow-list); `iss` / `fhirServiceUrl` picks one for a standalone launch. */
export interface ServerListOptions extends LaunchOptions {
  servers: ServerOptions[];
  iss?: string;
  fhirServiceUrl?: string;
  /** Pins belong to one entry of `servers`. */
  authorizationEndpoint?: undefined;
  tokenEndpoint?: undefined;
}

/** Options of `authorize` / `ready` / `init`. */
export type AuthorizeOptions = SingleServerOptions | FhirServiceUrlOptions | ServerListOptions;

/** The token response, every field kept (unknown ones too). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  patient?: string;
  encounter?: string;
  fhirContext?: Array<Record<string, unknown>>;
  need_patient_banner?: boolean;
  smart_style_url?: string;
  intent?: string;
  tenant?: string;
  [field: string]: unknown;
}

/** `client.getState()` / `client.state`. */
export interface ClientState {
  serverUrl: string;
  clientId: string;
  tokenUri: string;
  /** Granted scope (the requested one when the server did not say). */
  scope: string;
  /** Access token expiry, seconds since the epoch, or null when the server gave no expires_in. */
  expiresAt: number | null;
  tokenResponse: TokenResponse;
}

export interface RequestOptions {
  method?: string;
  /** Resolve to `{ body, status, headers }` instead of the body. Not combined with paging. */
  includeResponse?: boolean;
  /**
   * Follow the Bundle's `next` links: at most this many pages. 0 follows every page up to 1,000,
   * and fails with `paging_limit` if there are more (give a larger number to follow more). Each
   * next link must be on this FHIR server like any URL (`url_not_allowed` otherwise; the token is
   * not sent). With any paging option the result is the array of pages (or resources with
   * `flat`), or null with `onPage`.
   */
  pageLimit?: number;
  /**
   * With paging: milliseconds after which no further page is requested (`paging_limit`;
   * 1..86400000, default 300000). Each page also has its own `timeout`.
   */
  pagingTimeout?: number;
  /** With paging: the pages' `entry[].resource`s, in one array (or per page to `onPage`). */
  flat?: boolean;
  /** With paging: called (and awaited) with each page instead of collecting them. */
  onPage?: (page: any) => unknown;
  /** Extra headers (an object or `Headers`); `Authorization` and `Epic-Client-ID` are the client's own and are ignored. */
  headers?: Record<string, string> | Headers;
  /** A string, or an object sent as JSON (`application/fhir+json`). */
  body?: string | object;
  /** Aborts the request (`aborted`). */
  signal?: AbortSignal;
  /** Milliseconds this request may take (default: the launch's `timeout`, 30 s). */
  timeout?: number;
}

/** `request(url, { includeResponse: true })`. */
export interface FhirResponse<T = unknown> {
  /** Parsed JSON, null when empty, the text when not JSON. */
  body: T;
  status: number;
  headers: Headers;
}

/** Options of the write helpers: those of `request`, plus `ifMatch` (an ETag such as `W/"3"`). */
export interface WriteOptions extends Omit<RequestOptions, 'method' | 'body' | 'pageLimit' | 'pagingTimeout' | 'flat' | 'onPage'> {
  /** Sent as `If-Match` when a string; `null` or left out sends none (a resource read without an ETag). */
  ifMatch?: string | null;
}

/** The verified claims of the OpenID Connect id_token (`client.getIdToken()`). */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  /** SMART: the signed-in user's FHIR resource URL (e.g. `https://ehr/fhir/Practitioner/123`). */
  fhirUser?: string;
  profile?: string;
  [claim: string]: unknown;
}

/** The R4 type of a resource of `R`'s `resourceType` (what the server answers a write with). */
export type ResourceOf<R extends FhirResource> = Extract<FhirResource, { resourceType: R['resourceType'] }>;

/** One JSON Patch operation (RFC 6902). */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** A client bound to one FHIR server and one authorized session. */
export declare class Client {
  protected constructor();
  /**
   * A FHIR request with the Bearer token: a path relative to the FHIR base or an absolute URL under
   * it (WHATWG URL rules; a path segment that decodes to a `..` step is refused). Search values may
   * be written as they are (`identifier=http://h.example/mrn|123`, `name=O'Brien`): the query is
   * sent form-encoded as `URLSearchParams` writes it, with the same decoded values. Resolves to the
   * parsed JSON (null for an empty body). Refreshes shortly before expiry and once on a 401;
   * concurrent callers share one refresh. Redirects are not followed.
   */
  // What the server answers is not checked: `T` (a FHIR R4 type, e.g. `request<Bundle<Observation>>`)
  // is the app's word for it, `unknown` until it gives one.
  request<T = unknown>(url: string | (RequestOptions & { url: string }), init: RequestOptions & { includeResponse: true }): Promise<FhirResponse<T>>;
  request<T = unknown>(url: string | (RequestOptions & { url: string }), init: RequestOptions & { onPage: (page: any) => unknown }): Promise<null>;
  request<T = unknown>(url: string | (RequestOptions & { url: string }), init: RequestOptions & ({ pageLimit: number } | { flat: true })): Promise<T[]>;
  request<T = unknown>(url: string | (RequestOptions & { url: string }), init?: RequestOptions): Promise<T>;
  /** POST `resource` to its type (`application/fhir+json`); resolves to the server's answer. */
  create<R extends FhirResource>(resource: R, init?: WriteOptions & { includeResponse?: false }): Promise<ResourceOf<R>>;
  create<R extends FhirResource>(resource: R, init: WriteOptions & { includeResponse: true }): Promise<FhirResponse<ResourceOf<R>>>;
  /**
   * PUT `resource` to `Type/id` (without an `id`, or with `.`/`..`, it is `invalid_option`);
   * `ifMatch` makes it a versioned update (412 `http_error` when stale).
   */
  update<R extends FhirResource>(resource: R, init?: WriteOptions & { includeResponse?: false }): Promise<ResourceOf<R>>;
  update<R extends FhirResource>(resource: R, init: WriteOptions & { includeResponse: true }): Promise<FhirResponse<ResourceOf<R>>>;
  /** DELETE `url` (`Type/id` or an absolute URL on this server). */
  delete<T = unknown>(url: string, init?: WriteOptions): Promise<T>;
  /** PATCH `url` with a JSON Patch (RFC 6902; `application/json-patch+json`). */
  patch<R extends Resource = FhirResource>(url: string, jsonPatch: JsonPatchOperation[], init?: WriteOptions): Promise<R>;
  /** The server's FHIR version (`fhirVersion` of its CapabilityStatement, fetched once). */
  getFhirVersion(): Promise<string | null>;
  /** 2 (DSTU2), 3 (STU3), 4 (R4, R4B), 5 (R5), or 0 when unknown. */
  getFhirRelease(): Promise<number>;
  /** `Bearer <access token>`, for requests the app makes itself. */
  getAuthorizationHeader(): string;
  /**
   * The id_token's claims, checked (iss, aud/azp, exp, iat, nonce) and their origin established
   * (`getIdTokenVerification()` says how), or null without `openid`.
   */
  getIdToken(): IdTokenClaims | null;
  /**
   * How the id_token's origin was established: `'signature'` (verified with a key the server
   * publishes) or `'tls'` (its keys could not be had, or its algorithm cannot be checked in this
   * browser: trusted as the token endpoint's answer over TLS); null without an id_token.
   */
  getIdTokenVerification(): 'signature' | 'tls' | null;
  /**
   * Why the latest refresh's id_token was not adopted (`invalid_id_token`): the session kept the new
   * tokens and the claims verified before. Undefined when it was adopted. (An id_token naming
   * another user ends the session instead: the refresh fails and so does every later call.)
   */
  readonly idTokenError: SmartError | undefined;
  /** `Type/id` of the signed-in user (the verified `fhirUser`), e.g. `Practitioner/123`, or null. */
  getFhirUser(): string | null;
  getUserId(): string | null;
  getUserType(): string | null;
  readonly user: {
    readonly id: string | null; readonly resourceType: string | null; readonly fhirUser: string | null;
    /** Reads the signed-in user's resource; `missing_context` without a verified `fhirUser`. */
    read(): Promise<Patient | Practitioner | RelatedPerson | Person>;
  };
  readonly encounter: { readonly id: string | undefined; read(): Promise<Encounter> };
  /** Refreshes the access token now; resolves to the new state. */
  refresh(): Promise<ClientState>;
  getPatientId(): string | undefined;
  getEncounterId(): string | undefined;
  getState(): ClientState;
  readonly state: ClientState;
  readonly patient: { readonly id: string | undefined; read(): Promise<Patient> };
  /** Releases the WebAssembly memory of this client. */
  free(): void;
}

/** Starts a SMART launch (standalone, or EHR when the page URL has `iss` and `launch`) and navigates. */
export function authorize(options: AuthorizeOptions & { noRedirect: true }): Promise<string>;
export function authorize(options: AuthorizeOptions): Promise<void>;
/**
 * Completes the launch on the redirect page (the client of that launch; sessions with other
 * servers stay), or restores this tab's session: with the server of the latest launch, or the one
 * `iss` names.
 */
export function ready(options?: AuthorizeOptions | { iss: string }): Promise<Client>;
/** A client for each FHIR server this tab holds a session with (options: confidential clients' secrets). */
export function clients(options?: AuthorizeOptions): Promise<Client[]>;
/** `ready()` when there is something to complete or restore, otherwise `authorize()`. */
export function init(options: AuthorizeOptions): Promise<Client>;
/** Loads the WebAssembly module ahead of the first call (optional). */
export function loadModule(): Promise<unknown>;

/** What `client(state)` takes: a token response the app already has (fhirclient.js's `FHIR.client(state)`). */
export interface ClientStateInput {
  /** The FHIR base the token is for. */
  serverUrl: string;
  /** The token response (checked as a token endpoint's answer: `access_token` and `token_type` at least). */
  tokenResponse: TokenResponse;
  /** The client id (sent on a refresh). */
  clientId?: string;
  /** The token endpoint, for a refresh; required when `tokenResponse` has a `refresh_token`. */
  tokenUri?: string;
  /** Milliseconds each request may take (default 30000). */
  timeout?: number;
}
/** A client from a known token response, without a launch: for unit tests and tools. Nothing is stored. */
export function client(state: ClientStateInput): Promise<Client>;

/** fhirclient.js's shape: `SMART.oauth2.authorize(...)`. */
export declare const oauth2: { authorize: typeof authorize; ready: typeof ready; init: typeof init };
declare const SMART: { oauth2: typeof oauth2; authorize: typeof authorize; ready: typeof ready; init: typeof init; clients: typeof clients; client: typeof client; loadModule: typeof loadModule };
export default SMART;
