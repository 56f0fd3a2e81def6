// The issuers an authorizer trusts: OIDC_ISSUERS (a JSON array, up to 20) or the one-issuer shorthand
// OIDC_ISSUER + OIDC_AUDIENCE (+ OIDC_JWKS_URI), never both. Each issuer's rules default to the global
// settings (OIDC_REQUIRED_SCOPES, OIDC_USERNAME_CLAIM, …); its own keys override them. Context claims are
// the global ones plus the issuer's own.
import { checkClaimReference } from '../shared/claims';
import { senderConstraintOf, type SenderConstraint } from '../shared/routes';
import { ConfigError } from './errors';
import { parseConfiguredUrl } from './url';

export interface IssuerConfig {
  /** Exact `iss` of its tokens, and where discovery starts. */
  readonly issuer: string;
  /** A token's `aud` must hold one of these. */
  readonly audiences: readonly string[];
  /** Skips discovery when set. */
  readonly jwksUri?: string;
  /** Scopes every token of this issuer must hold. @default OIDC_REQUIRED_SCOPES, itself ['openid'] */
  readonly requiredScopes: readonly string[];
  /** Claim read into context.username; `sub` when the token lacks it. @default OIDC_USERNAME_CLAIM, itself 'email' */
  readonly usernameClaim: string;
  /** Accept a token with no `aud` whose `client_id` is an audience (Cognito). @default OIDC_CLIENT_ID_AS_AUDIENCE */
  readonly clientIdAsAudience: boolean;
  /** Require `typ: at+jwt` (RFC 9068). @default OIDC_REQUIRE_AT_JWT */
  readonly requireAtJwt: boolean;
  /** Claims copied into the authorizer context (shared/claims.ts references). @default OIDC_CONTEXT_CLAIMS */
  readonly contextClaims: readonly string[];
  /** Proof of possession for this issuer's tokens, unless a route sets its own. @default OIDC_SENDER_CONSTRAINT, itself 'off' */
  readonly senderConstraint: SenderConstraint;
}

/** The global settings each issuer starts from. */
export type IssuerDefaults = Omit<IssuerConfig, 'issuer' | 'audiences' | 'jwksUri'>;

export const MAX_ISSUERS = 20;

const ENTRY_KEYS = ['issuer', 'audience', 'jwksUri', 'usernameClaim', 'requiredScopes', 'clientIdAsAudience', 'requireAtJwt', 'contextClaims', 'senderConstraint'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** `value` through the one URL parser (url.ts); a refusal names `setting`, and `where` within it when given. */
const url = (setting: string, value: string, where?: string): string => parseConfiguredUrl(value, setting, where).value;

/** Claim references from a space- or comma-separated list (OIDC_CONTEXT_CLAIMS) or an array. */
export function contextClaimList(setting: string, value: unknown, where = setting): readonly string[] {
  const list = typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;
  if (!Array.isArray(list)) throw new ConfigError(setting, `${where} must be a list of claim names`);
  try {
    return Object.freeze([...new Set(list.map((ref) => checkClaimReference(ref, where)))]);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(setting, e.setting === setting ? e.reason : `${e.setting}: ${e.reason}`, { cause: e });
  }
}

/** The configured issuers, from either form; `defaults` are the global per-issuer settings. */
export function readIssuers(env: Env, defaults: IssuerDefaults): readonly IssuerConfig[] {
  const json = env.OIDC_ISSUERS?.trim();
  if (json) {
    const single = ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URI'].filter((n) => env[n]?.trim());
    if (single.length > 0) {
      throw new ConfigError('OIDC_ISSUERS', `give either OIDC_ISSUERS or the one-issuer shorthand, not both (also set: ${single.join(', ')})`);
    }
    return parseIssuerArray(json, defaults);
  }
  const rawIssuer = env.OIDC_ISSUER?.trim();
  if (!rawIssuer) throw new ConfigError('OIDC_ISSUER', 'is required: set the CDK context value issuer (-c issuer=https://…), or issuers for several');
  const issuer = url('OIDC_ISSUER', rawIssuer);
  const rawAudience = env.OIDC_AUDIENCE?.trim();
  if (!rawAudience) throw new ConfigError('OIDC_AUDIENCE', 'is required: set the CDK context value audience (-c audience=…)');
  const audiences = rawAudience.split(',').map((a) => a.trim()).filter(Boolean);
  if (audiences.length === 0) throw new ConfigError('OIDC_AUDIENCE', 'must name at least one audience');
  const jwksRaw = env.OIDC_JWKS_URI?.trim();
  return Object.freeze([Object.freeze({ issuer, audiences: Object.freeze(audiences), ...(jwksRaw ? { jwksUri: url('OIDC_JWKS_URI', jwksRaw) } : {}), ...defaults })]);
}

function parseIssuerArray(json: string, defaults: IssuerDefaults): readonly IssuerConfig[] {
  const fail = (message: string): never => {
    throw new ConfigError('OIDC_ISSUERS', message);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    fail('is not valid JSON: it must be an array of {"issuer": "https://…", "audience": "…"}');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) fail('must be a non-empty JSON array of issuers');
  const list = parsed as unknown[];
  if (list.length > MAX_ISSUERS) fail(`names ${list.length} issuers; at most ${MAX_ISSUERS}`);
  const seen = new Set<string>();
  return Object.freeze(
    list.map((entry, i) => {
      const at = `issuers[${i}]`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`${at} must be an object with issuer and audience`);
      const e = entry as Record<string, unknown>;
      for (const key of Object.keys(e)) {
        if (!(ENTRY_KEYS as readonly string[]).includes(key)) fail(`${at} has the unknown setting ${JSON.stringify(key)}; known: ${ENTRY_KEYS.join(', ')}`);
      }
      if (typeof e.issuer !== 'string' || e.issuer.trim() === '') fail(`${at}.issuer is required`);
      const issuer = url('OIDC_ISSUERS', (e.issuer as string).trim(), `${at}.issuer`);
      if (seen.has(issuer)) fail(`${at}.issuer ${JSON.stringify(issuer)} is configured twice`);
      seen.add(issuer);
      const audiences = typeof e.audience === 'string' ? e.audience.split(',').map((a) => a.trim()).filter(Boolean) : e.audience;
      if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a !== '')) {
        fail(`${at}.audience is required: a string or a non-empty array of strings`);
      }
      if (e.jwksUri !== undefined && typeof e.jwksUri !== 'string') fail(`${at}.jwksUri must be a URL`);
      const jwksUri = e.jwksUri === undefined ? undefined : url('OIDC_ISSUERS', e.jwksUri as string, `${at}.jwksUri`);
      const bool = (key: 'clientIdAsAudience' | 'requireAtJwt'): boolean => {
        if (e[key] === undefined) return defaults[key];
        if (typeof e[key] !== 'boolean') fail(`${at}.${key} must be true or false`);
        return e[key] as boolean;
      };
      let requiredScopes = defaults.requiredScopes;
      if (e.requiredScopes !== undefined) {
        const raw = typeof e.requiredScopes === 'string' ? e.requiredScopes.split(/\s+/).filter(Boolean) : e.requiredScopes;
        if (!Array.isArray(raw) || !raw.every((s) => typeof s === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))) fail(`${at}.requiredScopes must be an array of scope tokens`);
        requiredScopes = Object.freeze([...(raw as string[])]);
      }
      if (e.usernameClaim !== undefined && (typeof e.usernameClaim !== 'string' || e.usernameClaim === '')) fail(`${at}.usernameClaim must be a claim name`);
      const own = e.contextClaims === undefined ? [] : contextClaimList('OIDC_ISSUERS', e.contextClaims, `${at}.contextClaims`);
      const senderConstraint = e.senderConstraint === undefined ? defaults.senderConstraint : senderConstraintOf(e.senderConstraint, 'OIDC_ISSUERS', `${at}.senderConstraint`);
      return Object.freeze({
        issuer,
        audiences: Object.freeze([...(audiences as string[])]),
        ...(jwksUri ? { jwksUri } : {}),
        requiredScopes,
        usernameClaim: (e.usernameClaim as string | undefined) ?? defaults.usernameClaim,
        clientIdAsAudience: bool('clientIdAsAudience'),
        requireAtJwt: bool('requireAtJwt'),
        contextClaims: Object.freeze([...new Set([...defaults.contextClaims, ...own])]),
        senderConstraint,
      });
    }),
  );
}
