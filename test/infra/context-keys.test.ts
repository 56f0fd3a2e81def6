import { App } from 'aws-cdk-lib';
import { ContextError, readConfig } from '../../infra/config';
import { CONTEXT_KEYS, isCdkContextKey, nearestKey, unknownContextKeyMessage } from '../../infra/context-keys';
import cdkJson from '../../cdk.json';
import { synth } from './synth';

const base = { issuer: 'https://login.example.com/', audience: 'api' };

describe('unknown context keys', () => {
  test('a misspelt key fails the config, naming the nearest known key', () => {
    const app = new App({ context: { ...base, requiredScope: 'x' } });
    expect(() => readConfig(app.node)).toThrow(ContextError);
    expect(() => readConfig(app.node)).toThrow('CDK context key requiredScope is not a setting of this app: did you mean requiredScopes?');
  });

  test('a wrong case or a dropped letter is still matched; a key like none lists them all', () => {
    expect(nearestKey('Issuer')).toBe('issuer');
    expect(nearestKey('corsOrigin')).toBe('corsOrigins');
    expect(nearestKey('fetchTimeout')).toBe('fetchTimeoutMs');
    expect(unknownContextKeyMessage(['banana'])).toBe(`CDK context key banana is not a setting of this app: the keys are ${CONTEXT_KEYS.join(', ')}`);
  });

  test('every unknown key is named, the first in full', () => {
    expect(unknownContextKeyMessage(['issuer', 'zzz', 'audiance'])).toBe('CDK context key audiance is not a setting of this app: did you mean audience? (also unknown: zzz)');
  });

  test("the CDK's own keys are not ours to refuse: feature flags, injected aws:cdk:* keys, lookups, cli-telemetry", () => {
    const cdkKeys = [
      ...Object.keys(cdkJson.context),
      '@aws-cdk/core:failSynthOnValidationErrors',
      'aws:cdk:bundling-stacks',
      'aws:cdk:enable-path-metadata',
      'aws:cdk:enable-asset-metadata',
      'aws:cdk:version-reporting',
      'availability-zones:account=123456789012:region=eu-west-1',
    ];
    for (const key of cdkKeys) expect(isCdkContextKey(key)).toBe(true);
    expect(unknownContextKeyMessage([...cdkKeys, ...CONTEXT_KEYS])).toBeUndefined();
    const app = new App({ context: { ...cdkJson.context, ...base, 'aws:cdk:bundling-stacks': [] } });
    expect(readConfig(app.node).issuer).toBe(base.issuer);
  });

  test('every listed key is one readConfig reads: each, malformed, is refused by name', () => {
    // A key listed but never read would be accepted silently, which is what this list exists to prevent.
    const malformed: Record<string, unknown> = { issuer: 'not a url', audience: ',', jwksUri: 'not a url', requiredScopes: {}, algorithms: 'HS256', usernameClaim: {}, stageName: 'a b', logRetentionDays: '2', corsOrigins: 'https://a.example/path', corsMaxAgeSeconds: 'x', contextClaims: {}, metricsNamespace: 'AWS/Lambda', metricsService: 'two words' };
    for (const key of CONTEXT_KEYS) {
      const value = malformed[key] ?? (/^(requireAtJwt|clientIdAsAudience)$/.test(key) ? 'maybe' : 'many');
      // Read from context, or (the authorizer's own settings) checked once at synth by the construct.
      expect(() => synth({ ...base, [key]: value })).toThrow(new RegExp(`\\b${key}\\b`));
    }
  });
});
