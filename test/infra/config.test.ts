import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextError, readConfig } from '../../infra/config';
import { synth } from './synth';

const from = (context: Record<string, unknown>) => readConfig({ tryGetContext: (key) => context[key] });
const base = { issuer: 'https://login.example.com/', audience: 'api' };

describe('required values', () => {
  test('a missing issuer says how to pass it', () => {
    expect(() => from({ audience: 'api' })).toThrow(ContextError);
    expect(() => from({ audience: 'api' })).toThrow(
      /^CDK context value issuer is required: npx cdk deploy -c issuer=https:\/\/\S+ -c audience=\S+$/,
    );
    expect(() => from({ issuer: '  ', audience: 'api' })).toThrow(/issuer is required/);
  });

  test('an issuer that is not a URL is refused', () => {
    expect(() => from({ ...base, issuer: 'login.example.com' })).toThrow(/issuer must be an absolute URL/);
  });

  test('http is refused unless the host is loopback', () => {
    expect(() => from({ ...base, issuer: 'http://login.example.com/' })).toThrow(
      'issuer must be an https URL (http is allowed only for a loopback host: localhost, 127.0.0.1, [::1])',
    );
    for (const issuer of ['http://localhost:8080/', 'http://127.0.0.1:9000', 'http://[::1]:3000/realms/x']) {
      expect(from({ ...base, issuer }).issuer).toBe(issuer);
    }
  });

  test('an issuer with a query or fragment is refused (OIDC Discovery §3)', () => {
    expect(() => from({ ...base, issuer: 'https://login.example.com/?tenant=1' })).toThrow(/must not carry a query/);
    expect(() => from({ ...base, issuer: 'https://login.example.com/#x' })).toThrow(/must not carry a query/);
  });

  test('a refused issuer is shown as given, with what is wrong in it', () => {
    expect(() => from({ ...base, issuer: 'https://login.example.com/?x=1' })).toThrow('"https://login.example.com/?x=1" has a query');
    expect(() => from({ ...base, issuer: 'https://login.example.com/#top' })).toThrow('"https://login.example.com/#top" has a fragment');
    expect(() => from({ ...base, issuer: 'https://login.example.com/?x#y' })).toThrow('has a query and a fragment');
    // A bare ? or # is no less part of what iss would have to equal.
    expect(() => from({ ...base, issuer: 'https://login.example.com/?' })).toThrow('"https://login.example.com/?" has a query');
    expect(() => from({ ...base, issuer: 'https://login.example.com/#' })).toThrow('"https://login.example.com/#" has a fragment');
    expect(() => from({ ...base, issuer: 'http://login.example.com/?x=1' })).toThrow('must be an https URL (http is allowed only for a loopback host: localhost, 127.0.0.1, [::1]), got "http://login.example.com/?x=1"');
  });

  test('the issuer is kept exactly, since it is compared with iss byte for byte', () => {
    expect(from({ ...base, issuer: 'https://login.example.com' }).issuer).toBe('https://login.example.com');
    expect(from(base).issuer).toBe('https://login.example.com/');
  });

  test('an empty audience is refused', () => {
    expect(() => from({ issuer: base.issuer })).toThrow(/audience is required/);
    expect(() => from({ ...base, audience: '' })).toThrow(/audience is required/);
    expect(() => from({ ...base, audience: ' , ,' })).toThrow(/audience is required/);
  });

  test('audience is a comma-separated list, trimmed', () => {
    expect(from({ ...base, audience: 'api, https://api.example.com ,' }).audience).toEqual(['api', 'https://api.example.com']);
    expect(from({ ...base, audience: ['a', 'b'] }).audience).toEqual(['a', 'b']);
  });

  test('jwksUri follows the same URL rules', () => {
    expect(from({ ...base, jwksUri: 'https://keys.example.com/jwks.json' }).jwksUri).toBe('https://keys.example.com/jwks.json');
    expect(() => from({ ...base, jwksUri: 'http://keys.example.com/jwks.json' })).toThrow(/jwksUri must be an https URL/);
  });
});

describe('defaults', () => {
  test('only issuer and audience are needed', () => {
    const config = from(base);
    expect(config.authorizerCacheTtlSeconds).toBe(300);
    expect(config.stageName).toBe('prod');
    expect(config.logRetention).toBe(RetentionDays.ONE_MONTH);
    expect(config.jwksUri).toBeUndefined();
    expect(Object.values(config.settings).filter((v) => v !== undefined)).toEqual([]);
  });
});

describe('tuning values', () => {
  test('strings from -c and JSON values from cdk.json both work', () => {
    const fromCli = from({ ...base, requireAtJwt: 'TRUE', clientIdAsAudience: 'false', clockToleranceSeconds: '30', tokenCacheSize: '0' });
    const fromJson = from({ ...base, requireAtJwt: true, clientIdAsAudience: false, clockToleranceSeconds: 30, tokenCacheSize: 0 });
    for (const config of [fromCli, fromJson]) {
      expect(config.settings).toMatchObject({ requireAtJwt: true, clientIdAsAudience: false, clockToleranceSeconds: 30, tokenCacheSize: 0 });
    }
  });

  test('scopes and algorithms are lists; an empty requiredScopes requires none', () => {
    const config = from({ ...base, requiredScopes: 'openid  api:read', algorithms: 'RS256,ES256', usernameClaim: 'preferred_username' });
    expect(config.settings).toMatchObject({ requiredScopes: ['openid', 'api:read'], algorithms: ['RS256', 'ES256'], usernameClaim: 'preferred_username' });
    expect(from({ ...base, requiredScopes: '' }).settings.requiredScopes).toEqual([]);
    // null (cdk.json can hold it) is absent, not empty: it keeps the default openid requirement.
    expect(from({ ...base, requiredScopes: null }).settings.requiredScopes).toBeUndefined();
    expect(from(base).settings.requiredScopes).toBeUndefined();
  });

  test('malformed numbers and flags name the key', () => {
    expect(() => from({ ...base, fetchTimeoutMs: '3s' })).toThrow('CDK context value fetchTimeoutMs must be a whole number, got "3s"');
    expect(() => from({ ...base, jwksMaxAgeSeconds: -1 })).toThrow(/jwksMaxAgeSeconds must be a whole number/);
    expect(() => from({ ...base, requireAtJwt: 'yes' })).toThrow('CDK context value requireAtJwt must be true or false, got "yes"');
    expect(() => from({ ...base, clientIdAsAudience: { on: true } })).toThrow(/clientIdAsAudience must be a string, number or boolean/);
  });

  // Checked once per synth, with the route table, by the OidcAuthorizer: the message names the construct and the key.
  test('bounds come from the authorizer’s own parser at synth, reported by context key', () => {
    expect(() => synth({ ...base, clockToleranceSeconds: 900 })).toThrow(/\[OidcApi\/Authorizer\] clockToleranceSeconds must be between 0 and 600, got 900$/m);
    expect(() => synth({ ...base, fetchTimeoutMs: 60000 })).toThrow(/\[OidcApi\/Authorizer\] fetchTimeoutMs must be between/);
    expect(() => synth({ ...base, algorithms: 'HS256' })).toThrow(/\[OidcApi\/Authorizer\] algorithms "HS256" is not allowed/);
  });

  test('timings that would answer 503 with the issuer healthy are refused at synth, naming the key', () => {
    expect(() => synth({ ...base, jwksMaxAgeSeconds: 5, jwksCooldownSeconds: 30, jwksMaxStaleSeconds: 0 })).toThrow(
      /\[OidcApi\/Authorizer\] jwksCooldownSeconds is 30 s, longer than the keys' max age plus max stale age \(5 \+ 0 s\)/,
    );
  });

  test('URL credentials are refused at synth as at cold start, and never echoed', () => {
    expect(() => from({ ...base, issuer: 'https://user:hunter2@login.example.com/' })).toThrow(/issuer must not carry a query, fragment or credentials/);
    expect(() => from({ ...base, issuer: 'https://user:hunter2@login.example.com/' })).toThrow(/^(?!.*hunter2)/s);
    expect(() => from({ ...base, issuer: 'https://user:hunter2@login.example.com/?x=1' })).toThrow('"https://login.example.com/" has credentials and a query (left out here)');
  });

  test('infrastructure values are checked', () => {
    expect(from({ ...base, authorizerCacheTtlSeconds: '0' }).authorizerCacheTtlSeconds).toBe(0);
    expect(() => from({ ...base, authorizerCacheTtlSeconds: 3601 })).toThrow(/authorizerCacheTtlSeconds must be 0 to 3600/);
    expect(from({ ...base, stageName: 'v1' }).stageName).toBe('v1');
    expect(() => from({ ...base, stageName: 'prod/v1' })).toThrow(/stageName must be/);
    expect(from({ ...base, logRetentionDays: '7' }).logRetention).toBe(RetentionDays.ONE_WEEK);
    expect(() => from({ ...base, logRetentionDays: 10 })).toThrow(/logRetentionDays must be one CloudWatch Logs offers/);
  });
});
