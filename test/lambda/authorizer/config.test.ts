import { readConfig } from '../../../lambda/authorizer/config';
import { ConfigError } from '../../../lambda/authorizer/errors';
import { authorizerEnv } from '../../helpers/config';

const base = authorizerEnv('https://issuer.example.com');

describe('readConfig', () => {
  it('reads the stack environment with documented defaults', () => {
    const c = readConfig({ ...base, OIDC_AUDIENCE: 'api://a, api://b' });
    expect(c.issuers).toEqual([
      { issuer: 'https://issuer.example.com', audiences: ['api://a', 'api://b'], requiredScopes: ['openid'], usernameClaim: 'email', requireAtJwt: false, clientIdAsAudience: false, contextClaims: [], senderConstraint: 'off' },
    ]);
    expect(c).toMatchObject({
      clockToleranceSeconds: 60,
      jwksMaxAgeSeconds: 600,
      jwksMaxStaleSeconds: 86400,
      jwksCooldownSeconds: 10,
      fetchTimeoutMs: 3000,
      fetchMaxBytes: 1048576,
      maxTokenBytes: 16384,
      tokenCacheSize: 1000,
    });
    expect(c.algorithms).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
    expect(c.routes.map((r) => `${r.auth} ${r.method} ${r.resourcePath} ${r.scopes.join(',')}`)).toEqual(['optional GET / ', 'required GET /profile profile']);
    expect(c.issuers[0]!.jwksUri).toBeUndefined();
  });

  it('reads every override', () => {
    const c = readConfig({
      ...base,
      OIDC_JWKS_URI: 'https://keys.example.com/jwks',
      OIDC_REQUIRED_SCOPES: 'openid api',
      OIDC_ALGORITHMS: 'ES256,EdDSA',
      OIDC_USERNAME_CLAIM: 'preferred_username',
      OIDC_CLOCK_TOLERANCE_SECONDS: '5',
      OIDC_REQUIRE_AT_JWT: 'true',
      OIDC_CLIENT_ID_AS_AUDIENCE: 'TRUE',
      OIDC_TOKEN_CACHE_SIZE: '0',
    });
    expect(c).toMatchObject({ algorithms: ['ES256', 'EdDSA'], clockToleranceSeconds: 5, tokenCacheSize: 0 });
    expect(c.issuers[0]).toMatchObject({
      jwksUri: 'https://keys.example.com/jwks',
      requiredScopes: ['openid', 'api'],
      usernameClaim: 'preferred_username',
      requireAtJwt: true,
      clientIdAsAudience: true,
    });
  });

  it('never puts a URL credential into its error message', () => {
    expect(() => readConfig({ ...base, OIDC_ISSUER: 'https://user:hunter2@login.example.com/' })).toThrow(/^(?!.*hunter2)/s);
    expect(() => readConfig({ ...base, OIDC_ISSUER: 'htps//user:hunter2@x' })).toThrow(/^(?!.*hunter2)/s);
  });

  it('accepts key timings whose cooldown fits within max age + max stale', () => {
    const env = { ...base, OIDC_JWKS_MAX_AGE_SECONDS: '5', OIDC_JWKS_MAX_STALE_SECONDS: '25', OIDC_JWKS_COOLDOWN_SECONDS: '30' };
    expect(readConfig(env).jwksCooldownSeconds).toBe(30);
  });

  it('allows http issuers on loopback only', () => {
    expect(readConfig({ ...base, OIDC_ISSUER: 'http://127.0.0.1:9000' }).issuers[0]!.issuer).toBe('http://127.0.0.1:9000');
    expect(readConfig({ ...base, OIDC_ISSUER: 'http://localhost:9000/realms/x' }).issuers[0]!.issuer).toBe('http://localhost:9000/realms/x');
    expect(readConfig({ ...base, OIDC_ISSUER: 'http://[::1]:9000' }).issuers[0]!.issuer).toBe('http://[::1]:9000');
  });

  it.each([
    [{ OIDC_ISSUER: undefined }, /OIDC_ISSUER: is required: set the CDK context value issuer/],
    [{ OIDC_ISSUER: 'issuer.example.com' }, /OIDC_ISSUER: must be an absolute URL such as https:\/\/login.example.com\/, got "issuer.example.com"/],
    [{ OIDC_ISSUER: 'http://issuer.example.com' }, /OIDC_ISSUER: must be an https URL/],
    [{ OIDC_ISSUER: 'ftp://issuer.example.com' }, /OIDC_ISSUER: must be an https URL/],
    [{ OIDC_AUDIENCE: '' }, /OIDC_AUDIENCE: is required/],
    [{ OIDC_AUDIENCE: ' , ' }, /OIDC_AUDIENCE: must name at least one audience/],
    [{ OIDC_JWKS_URI: 'http://keys.example.com' }, /OIDC_JWKS_URI: must be an https URL/],
    [{ OIDC_ROUTES: undefined }, /OIDC_ROUTES: is required/],
    [{ OIDC_ROUTES: '{' }, /OIDC_ROUTES: is not valid JSON/],
    [{ OIDC_ROUTES: '[]' }, /OIDC_ROUTES: must be a non-empty JSON array/],
    [{ OIDC_ROUTES: '[{"method":"FETCH","resourcePath":"/","auth":"optional"}]' }, /OIDC_ROUTES: route method "FETCH"/],
    [{ OIDC_ROUTES: '[{"method":"GET","resourcePath":"no-slash","auth":"optional"}]' }, /OIDC_ROUTES: route path "no-slash"/],
    [{ OIDC_ROUTES: '[{"method":"GET","resourcePath":"/","auth":"maybe"}]' }, /needs auth "optional" or "required"/],
    [{ OIDC_ROUTES: '[{"method":"GET","resourcePath":"/","auth":"optional","scopes":"profile"}]' }, /scopes must be an array/],
    [{ OIDC_ROUTES: '[{"method":"GET","resourcePath":"/","auth":"optional"},{"method":"get","resourcePath":"/","auth":"required"}]' }, /declared twice/],
    [{ OIDC_ALGORITHMS: 'RS256 none' }, /OIDC_ALGORITHMS: "none" is not allowed/],
    [{ OIDC_ALGORITHMS: 'HS256' }, /OIDC_ALGORITHMS: "HS256" is not allowed/],
    [{ OIDC_CLOCK_TOLERANCE_SECONDS: '1m' }, /OIDC_CLOCK_TOLERANCE_SECONDS: must be a whole number/],
    [{ OIDC_CLOCK_TOLERANCE_SECONDS: '3600' }, /OIDC_CLOCK_TOLERANCE_SECONDS: must be between 0 and 600/],
    [{ OIDC_FETCH_TIMEOUT_MS: '20000' }, /OIDC_FETCH_TIMEOUT_MS: must be between 100 and 10000/],
    [{ OIDC_JWKS_COOLDOWN_SECONDS: '0' }, /OIDC_JWKS_COOLDOWN_SECONDS: must be between 1 and 3600/],
    [{ OIDC_REQUIRE_AT_JWT: 'yes' }, /OIDC_REQUIRE_AT_JWT: must be "true" or "false"/],
    // The same URL rules as cdk synth (lambda/authorizer/url.ts), so neither accepts what the other refuses.
    [{ OIDC_ISSUER: 'https://user:pw@login.example.com/' }, /OIDC_ISSUER: must not carry a query, fragment or credentials/],
    [{ OIDC_ISSUER: 'https://login.example.com/?tenant=1' }, /OIDC_ISSUER: must not carry a query/],
    [{ OIDC_ISSUER: 'https://login.example.com/#x' }, /OIDC_ISSUER: must not carry a query/],
    [{ OIDC_JWKS_URI: 'https://user:pw@login.example.com/keys' }, /OIDC_JWKS_URI: must not carry a query, fragment or credentials/],
    [{ OIDC_JWKS_URI: 'https://login.example.com/keys?x=1' }, /OIDC_JWKS_URI: must not carry a query/],
    // Timings that would answer 503 with the issuer healthy: keys expire before a refresh is allowed.
    [
      { OIDC_JWKS_MAX_AGE_SECONDS: '5', OIDC_JWKS_COOLDOWN_SECONDS: '30', OIDC_JWKS_MAX_STALE_SECONDS: '0' },
      /OIDC_JWKS_COOLDOWN_SECONDS: is 30 s, longer than the keys' max age plus max stale age \(5 \+ 0 s\)/,
    ],
  ])('refuses %o with a message naming the setting', (patch, message) => {
    const env = { ...base, ...patch };
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('takes a metrics namespace and service CloudWatch accepts, and says what it refuses', () => {
    expect(readConfig({ ...base, OIDC_METRICS_NAMESPACE: 'Auth Team/OIDC', OIDC_METRICS_SERVICE: 'orders-api' })).toMatchObject({ metricsNamespace: 'Auth Team/OIDC', metricsService: 'orders-api' });
    expect(() => readConfig({ ...base, OIDC_METRICS_NAMESPACE: 'AWS/Lambda' })).toThrow('OIDC_METRICS_NAMESPACE: must be 1 to 255 letters, digits, spaces or . - _ / # :, not starting with AWS/, got "AWS/Lambda"');
    expect(() => readConfig({ ...base, OIDC_METRICS_SERVICE: 'two words' })).toThrow('OIDC_METRICS_SERVICE: must be 1 to 255 letters, digits or . - _ / # :, got "two words"');
    expect(() => readConfig({ ...base, OIDC_METRICS_SERVICE: 'x'.repeat(256) })).toThrow(ConfigError);
  });
});
