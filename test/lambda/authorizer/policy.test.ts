import { PolicyBuilder, stagePrefix } from '../../../lambda/authorizer/policy';
import { parseRouteTable } from '../../../lambda/shared/routes';

const holder = (scopes: ReadonlySet<string>, claims: Record<string, unknown> = {}, issuer = 'https://issuer.example.com') => ({ scopes, issuer, claim: (ref: string) => claims[ref] });
const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/profile';
const routes = parseRouteTable(
  JSON.stringify([
    { method: 'GET', resourcePath: '/', auth: 'optional', scopes: [] },
    { method: 'GET', resourcePath: '/profile', auth: 'required', scopes: ['profile'] },
    { method: 'PUT', resourcePath: '/items/{id}', auth: 'required', scopes: ['items:write'] },
    { method: 'GET', resourcePath: '/files/{proxy+}', auth: 'required', scopes: [] },
  ]),
);

describe('policy', () => {
  it('finds the stage prefix of a methodArn', () => {
    expect(stagePrefix(ARN)).toBe('arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/');
    expect(stagePrefix('arn:aws:execute-api:eu-west-1:1:api')).toBeUndefined();
  });

  const b = new PolicyBuilder(routes);

  it('allows anonymous callers no optional route that declares scopes', () => {
    const withScoped = new PolicyBuilder(
      parseRouteTable(
        JSON.stringify([
          { method: 'GET', resourcePath: '/', auth: 'optional', scopes: [] },
          { method: 'GET', resourcePath: '/feed', auth: 'optional', scopes: ['feed'] },
        ]),
      ),
    );
    expect(withScoped.allowedRoutes(undefined)).toEqual([0]);
    expect(withScoped.allowedRoutes(holder(new Set(['feed'])))).toEqual([0, 1]);
  });

  it('allows anonymous callers the optional routes only', () => {
    expect(b.policy(ARN, b.allowedRoutes(undefined)).Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/'] },
    ]);
  });

  it('allows a token every route whose scopes it holds, and no other, whatever route was called', () => {
    const scopes = new Set(['openid', 'profile', 'authenticated']);
    const doc = b.policy(ARN, b.allowedRoutes(holder(scopes)));
    expect(doc.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: [
        'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/',
        'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/profile',
        'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/profile/',
        'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/files/*',
      ],
    });
    const viaHome = b.policy(ARN.replace(/GET\/profile$/, 'GET/'), b.allowedRoutes(holder(scopes)));
    expect(viaHome).toEqual(doc);
  });

  it('leaves out a route whose scope the token lacks', () => {
    const resources = (b.policy(ARN, b.allowedRoutes(holder(new Set(['openid', 'authenticated'])))).Statement[0] as { Resource: string[] }).Resource;
    expect(resources.some((r) => r.endsWith('/GET/profile'))).toBe(false);
    expect(resources.some((r) => r.endsWith('/GET/'))).toBe(true);
  });

  it('denies the whole stage explicitly when nothing is allowed, whichever route asked first', () => {
    const stage = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*';
    expect(b.policy(ARN, []).Statement[0]).toMatchObject({ Effect: 'Deny', Resource: stage });
    expect(b.policy(ARN.replace(/profile$/, ''), []).Statement[0]).toMatchObject({ Effect: 'Deny', Resource: stage });
  });

  it('denies the methodArn itself when it names no stage', () => {
    expect(b.policy('garbage', [0]).Statement[0]).toMatchObject({ Effect: 'Deny', Resource: 'garbage' });
  });
});

describe('policy with claim rules', () => {
  const ruled = new PolicyBuilder(
    parseRouteTable(
      JSON.stringify([
        { method: 'GET', resourcePath: '/', auth: 'optional', scopes: [] },
        { method: 'GET', resourcePath: '/admin', auth: 'required', scopes: [], claims: { roles: ['admin'] } },
        { method: 'GET', resourcePath: '/acme', auth: 'required', scopes: [], claims: { tenant: ['acme'] } },
        { method: 'GET', resourcePath: '/level', auth: 'required', scopes: [], claims: { level: ['1'] } },
      ]),
    ),
  );
  const scopes = new Set(['authenticated']);

  it('allows a route to a token whose claim is the value, or an array holding it', () => {
    expect(ruled.allowedRoutes(holder(scopes, { roles: ['user', 'admin'], tenant: 'acme', level: '1' }))).toEqual([0, 1, 2, 3]);
  });

  it('does not split a claim on spaces, nor take 1 or true for "1" or "true"', () => {
    const h = holder(scopes, { roles: 'user admin', tenant: 'evil acme', level: 1 });
    expect(ruled.allowedRoutes(h)).toEqual([0]);
    expect(ruled.shortfall(1, h)).toBe('CLAIM_RULE_UNMET');
    expect(ruled.allowedRoutes(holder(scopes, { roles: ['user admin'], tenant: ['evil acme'], level: [true, 1] }))).toEqual([0]);
  });
});
