// The deployment's settings, read once from CDK context (-c key=value or cdk.json) and checked before any
// construct exists, with messages that say what to type. Context keys and defaults are in docs/configuration.md.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IssuerSetting, OidcAuthorizerSettings } from './constructs/authorizer-settings';
import { DEFAULTS } from '../lambda/authorizer/defaults';
import { parseConfiguredUrl } from '../lambda/authorizer/url';
import { ConfigError } from '../lambda/shared/errors';
import { parseCorsOrigins } from '../lambda/shared/cors';
import type { SenderConstraint } from '../lambda/shared/routes';
import { type CorsSettings, DEFAULT_CORS_MAX_AGE_SECONDS, preflightMethods } from './constructs/cors';
import { type ContextKey, unknownContextKeyMessage } from './context-keys';
import { ROUTES } from './routes';

export interface OidcApiConfig {
  /** The one issuer (the shorthand), with `audience`; or `issuers`. */
  readonly issuer?: string;
  readonly audience?: readonly string[];
  readonly jwksUri?: string;
  /** Several trusted issuers, each with its own audiences and rules. */
  readonly issuers?: readonly IssuerSetting[];
  readonly settings: OidcAuthorizerSettings;
  /** @default 300 (seconds) */
  readonly authorizerCacheTtlSeconds: number;
  /** @default 'prod' */
  readonly stageName: string;
  /** @default 30 (days) */
  readonly logRetention: RetentionDays;
  /** Browser apps on these origins may call the API. @default undefined (no CORS) */
  readonly cors?: CorsSettings;
  /** The authorizer's alarms and dashboard (OidcAuthorizer `monitoring` with its defaults). @default false */
  readonly monitoring: boolean;
}

/** What `cdk synth` or `cdk deploy` was told; `App.node` satisfies it. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
  /** Every key given, checked against infra/context-keys.ts. @default not checked */
  getAllContext?(): Record<string, unknown>;
}

/**
 * A missing or malformed context value (`setting` is its key); app.ts prints just the message, a sentence that
 * says what to type.
 */
export class ContextError extends ConfigError {
  override readonly name = 'ContextError';
  constructor(key: string, sentence: string, options?: { cause?: unknown }) {
    super(key, sentence, options);
    this.message = sentence;
  }
}

const USAGE = 'npx cdk deploy -c issuer=https://login.example.com/ -c audience=my-api';
const RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

export function readConfig(context: ContextSource): OidcApiConfig {
  const unknown = context.getAllContext ? unknownContextKeyMessage(Object.keys(context.getAllContext())) : undefined;
  if (unknown !== undefined) throw new ContextError('context', unknown);
  const get = (key: ContextKey): string | undefined => text(key, context.tryGetContext(key));

  const issuers = readIssuers(context.tryGetContext('issuers'));
  const issuer = get('issuer');
  const audienceText = get('audience');
  const jwksUri = get('jwksUri');
  let audience: string[] | undefined;
  if (issuers !== undefined) {
    const single = (['issuer', 'audience', 'jwksUri'] as const).filter((k) => get(k) !== undefined);
    if (single.length > 0) {
      throw new ContextError('issuers', `CDK context values issuers and ${single.join(', ')} contradict each other: give issuers (several) or issuer and audience (one), not both`);
    }
  } else {
    if (issuer === undefined) throw new ContextError('issuer', `CDK context value issuer is required: ${USAGE}`);
    checkUrl('issuer', issuer);
    audience = (audienceText ?? '').split(',').map((a) => a.trim()).filter(Boolean);
    if (audience.length === 0) {
      throw new ContextError('audience', `CDK context value audience is required (comma-separated, at least one): ${USAGE}`);
    }
    if (jwksUri !== undefined) checkUrl('jwksUri', jwksUri);
  }

  const settings: OidcAuthorizerSettings = {
    // An empty requiredScopes is meaningful (require no scope), so only an absent key means the default.
    // (null, as cdk.json can say, is absent too: it must not silently drop the openid requirement.)
    requiredScopes: context.tryGetContext('requiredScopes') == null ? undefined : list(get('requiredScopes')),
    algorithms: get('algorithms') === undefined ? undefined : list(get('algorithms')),
    usernameClaim: get('usernameClaim'),
    clockToleranceSeconds: whole('clockToleranceSeconds', get('clockToleranceSeconds')),
    jwksMaxAgeSeconds: whole('jwksMaxAgeSeconds', get('jwksMaxAgeSeconds')),
    jwksMaxStaleSeconds: whole('jwksMaxStaleSeconds', get('jwksMaxStaleSeconds')),
    jwksCooldownSeconds: whole('jwksCooldownSeconds', get('jwksCooldownSeconds')),
    fetchTimeoutMs: whole('fetchTimeoutMs', get('fetchTimeoutMs')),
    fetchMaxBytes: whole('fetchMaxBytes', get('fetchMaxBytes')),
    maxTokenBytes: whole('maxTokenBytes', get('maxTokenBytes')),
    requireAtJwt: bool('requireAtJwt', get('requireAtJwt')),
    clientIdAsAudience: bool('clientIdAsAudience', get('clientIdAsAudience')),
    tokenCacheSize: whole('tokenCacheSize', get('tokenCacheSize')),
    metricsNamespace: get('metricsNamespace'),
    metricsService: get('metricsService'),
    contextClaims: get('contextClaims') === undefined ? undefined : list(get('contextClaims')),
    // off, allowed or required: checked by the authorizer's parser with the rest (a typo fails the synth, naming it).
    senderConstraint: get('senderConstraint') as SenderConstraint | undefined,
    dpopProofMaxAgeSeconds: whole('dpopProofMaxAgeSeconds', get('dpopProofMaxAgeSeconds')),
    dpopAlgorithms: get('dpopAlgorithms') === undefined ? undefined : list(get('dpopAlgorithms')),
  };
  // Checked by the authorizer's own parser once, at synth, together with the route table (OidcAuthorizer).

  const ttl = whole('authorizerCacheTtlSeconds', get('authorizerCacheTtlSeconds')) ?? DEFAULTS.resultsCacheTtlSeconds;
  if (ttl > 3600) throw new ContextError('authorizerCacheTtlSeconds', `CDK context value authorizerCacheTtlSeconds must be 0 to 3600 (API Gateway's limit), got ${ttl}`);

  const stageName = get('stageName') ?? 'prod';
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
    throw new ContextError('stageName', `CDK context value stageName must be 1 to 128 letters, digits, hyphens or underscores, got ${JSON.stringify(stageName)}`);
  }

  const logRetention = whole('logRetentionDays', get('logRetentionDays')) ?? RetentionDays.ONE_MONTH;
  if (!RETENTION_DAYS.has(logRetention)) {
    throw new ContextError('logRetentionDays', `CDK context value logRetentionDays must be one CloudWatch Logs offers (${[...RETENTION_DAYS].join(', ')}; 9999 keeps logs forever), got ${logRetention}`);
  }

  const cors = readCors(get('corsOrigins'), whole('corsMaxAgeSeconds', get('corsMaxAgeSeconds')));
  const monitoring = bool('monitoring', get('monitoring')) ?? false;

  return Object.freeze({ issuer, audience, jwksUri, issuers, settings, authorizerCacheTtlSeconds: ttl, stageName, logRetention, ...(cors ? { cors } : {}), monitoring });
}

/**
 * `issuers` as a JSON array: a string from `-c issuers='[…]'`, or the array itself in cdk.json. Its entries
 * are checked by the authorizer's own parser (validateAuthorizerEnvironment), as at cold start.
 */
function readIssuers(raw: unknown): IssuerSetting[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return undefined;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ContextError('issuers', `CDK context value issuers is not valid JSON: give an array such as -c issuers='[{"issuer":"https://a.example.com/","audience":"api"}]'`);
    }
  }
  if (!Array.isArray(value)) throw new ContextError('issuers', 'CDK context value issuers must be a JSON array of {"issuer": …, "audience": …}');
  return value as IssuerSetting[];
}

function readCors(origins: string | undefined, maxAgeSeconds: number | undefined): CorsSettings | undefined {
  if (origins === undefined) {
    if (maxAgeSeconds !== undefined) throw new ContextError('corsMaxAgeSeconds', 'CDK context value corsMaxAgeSeconds is set but corsOrigins is not: set corsOrigins (e.g. -c corsOrigins=https://app.example.com) or drop corsMaxAgeSeconds');
    return undefined;
  }
  const maxAge = maxAgeSeconds ?? DEFAULT_CORS_MAX_AGE_SECONDS;
  if (maxAge > 86400) throw new ContextError('corsMaxAgeSeconds', `CDK context value corsMaxAgeSeconds must be 0 to 86400 (browsers cap it lower: Chromium at 7200), got ${maxAge}`);
  try {
    preflightMethods(ROUTES);
    return Object.freeze({ origins: parseCorsOrigins(origins, 'corsOrigins'), maxAgeSeconds: maxAge });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ContextError('corsOrigins', `CDK context value corsOrigins ${e.reason}`, { cause: e });
  }
}

/** Context values arrive as strings from -c and as JSON values from cdk.json; blank means not given. */
function text(key: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) return raw.join(',');
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    throw new ContextError(key, `CDK context value ${key} must be a string, number or boolean, got ${JSON.stringify(raw)}`);
  }
  const s = String(raw).trim();
  return s === '' ? undefined : s;
}

/** The authorizer's own URL parser (lambda/authorizer/url.ts), so synth and cold start agree. */
function checkUrl(key: ContextKey, value: string): void {
  try {
    parseConfiguredUrl(value, key);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ContextError(key, `CDK context value ${key} ${e.reason}`, { cause: e });
  }
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

function whole(key: ContextKey, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ContextError(key, `CDK context value ${key} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function bool(key: ContextKey, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v !== 'true' && v !== 'false') throw new ContextError(key, `CDK context value ${key} must be true or false, got ${JSON.stringify(value)}`);
  return v === 'true';
}
