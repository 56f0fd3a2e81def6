// Every CDK context key the app reads: THE list readConfig's lookups are typed against, so a key read
// without being listed is a type error, and a key given without being read (a typo) fails the synth.
// To add a setting, add its key here, read it in infra/config.ts, and document it in docs/configuration.md.
import { nearestName } from '../lambda/shared/nearest-name';

export const CONTEXT_KEYS = [
  'issuer',
  'audience',
  'jwksUri',
  'requiredScopes',
  'algorithms',
  'usernameClaim',
  'clockToleranceSeconds',
  'jwksMaxAgeSeconds',
  'jwksMaxStaleSeconds',
  'jwksCooldownSeconds',
  'fetchTimeoutMs',
  'fetchMaxBytes',
  'maxTokenBytes',
  'requireAtJwt',
  'clientIdAsAudience',
  'tokenCacheSize',
  'metricsNamespace',
  'metricsService',
  'monitoring',
  'authorizerCacheTtlSeconds',
  'stageName',
  'logRetentionDays',
  'corsOrigins',
  'corsMaxAgeSeconds',
  'issuers',
  'contextClaims',
  'senderConstraint',
  'dpopProofMaxAgeSeconds',
  'dpopAlgorithms',
] as const;

export type ContextKey = (typeof CONTEXT_KEYS)[number];

const KNOWN: ReadonlySet<string> = new Set(CONTEXT_KEYS);

/**
 * Keys that belong to the CDK itself rather than to this app: feature flags (`@aws-cdk/…`, and any other
 * `@scope/…`), the keys the CLI injects (`aws:cdk:bundling-stacks`, `aws:cdk:enable-path-metadata`, …),
 * cached lookups from cdk.context.json (`availability-zones:account=…:region=…`), and `cli-telemetry`.
 */
export function isCdkContextKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || key === 'cli-telemetry';
}

/** The message for the first key that is neither ours nor CDK's, naming the nearest known key; undefined when all are known. */
export function unknownContextKeyMessage(keys: Iterable<string>): string | undefined {
  const unknown = [...keys].filter((k) => !KNOWN.has(k) && !isCdkContextKey(k)).sort();
  if (unknown.length === 0) return undefined;
  const [first] = unknown;
  const nearest = nearestKey(first!);
  const hint = nearest ? `did you mean ${nearest}?` : `the keys are ${CONTEXT_KEYS.join(', ')}`;
  const others = unknown.length > 1 ? ` (also unknown: ${unknown.slice(1).join(', ')})` : '';
  return `CDK context key ${first} is not a setting of this app: ${hint}${others}`;
}

/** The known key closest to `key`, if it is close enough to be a plausible misspelling. */
export function nearestKey(key: string): ContextKey | undefined {
  return nearestName(key, CONTEXT_KEYS);
}
