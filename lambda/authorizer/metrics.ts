// The authorizer's CloudWatch metrics, listed once: every name, its unit, its one dimension and the values that
// dimension may take. docs/operations.md's metrics table says what each means, and a test holds it to this list. Dimension values never come from a request: a reason is one of the
// fixed codes below, an issuer is its position in the configuration. Routes, subjects, issuer URLs and kids stay
// in the log lines. Written as CloudWatch embedded metric format by emf.ts, once per invocation.
import type { TokenErrorCode } from './errors';
import type { Shortfall } from './policy';

export type Unit = 'Count' | 'Seconds' | 'Milliseconds';
/** The dimension a metric is broken down by, beside `service`; every metric is also summed over it. */
export type Dimension = 'reason' | 'issuer';

export interface MetricSpec {
  readonly unit: Unit;
  /** Counts are summed within a flush; samples keep every value (for maxima and percentiles). */
  readonly kind: 'count' | 'sample';
  readonly by?: Dimension;
}

export const METRICS = {
  Allow: { unit: 'Count', kind: 'count', by: 'reason' },
  Deny: { unit: 'Count', kind: 'count', by: 'reason' },
  Error: { unit: 'Count', kind: 'count', by: 'reason' },
  KeyFetchOk: { unit: 'Count', kind: 'count', by: 'issuer' },
  KeyFetchFailed: { unit: 'Count', kind: 'count', by: 'issuer' },
  KeyFetchTimedOut: { unit: 'Count', kind: 'count', by: 'issuer' },
  KeysServedStale: { unit: 'Seconds', kind: 'sample', by: 'issuer' },
  KeyRefetchUnknownKid: { unit: 'Count', kind: 'count', by: 'issuer' },
  KeyRefetchRefused: { unit: 'Count', kind: 'count', by: 'issuer' },
  KeysInSet: { unit: 'Count', kind: 'sample', by: 'issuer' },
  TokenCacheHit: { unit: 'Count', kind: 'count' },
  TokenCacheMiss: { unit: 'Count', kind: 'count' },
  VerificationTime: { unit: 'Milliseconds', kind: 'sample' },
  ColdStart: { unit: 'Count', kind: 'count' },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;
export type Decision = 'Allow' | 'Deny' | 'Error';

export const ALLOW_REASONS = ['TOKEN_VALID', 'ANONYMOUS'] as const;
export const DENY_REASONS = [
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'TOKEN_TOO_LARGE',
  'TOKEN_AMBIGUOUS',
  'ALG_NOT_ALLOWED',
  'HEADER_UNSUPPORTED',
  'TYP_INVALID',
  'KEY_NOT_FOUND',
  'SIGNATURE_INVALID',
  'ISSUER_MISMATCH',
  'AUDIENCE_MISMATCH',
  'EXPIRED',
  'NOT_YET_VALID',
  'ISSUED_IN_FUTURE',
  'CLAIM_INVALID',
  'CLAIM_TOO_LARGE',
  'ANSWER_TOO_LARGE',
  'TOKEN_USE_INVALID',
  'SCOPE_MISSING',
  'INSUFFICIENT_SCOPE',
  'CLAIM_RULE_UNMET',
  'ISSUER_NOT_ALLOWED',
  'ROUTE_UNKNOWN',
  'DPOP_PROOF_MISSING',
  'DPOP_PROOF_INVALID',
  'DPOP_BINDING_MISMATCH',
  'DPOP_REPLAY',
  'BEARER_NOT_ALLOWED',
  'CERT_BINDING_MISMATCH',
] as const;
/** What is not a refusal of the token ends in 503: keys that cannot be had, or anything unexpected. */
export const ERROR_REASONS = ['KEYS_UNAVAILABLE', 'REPLAY_STORE_UNAVAILABLE', 'INTERNAL'] as const;

// Every code a refusal can carry is a Deny reason, or this does not compile.
type Refusal = TokenErrorCode | 'TOKEN_MISSING' | Shortfall | 'ROUTE_UNKNOWN';
const everyRefusalListed: [Exclude<Refusal, (typeof DENY_REASONS)[number]>] extends [never] ? true : never = true;
void everyRefusalListed;

export const REASONS: Readonly<Record<Decision, readonly string[]>> = { Allow: ALLOW_REASONS, Deny: DENY_REASONS, Error: ERROR_REASONS };
const KNOWN: Readonly<Record<Decision, ReadonlySet<string>>> = { Allow: new Set(ALLOW_REASONS), Deny: new Set(DENY_REASONS), Error: new Set(ERROR_REASONS) };

/**
 * The reason a decision is logged and counted under: its code when the catalogue lists it for that decision,
 * else INTERNAL (which the types make unreachable). The decision line and the metric both take it from here.
 */
export function reasonFor(decision: Decision, code: string): string {
  return KNOWN[decision].has(code) ? code : 'INTERNAL';
}

/** An issuer's `issuer` dimension: its position in the configuration (at most 20), never its URL. */
export const issuerLabel = (index: number): string => String(index);

/** What the key store counts, for one issuer. */
export interface IssuerMetrics {
  fetched(outcome: 'ok' | 'failed' | 'timedOut', keys?: number): void;
  servedStale(secondsPastMaxAge: number): void;
  refetchUnknownKid(): void;
  refetchRefused(): void;
}

/** What the handler counts; `flush` writes what was counted since the last one. */
export interface AuthorizerMetrics {
  decision(decision: Decision, reason: string): void;
  tokenCache(hit: boolean): void;
  verification(ms: number): void;
  issuer(index: number): IssuerMetrics;
  flush(): void;
}

const nothing = (): void => undefined;
const NO_ISSUER_METRICS: IssuerMetrics = { fetched: nothing, servedStale: nothing, refetchUnknownKid: nothing, refetchRefused: nothing };

/** Counts nothing: for a key store built on its own, and the bench's baseline. */
export const NO_METRICS: AuthorizerMetrics = { decision: nothing, tokenCache: nothing, verification: nothing, issuer: () => NO_ISSUER_METRICS, flush: nothing };
