// The authorizer's settings as the contract's OIDC_* variables, built from typed props, and checked with the
// authorizer's own cold-start parser so a bad value fails `cdk synth`, not the first request. A value that is
// a CDK token (an SSM parameter) can only be resolved by CloudFormation: it goes to the environment and is
// checked at cold start, and the synth says so.
import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { readConfig, type AuthorizerConfig } from '../../lambda/authorizer/config';
import { ConfigError } from '../../lambda/shared/errors';
import type { RouteRule, SenderConstraint } from '../../lambda/shared/routes';

/**
 * Optional authorizer tuning. Each one left out is left out of the environment, so the authorizer's own
 * default applies (stated below; lambda/authorizer/config.ts is the source of truth for defaults and bounds).
 */
export interface OidcAuthorizerSettings {
  /** Scopes every token must hold; an empty list requires none. @default ['openid'] */
  readonly requiredScopes?: readonly string[];
  /** JWS algorithms accepted. @default RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA */
  readonly algorithms?: readonly string[];
  /** Claim passed to handlers as `username` (`sub` when the token lacks it). @default 'email' */
  readonly usernameClaim?: string;
  /** Leeway for exp/nbf/iat. @default 60 (seconds) */
  readonly clockToleranceSeconds?: number;
  /** Keys count as fresh this long after a fetch. @default 600 (seconds) */
  readonly jwksMaxAgeSeconds?: number;
  /** Stale keys stay usable this long while refreshes fail. @default 86400 (seconds) */
  readonly jwksMaxStaleSeconds?: number;
  /** At most one key fetch per this interval; a key used before it is published may be refused this long. @default 10 (seconds) */
  readonly jwksCooldownSeconds?: number;
  /** Per HTTP request to the issuer; also sizes the Lambda timeout. @default 3000 (milliseconds) */
  readonly fetchTimeoutMs?: number;
  /** Largest discovery or JWKS document accepted. @default 1048576 (bytes) */
  readonly fetchMaxBytes?: number;
  /** Longest bearer credential accepted. @default 16384 (bytes) */
  readonly maxTokenBytes?: number;
  /** Require `typ: at+jwt` (RFC 9068). @default false */
  readonly requireAtJwt?: boolean;
  /** Accept a token without `aud` whose `client_id` is an audience (Cognito access tokens). @default false */
  readonly clientIdAsAudience?: boolean;
  /** Verified tokens remembered per instance; 0 turns the cache off. @default 1000 (entries) */
  readonly tokenCacheSize?: number;
  /** CloudWatch namespace of the authorizer's metrics (docs/operations.md, Metrics). @default 'OidcAuthorizer' */
  readonly metricsNamespace?: string;
  /**
   * The `service` dimension of every metric: give each authorizer in an account and region its own, since
   * the alarms and the dashboard select its metrics by it. @default 'oidc-authorizer'
   */
  readonly metricsService?: string;
  /**
   * Claims copied into the authorizer context for every issuer's tokens (`tenant_id`, `cognito:groups`,
   * `/realm_access/roles`), read back typed by `readAuthContext(event).claim(...)`. @default [] (none)
   */
  readonly contextClaims?: readonly string[];
  /**
   * Proof of possession for every issuer and route that sets none: `allowed` takes Bearer and DPoP (RFC 9449) or
   * certificate-bound (RFC 8705) tokens, but a token carrying `cnf` only with its proof; `required` only those.
   * @default 'off'
   */
  readonly senderConstraint?: SenderConstraint;
  /** A DPoP proof's `iat` may be this old, beyond the clock tolerance (ahead: the tolerance only). @default 60 (seconds) */
  readonly dpopProofMaxAgeSeconds?: number;
  /** JWS algorithms a DPoP proof may be signed with; asymmetric only. @default RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA */
  readonly dpopAlgorithms?: readonly string[];
}

/** One trusted issuer, as `issuers` lists them; unset fields take the global settings. */
export interface IssuerSetting {
  /** Exact `iss` of its tokens; https, or http for a loopback host. */
  readonly issuer: string;
  /** A token's `aud` must hold one of these. */
  readonly audience: string | readonly string[];
  /** @default - discovered from `<issuer>/.well-known/openid-configuration` */
  readonly jwksUri?: string;
  /** @default settings.usernameClaim */
  readonly usernameClaim?: string;
  /** @default settings.requiredScopes */
  readonly requiredScopes?: readonly string[];
  /** @default settings.clientIdAsAudience */
  readonly clientIdAsAudience?: boolean;
  /** @default settings.requireAtJwt */
  readonly requireAtJwt?: boolean;
  /** Claims handed on for this issuer's tokens, beside settings.contextClaims. @default [] */
  readonly contextClaims?: readonly string[];
  /** Proof of possession for this issuer's tokens on routes that set none. @default settings.senderConstraint */
  readonly senderConstraint?: SenderConstraint;
}


/** Environment variable for each setting; the keys double as the CDK context keys. */
export const SETTING_ENV: { readonly [K in keyof Required<OidcAuthorizerSettings>]: string } = {
  requiredScopes: 'OIDC_REQUIRED_SCOPES',
  algorithms: 'OIDC_ALGORITHMS',
  usernameClaim: 'OIDC_USERNAME_CLAIM',
  clockToleranceSeconds: 'OIDC_CLOCK_TOLERANCE_SECONDS',
  jwksMaxAgeSeconds: 'OIDC_JWKS_MAX_AGE_SECONDS',
  jwksMaxStaleSeconds: 'OIDC_JWKS_MAX_STALE_SECONDS',
  jwksCooldownSeconds: 'OIDC_JWKS_COOLDOWN_SECONDS',
  fetchTimeoutMs: 'OIDC_FETCH_TIMEOUT_MS',
  fetchMaxBytes: 'OIDC_FETCH_MAX_BYTES',
  maxTokenBytes: 'OIDC_MAX_TOKEN_BYTES',
  requireAtJwt: 'OIDC_REQUIRE_AT_JWT',
  clientIdAsAudience: 'OIDC_CLIENT_ID_AS_AUDIENCE',
  tokenCacheSize: 'OIDC_TOKEN_CACHE_SIZE',
  metricsNamespace: 'OIDC_METRICS_NAMESPACE',
  metricsService: 'OIDC_METRICS_SERVICE',
  contextClaims: 'OIDC_CONTEXT_CLAIMS',
  senderConstraint: 'OIDC_SENDER_CONSTRAINT',
  dpopProofMaxAgeSeconds: 'OIDC_DPOP_PROOF_MAX_AGE_SECONDS',
  dpopAlgorithms: 'OIDC_DPOP_ALGORITHMS',
};

/** Whom the authorizer trusts: one issuer (`issuer`, `audience`, `jwksUri`) or several (`issuers`), never both. */
export interface AuthorizerTrust {
  /** Exact `iss` of accepted tokens; https, or http for a loopback host. @default - required unless `issuers` */
  readonly issuer?: string;
  /** A token's `aud` must hold one of these. @default - required with `issuer` */
  readonly audience?: string | readonly string[];
  /** @default - discovered from `<issuer>/.well-known/openid-configuration` */
  readonly jwksUri?: string;
  /** Several trusted issuers (up to 20), each with its own audiences and rules. @default - the one `issuer` */
  readonly issuers?: readonly IssuerSetting[];
  /** @default - the authorizer's own defaults */
  readonly settings?: OidcAuthorizerSettings;
}

/** The OIDC_* variables for `input` (OIDC_ROUTES aside), unset ones left out; values may be CDK tokens. */
export function settingVariables(input: AuthorizerTrust): Record<string, string> {
  // The two forms are the props' own concern; everything else is the authorizer's parser's, at synth.
  if (input.issuers !== undefined && (input.issuer ?? input.audience ?? input.jwksUri) !== undefined) {
    throw new SettingError('issuers', 'and issuer, audience or jwksUri contradict each other: give issuers (several) or issuer and audience (one), not both');
  }
  if (input.issuers === undefined && input.issuer === undefined) throw new SettingError('issuer', 'is required, with audience (or issuers, for several)');
  if (input.issuers === undefined && input.audience === undefined) throw new SettingError('audience', 'is required with issuer: the audiences a token may name in aud');
  const vars: Record<string, string> = {};
  if (input.issuers !== undefined) vars.OIDC_ISSUERS = JSON.stringify(input.issuers);
  if (input.issuer !== undefined) vars.OIDC_ISSUER = input.issuer;
  if (input.audience !== undefined) vars.OIDC_AUDIENCE = typeof input.audience === 'string' ? input.audience : input.audience.join(',');
  if (input.jwksUri !== undefined) vars.OIDC_JWKS_URI = input.jwksUri;
  const settings = input.settings ?? {};
  for (const key of Object.keys(SETTING_ENV) as (keyof OidcAuthorizerSettings)[]) {
    const value = settings[key];
    if (value === undefined) continue;
    if (typeof value === 'number' && Token.isUnresolved(value)) {
      throw new SettingError(key, 'must be a number known at synth, not a CloudFormation value: it also sizes the Lambda');
    }
    vars[SETTING_ENV[key]] = Array.isArray(value) ? value.join(' ') : String(value);
  }
  return vars;
}

/** The variables whose values hold CDK tokens, for the environment (resolved by CloudFormation), and the rest. */
export function splitDeferred(scope: IConstruct, input: AuthorizerTrust, vars: Readonly<Record<string, string>>) {
  const staged: Record<string, string> = {};
  const deferred: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (!Token.isUnresolved(value)) staged[name] = value;
    // The issuers array is rendered by CloudFormation (Fn::Join), so its tokens resolve in place.
    else deferred[name] = name === 'OIDC_ISSUERS' ? Stack.of(scope).toJsonString(input.issuers) : value;
  }
  return { staged, deferred };
}

/**
 * A setting the construct or the authorizer's parser refused at synth; `setting` is the prop's name, and the
 * message a sentence that starts with it (`clockToleranceSeconds must be between 0 and 600, got 900`).
 */
export class SettingError extends ConfigError {
  override readonly name = 'SettingError';
  constructor(setting: string, reason: string, options?: { cause?: unknown }) {
    super(setting, reason, options);
    // "routes: GET /a …" names routes; "issuers[0].audience is required" names its setting already.
    this.message = setting === 'routes' ? `routes: ${reason}` : reason.startsWith(`${setting}[`) ? reason : `${setting} ${reason}`;
  }
}

const SETTING_OF_ENV: Readonly<Record<string, string>> = {
  OIDC_ISSUER: 'issuer',
  OIDC_ISSUERS: 'issuers',
  OIDC_AUDIENCE: 'audience',
  OIDC_JWKS_URI: 'jwksUri',
  OIDC_ROUTES: 'routes',
  ...Object.fromEntries(Object.entries(SETTING_ENV).map(([setting, name]) => [name, setting])),
};

/**
 * Runs the authorizer's cold-start parser over `vars` and `routes`, once per synth. A CDK token in a value is
 * replaced by a placeholder URL that passes every check (the same token, the same placeholder), so the rest
 * is still checked; the names of the settings so deferred are returned, with the configuration as parsed. Throws a SettingError naming the
 * setting as a prop (`clockToleranceSeconds must be between 0 and 600, got 900`).
 */
export function checkSettings(vars: Readonly<Record<string, string>>, routes: readonly RouteRule[]): { deferred: string[]; config: AuthorizerConfig } {
  const placeholders = new Map<string, string>();
  const deferred = new Set<string>();
  const resolvable = (name: string, value: unknown): unknown => {
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      deferred.add(SETTING_OF_ENV[name] ?? name);
      if (!placeholders.has(value)) placeholders.set(value, `https://deferred-${placeholders.size + 1}.invalid/`);
      return placeholders.get(value);
    }
    if (Array.isArray(value)) return value.map((v) => resolvable(name, v));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvable(name, v)]));
    return value;
  };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    env[name] = name === 'OIDC_ISSUERS' && Token.isUnresolved(value) ? value : (resolvable(name, value) as string);
  }
  if (env.OIDC_ISSUERS !== undefined) env.OIDC_ISSUERS = JSON.stringify(resolvable('OIDC_ISSUERS', JSON.parse(env.OIDC_ISSUERS)));
  env.OIDC_ROUTES = JSON.stringify(resolvable('OIDC_ROUTES', routes));
  let config: AuthorizerConfig;
  try {
    config = readConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new SettingError(SETTING_OF_ENV[e.setting] ?? e.setting, e.reason, { cause: e });
  }
  return { deferred: [...deferred], config };
}
