// Several issuers (OIDC_ISSUERS) or the one-issuer shorthand, never both; route rules and the context budget.
import { readConfig } from '../../../lambda/authorizer/config';
import { ConfigError } from '../../../lambda/authorizer/errors';
import { authorizerEnv, ROUTE_TABLE_JSON } from '../../helpers/config';

const A = 'https://a.example.com/';
const B = 'https://login.b.example.com/tenant/v2.0';
const several = (issuers: unknown, extra: Record<string, string> = {}) => ({ OIDC_ISSUERS: JSON.stringify(issuers), OIDC_ROUTES: ROUTE_TABLE_JSON, ...extra });

describe('OIDC_ISSUERS', () => {
  it('reads each issuer with its own rules, the global settings as defaults', () => {
    const c = readConfig(
      several(
        [
          { issuer: A, audience: 'api-a' },
          { issuer: B, audience: ['api-b', 'api-b2'], jwksUri: 'https://keys.b.example.com/jwks', usernameClaim: 'preferred_username', requiredScopes: [], clientIdAsAudience: true, requireAtJwt: true, contextClaims: ['roles'] },
        ],
        { OIDC_USERNAME_CLAIM: 'upn', OIDC_REQUIRED_SCOPES: 'openid api', OIDC_CONTEXT_CLAIMS: 'tenant_id' },
      ),
    );
    expect(c.issuers).toEqual([
      { issuer: A, audiences: ['api-a'], requiredScopes: ['openid', 'api'], usernameClaim: 'upn', clientIdAsAudience: false, requireAtJwt: false, contextClaims: ['tenant_id'], senderConstraint: 'off' },
      { issuer: B, audiences: ['api-b', 'api-b2'], jwksUri: 'https://keys.b.example.com/jwks', requiredScopes: [], usernameClaim: 'preferred_username', clientIdAsAudience: true, requireAtJwt: true, contextClaims: ['tenant_id', 'roles'], senderConstraint: 'off' },
    ]);
  });

  it.each([
    ['both forms at once', { ...several([{ issuer: A, audience: 'x' }]), OIDC_ISSUER: A }, /OIDC_ISSUERS: give either OIDC_ISSUERS or the one-issuer shorthand, not both \(also set: OIDC_ISSUER\)/],
    ['not JSON', { OIDC_ISSUERS: '[{', OIDC_ROUTES: ROUTE_TABLE_JSON }, /OIDC_ISSUERS: is not valid JSON/],
    ['an empty array', several([]), /non-empty JSON array/],
    ['21 issuers', several(Array.from({ length: 21 }, (_, i) => ({ issuer: `https://i${i}.example.com/`, audience: 'x' }))), /names 21 issuers; at most 20/],
    ['a misspelt key', several([{ issuer: A, audience: 'x', requiredScope: ['a'] }]), /issuers\[0\] has the unknown setting "requiredScope"; known: issuer, audience/],
    ['no audience', several([{ issuer: A }]), /issuers\[0\]\.audience is required/],
    ['an empty audience list', several([{ issuer: A, audience: [] }]), /issuers\[0\]\.audience is required/],
    ['an http issuer off loopback', several([{ issuer: 'http://a.example.com', audience: 'x' }]), /issuers\[0\]\.issuer must be an https URL/],
    ['credentials in a JWKS URI', several([{ issuer: A, audience: 'x', jwksUri: 'https://u:p@k.example.com/' }]), /issuers\[0\]\.jwksUri must not carry a query, fragment or credentials/],
    ['the same issuer twice', several([{ issuer: A, audience: 'x' }, { issuer: A, audience: 'y' }]), /issuers\[1\]\.issuer "https:\/\/a\.example\.com\/" is configured twice/],
    ['a flag that is not a boolean', several([{ issuer: A, audience: 'x', requireAtJwt: 'yes' }]), /issuers\[0\]\.requireAtJwt must be true or false/],
    ['a bad context claim', several([{ issuer: A, audience: 'x', contextClaims: ['has space'] }]), /issuers\[0\]\.contextClaims: "has space" is not a claim name/],
  ])('refuses %s, naming the setting', (_name, env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('refuses a route that names an issuer not configured', () => {
    const routes = JSON.stringify([{ method: 'GET', resourcePath: '/', auth: 'required', scopes: [], issuers: ['https://typo.example.com/'] }]);
    expect(() => readConfig(authorizerEnv(A, { OIDC_ROUTES: routes }))).toThrow(/OIDC_ROUTES: route GET \/ names the issuer "https:\/\/typo\.example\.com\/", which is not configured/);
  });

  it('refuses context claims that could outgrow the authorizer answer, by construction', () => {
    const many = Array.from({ length: 12 }, (_, i) => `claim_${i}`).join(' ');
    expect(() => readConfig(authorizerEnv(A, { OIDC_CONTEXT_CLAIMS: many }))).toThrow(/OIDC_CONTEXT_CLAIMS: 12 context claims .* over the 6144-byte budget/);
    expect(readConfig(authorizerEnv(A, { OIDC_CONTEXT_CLAIMS: 'tenant_id cognito:groups /realm_access/roles' })).issuers[0]!.contextClaims).toEqual(['tenant_id', 'cognito:groups', '/realm_access/roles']);
  });

  it('counts the claims route rules read toward that budget: their Lambdas re-check them from the context', () => {
    const routes = JSON.stringify(
      Array.from({ length: 12 }, (_, i) => ({ method: 'GET', resourcePath: `/r${i}`, auth: 'required', scopes: [], claims: { [`group_${i}`]: ['x'] } })),
    );
    expect(() => readConfig(authorizerEnv(A, { OIDC_ROUTES: routes }))).toThrow(/12 context claims/);
  });
});
