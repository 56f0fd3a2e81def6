import { readRouteRequirement } from '../../../lambda/shared/route-requirement';
import { routeHandler } from '../../../lambda/shared/route-handler';
import { json } from '../../../lambda/shared/respond';

describe('readRouteRequirement', () => {
  it('reads the route requirement the stack sets', () => {
    expect(readRouteRequirement({ ROUTE_AUTH: 'required', ROUTE_SCOPES: 'profile email' })).toEqual({ auth: 'required', scopes: ['profile', 'email'], claims: {}, issuers: [] });
    expect(readRouteRequirement({ ROUTE_AUTH: 'optional' })).toEqual({ auth: 'optional', scopes: [], claims: {}, issuers: [] });
  });

  it('fails at cold start with a message naming the setting', () => {
    expect(() => readRouteRequirement({})).toThrow(/ROUTE_AUTH: must be "optional" or "required"/);
    expect(() => routeHandler(() => json(200, {}), { ROUTE_AUTH: 'sometimes' })).toThrow(/ROUTE_AUTH/);
  });
});

describe('a handler re-checks claim and issuer rules itself, from the context the authorizer handed on', () => {
  const env = { ROUTE_AUTH: 'required', ROUTE_SCOPES: '', ROUTE_CLAIMS: JSON.stringify({ 'cognito:groups': ['admins'] }), ROUTE_ISSUERS: 'https://b.example.com/' };
  const handler = routeHandler(() => json(200, { ok: true }), env);
  const event = (authorizer: Record<string, string> | null) => ({ headers: {}, requestContext: { authorizer } }) as never;
  const user = (groups: string[], issuer = 'https://b.example.com/') => ({
    principalId: 'u1', sub: 'u1', anonymous: 'false', scopes: 'openid authenticated', issuer,
    'claim:cognito:groups': JSON.stringify(groups), claimTypes: JSON.stringify({ 'cognito:groups': 'j' }),
  });

  it('reads ROUTE_CLAIMS and ROUTE_ISSUERS', () => {
    expect(readRouteRequirement(env)).toMatchObject({ claims: { 'cognito:groups': ['admins'] }, issuers: ['https://b.example.com/'] });
    expect(() => readRouteRequirement({ ...env, ROUTE_CLAIMS: '{' })).toThrow(/ROUTE_CLAIMS: must be/);
  });

  it('serves a member of the group from the right issuer', async () => {
    expect((await handler(event(user(['admins'])))).statusCode).toBe(200);
  });

  it('answers 403 to a token whose claim holds the value only as a space-delimited word', async () => {
    const h = routeHandler(() => json(200, { ok: true }), { ROUTE_AUTH: 'required', ROUTE_CLAIMS: JSON.stringify({ roles: ['admin'], tenant: ['acme'] }) });
    const ctx = (roles: string, tenant: string) => ({
      principalId: 'u1', sub: 'u1', anonymous: 'false', scopes: 'openid authenticated', 'claim:roles': roles, 'claim:tenant': tenant,
      claimTypes: JSON.stringify({ roles: 's', tenant: 's' }),
    });
    expect((await h(event(ctx('admin', 'acme')))).statusCode).toBe(200);
    expect((await h(event(ctx('user admin', 'acme')))).statusCode).toBe(403);
    expect((await h(event(ctx('admin', 'evil acme')))).statusCode).toBe(403);
  });

  it.each([
    ['outside the group', user(['staff'])],
    ['from another issuer', user(['admins'], 'https://a.example.com/')],
    ['with the claim missing from the context', { ...user(['admins']), claimTypes: '{}' }],
  ])('answers 403 to a token holder %s', async (_name, ctx) => {
    const res = await handler(event(ctx));
    expect(res.statusCode).toBe(403);
    expect(res.headers!['www-authenticate']).toBe('Bearer error="insufficient_scope"');
  });

  it('answers 401 to an anonymous caller, even on an optional route with rules', async () => {
    const optional = routeHandler(() => json(200, {}), { ...env, ROUTE_AUTH: 'optional' });
    expect((await optional(event({ anonymous: 'true' }))).statusCode).toBe(401);
  });
});
