// Types of smart-wasm-sandbox (an ES module package).

/** A fixture user: its login, its FHIR resource, and the patient a launch puts in context (null: the first, or the one chosen). */
export interface SandboxUser { login: string; fhirUser: string; patient: string | null }

/** A token response, as the token endpoint answers it. */
export interface SandboxTokenResponse {
  access_token: string; token_type: 'Bearer'; expires_in: number; scope: string; patient: string;
  [field: string]: unknown;
}

export interface SandboxOptions {
  /** The app's public clients: their redirect URIs (exact), whose origins may call the servers. */
  clients?: Array<{ clientId: string; redirectUris: string[] }>;
  /** Launches sign in and consent without a page: a login, or a login and the patient in context. */
  headless?: string | { user: string; patient?: string };
  /** https everywhere, with a certificate made at start (`certificate` names its PEM file). */
  tls?: boolean;
  /** The address to bind (default 127.0.0.1). */
  host?: string;
  /** The host name in the URLs (default: the address). */
  hostname?: string;
  /** A server shape: 'standard' (default), 'idp-gateway', 'tenant-issuer', 'es256', … (profiles.mjs) */
  profile?: string;
  /** Fixed ports; every other one is free (0). */
  ports?: { authorizationServer?: number; fhir?: number; control?: number; stock?: number };
  /** Where the server's output goes (default: discarded). */
  log?: NodeJS.WritableStream;
}

export interface Sandbox {
  /** FHIR base URL (the SMART `iss`). */
  readonly fhirBase: string;
  /** The authorization server's issuer. */
  readonly issuer: string;
  /** Where the test controls answer (`/_sandbox/*`). */
  readonly control: string;
  readonly users: SandboxUser[];
  /** The TLS certificate's PEM file, with `tls`; null otherwise. */
  readonly certificate: string | null;
  readonly profile: string;
  readonly pid: number | undefined;
  /** An EHR launch of the app's launch page with this patient (and encounter) in context: `appLaunchUrl?iss=…&launch=…`. */
  ehrLaunchUrl(appLaunchUrl: string, context?: { patient?: string; encounter?: string }): Promise<string>;
  /** The next launch's user and patient: prefilled on the sign-in page, or chosen when headless. */
  preselect(choice: { user?: string; patient?: string }): Promise<unknown>;
  /** Launches sign in without a page as this user; null shows the pages again. */
  setHeadless(user: string | { user: string; patient?: string } | null): Promise<unknown>;
  /** A token response for a unit test, without a launch (the FHIR server accepts its access token). */
  issueToken(request?: { user?: string; scope?: string; patient?: string; clientId?: string; expiresIn?: number }): Promise<SandboxTokenResponse>;
  /** Every access token issued so far answers 401 at the FHIR server. */
  expireAccessTokens(): Promise<unknown>;
  /** The next `count` FHIR requests answer `status`. */
  failNext(fault?: { status?: number; count?: number }): Promise<unknown>;
  /** Every refresh token issued so far is refused (invalid_grant). */
  revokeRefreshTokens(): Promise<unknown>;
  /** id_tokens are signed with a new key from now on. */
  rotateKeys(): Promise<unknown>;
  /** Access tokens issued from now on live this many seconds. */
  setAccessTokenTTL(seconds: number): Promise<unknown>;
  /** What the servers saw: token grants and FHIR requests, oldest first. */
  events(): Promise<Array<Record<string, unknown>>>;
  /** Back to the settings it started with; the event log emptied. */
  reset(): Promise<unknown>;
  /** Stops the servers. */
  stop(): Promise<void>;
}

/** Starts a sandbox on free ports; resolves once it listens. */
export function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
