// Every default of the authorizer and its construct, written once. The runtime parser (config.ts) and the
// construct read them from here; test/lambda/authorizer/defaults.test.ts holds the construct's `@default`
// doc comments, README's props table and docs/'s tables to them.
import { DEFAULT_ALGORITHMS } from './algorithms';

export const DEFAULTS = Object.freeze({
  requiredScopes: Object.freeze(['openid']),
  algorithms: DEFAULT_ALGORITHMS,
  usernameClaim: 'email',
  /** seconds */
  clockToleranceSeconds: 60,
  /** seconds */
  jwksMaxAgeSeconds: 600,
  /** seconds */
  jwksMaxStaleSeconds: 86400,
  /** seconds */
  jwksCooldownSeconds: 10,
  /** milliseconds */
  fetchTimeoutMs: 3000,
  /** bytes */
  fetchMaxBytes: 1048576,
  /** bytes */
  maxTokenBytes: 16384,
  requireAtJwt: false,
  clientIdAsAudience: false,
  /** entries */
  tokenCacheSize: 1000,
  /** Proof of possession (DPoP, certificate-bound tokens) unless an issuer or route sets its own. */
  senderConstraint: 'off' as const,
  /** How old a DPoP proof's iat may be, plus the clock tolerance (ahead: the tolerance only); seconds. */
  dpopProofMaxAgeSeconds: 60,
  /** JWS algorithms a DPoP proof may be signed with: asymmetric only. */
  dpopAlgorithms: DEFAULT_ALGORITHMS,
  /** CloudWatch namespace of the authorizer's metrics. */
  metricsNamespace: 'OidcAuthorizer',
  /** The `service` dimension on every metric: tells apart authorizers sharing a namespace. */
  metricsService: 'oidc-authorizer',
  /** API Gateway's cache of a required route's decision, seconds. */
  resultsCacheTtlSeconds: 300,
  /** The authorizer Lambda's memory, MiB. */
  memorySize: 128,
  /** The construct's alarms (`monitoring`), when they are asked for. */
  monitoring: Object.freeze({
    /** KeysServedStale's alarm: keys this far past their max age, seconds. */
    staleKeysAlarmSeconds: 300,
    /** Key fetches failed or timed out within 5 minutes. */
    keyFetchFailuresAlarm: 3,
    /** The authorizer Lambda's p99 duration, milliseconds. */
    latencyP99AlarmMs: 1000,
    /** Share of a RestApi's requests answered 5XX within 5 minutes, percent. */
    api5xxRateAlarmPercent: 5,
  }),
});
