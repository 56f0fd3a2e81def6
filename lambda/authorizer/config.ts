// Authorizer settings, read once at cold start from the environment the stack sets.
// Every default and unit is stated here and in README's configuration table.
import { parseRouteTable, type RouteRule } from '../shared/routes';
import { DEFAULT_ALGORITHMS, SUPPORTED_ALGORITHMS } from './algorithms';
import { ConfigError } from './errors';
import { parseConfiguredUrl } from './url';

export interface AuthorizerConfig {
  /** Exact `iss` every token must carry, and where discovery starts. */
  readonly issuer: string;
  /** A token's `aud` must hold one of these. */
  readonly audiences: readonly string[];
  /** Skips discovery when set. */
  readonly jwksUri?: string;
  readonly routes: readonly RouteRule[];
  /** Scopes every token must hold. @default ['openid'] */
  readonly requiredScopes: readonly string[];
  /** @default every algorithm in algorithms.ts */
  readonly algorithms: readonly string[];
  /** Claim read into context.username; `sub` when the token lacks it. @default 'email' */
  readonly usernameClaim: string;
  /** @default 60 (seconds) */
  readonly clockToleranceSeconds: number;
  /** Keys are fresh this long after a fetch. @default 600 (seconds) */
  readonly jwksMaxAgeSeconds: number;
  /** Stale keys are still used this long after the last good fetch while refreshes fail. @default 86400 (seconds) */
  readonly jwksMaxStaleSeconds: number;
  /** At most one key fetch per this interval, however many unknown `kid`s arrive. @default 30 (seconds) */
  readonly jwksCooldownSeconds: number;
  /** Per HTTP request to the issuer. @default 3000 (milliseconds) */
  readonly fetchTimeoutMs: number;
  /** Largest discovery or JWKS document accepted. @default 1048576 (bytes) */
  readonly fetchMaxBytes: number;
  /** Longest Authorization credential accepted, checked before parsing. @default 16384 (bytes) */
  readonly maxTokenBytes: number;
  /** Require `typ: at+jwt` (RFC 9068). @default false */
  readonly requireAtJwt: boolean;
  /** Accept a token with no `aud` whose `client_id` is an audience (Cognito access tokens). @default false */
  readonly clientIdAsAudience: boolean;
  /** Verified tokens remembered; 0 turns the cache off. @default 1000 (entries) */
  readonly tokenCacheSize: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A configured issuer or JWKS URI, checked by the one URL parser synth shares (url.ts). */
export function checkUrl(setting: string, value: string): string {
  try {
    return parseConfiguredUrl(value).value;
  } catch (e) {
    throw new ConfigError(setting, (e as Error).message);
  }
}

function required(env: Env, name: string, hint: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConfigError(name, `is required: ${hint}`);
  return v;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(name, `must be "true" or "false", got ${JSON.stringify(env[name])}`);
}

function words(value: string | undefined, separator: RegExp): string[] {
  return (value ?? '').split(separator).map((s) => s.trim()).filter(Boolean);
}

export function readConfig(env: Env): AuthorizerConfig {
  const issuer = checkUrl('OIDC_ISSUER', required(env, 'OIDC_ISSUER', 'set the CDK context value issuer (-c issuer=https://…)'));
  const audiences = words(required(env, 'OIDC_AUDIENCE', 'set the CDK context value audience (-c audience=…)'), /,/);
  if (audiences.length === 0) throw new ConfigError('OIDC_AUDIENCE', 'must name at least one audience');

  const jwksRaw = env.OIDC_JWKS_URI?.trim();
  const jwksUri = jwksRaw ? checkUrl('OIDC_JWKS_URI', jwksRaw) : undefined;

  let routes: readonly RouteRule[];
  try {
    routes = parseRouteTable(env.OIDC_ROUTES);
  } catch (e) {
    throw new ConfigError('OIDC_ROUTES', (e as Error).message.replace(/^OIDC_ROUTES:? ?/, ''));
  }

  const algorithms = env.OIDC_ALGORITHMS?.trim() ? words(env.OIDC_ALGORITHMS, /[\s,]+/) : [...DEFAULT_ALGORITHMS];
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(alg)) {
      throw new ConfigError('OIDC_ALGORITHMS', `${JSON.stringify(alg)} is not allowed; choose from ${SUPPORTED_ALGORITHMS.join(' ')} (never none or HS*)`);
    }
  }
  if (algorithms.length === 0) throw new ConfigError('OIDC_ALGORITHMS', 'must name at least one algorithm');

  const usernameClaim = env.OIDC_USERNAME_CLAIM?.trim() || 'email';
  const requiredScopes = env.OIDC_REQUIRED_SCOPES === undefined ? ['openid'] : words(env.OIDC_REQUIRED_SCOPES, /\s+/);

  const config: AuthorizerConfig = {
    issuer,
    audiences,
    ...(jwksUri ? { jwksUri } : {}),
    routes,
    requiredScopes,
    algorithms,
    usernameClaim,
    clockToleranceSeconds: integer(env, 'OIDC_CLOCK_TOLERANCE_SECONDS', 60, 0, 600),
    jwksMaxAgeSeconds: integer(env, 'OIDC_JWKS_MAX_AGE_SECONDS', 600, 1, 86400),
    jwksMaxStaleSeconds: integer(env, 'OIDC_JWKS_MAX_STALE_SECONDS', 86400, 0, 7 * 86400),
    jwksCooldownSeconds: integer(env, 'OIDC_JWKS_COOLDOWN_SECONDS', 30, 1, 3600),
    fetchTimeoutMs: integer(env, 'OIDC_FETCH_TIMEOUT_MS', 3000, 100, 10000),
    fetchMaxBytes: integer(env, 'OIDC_FETCH_MAX_BYTES', 1048576, 1024, 10 * 1048576),
    maxTokenBytes: integer(env, 'OIDC_MAX_TOKEN_BYTES', 16384, 512, 65536),
    requireAtJwt: flag(env, 'OIDC_REQUIRE_AT_JWT'),
    clientIdAsAudience: flag(env, 'OIDC_CLIENT_ID_AS_AUDIENCE'),
    tokenCacheSize: integer(env, 'OIDC_TOKEN_CACHE_SIZE', 1000, 0, 100000),
  };
  checkKeyTimings(config);
  return Object.freeze(config);
}

/**
 * Refuses key-cache timings that answer 503 while the issuer is healthy. A set is refreshed no sooner than a
 * cooldown after the last fetch, and usable until max age + max stale after it: were the cooldown longer,
 * every request between the two would find keys too old to use and a refresh not yet allowed.
 */
function checkKeyTimings(c: AuthorizerConfig): void {
  const usable = c.jwksMaxAgeSeconds + c.jwksMaxStaleSeconds;
  if (c.jwksCooldownSeconds > usable) {
    throw new ConfigError(
      'OIDC_JWKS_COOLDOWN_SECONDS',
      `is ${c.jwksCooldownSeconds}, longer than OIDC_JWKS_MAX_AGE_SECONDS + OIDC_JWKS_MAX_STALE_SECONDS (${c.jwksMaxAgeSeconds} + ${c.jwksMaxStaleSeconds}): keys would expire while a refresh is not yet allowed, answering 503 with the issuer healthy. Lower the cooldown or raise the max age or max stale age`,
    );
  }
}
