import { parseRouteTable } from '../../../lambda/shared/routes';
import { patternReaches, policyResources, routeLanguage, routePattern } from '../../../lambda/shared/arn-pattern';
import type { RouteRule } from '../../../lambda/shared/routes';

const route = (method: string, resourcePath: string): RouteRule => ({ method, resourcePath, auth: 'required', scopes: [], claims: {}, issuers: [] });

describe('patternReaches: an IAM pattern against the requests a route receives', () => {
  it.each([
    ['GET/items/*', route('GET', '/items/admin'), true],
    ['GET/items/*', route('GET', '/items/{id}/secret'), true], // IAM's * crosses /
    ['*/x', route('GET', '/x'), true],
    ['GET/*', route('GET', '/{page}'), true],
    ['GET/items/*', route('GET', '/{page}'), true], // GET /items/ (trailing slash) is routed to /{page}
    ['GET/items/*/x', route('GET', '/{page}'), false], // one segment never reaches /items/…/x
    ['GET/items/*', route('POST', '/items/{id}'), false],
    ['GET/', route('GET', '/profile'), false],
    ['GET/files/*', route('GET', '/files/{proxy+}'), true],
    ['GET/b*', route('ANY', '/abc'), false],
    ['GET/a*', route('ANY', '/abc'), true], // ANY includes GET
    ['*/abc', route('ANY', '/abc'), true],
    ['GET/x/*/y', route('GET', '/x/{a}'), true], // GET /x//y is routed to /x/{a}
    ['GET/x/*/y/z', route('GET', '/x/{a}'), false],
    ['GET/x/*/y', route('GET', '/x/{a+}'), true],
    ['GET/profile/*', route('GET', '/profile'), true], // GET /profile/ is routed to /profile
    ['GET/*/admin', route('GET', '/admin'), true], // GET //admin too
  ])('%s reaches %o: %s', (pattern, rule, expected) => {
    expect(patternReaches(pattern, routeLanguage(rule))).toBe(expected);
  });
});

describe('policyResources', () => {
  it('names a literal route with and without a trailing slash, and a pattern that covers it once', () => {
    expect(['/', '/profile', '/items/{id}', '/files/{proxy+}'].map((p) => policyResources(route('GET', p)))).toEqual([
      ['GET/'],
      ['GET/profile', 'GET/profile/'],
      ['GET/items/*'],
      ['GET/files/*'],
    ]);
  });
});

describe('routePattern', () => {
  it('drops duplicate scopes when a route is parsed', () => {
    expect(parseRouteTable(JSON.stringify([{ method: 'GET', resourcePath: '/', auth: 'required', scopes: ['a', 'a', 'b'] }]))[0]!.scopes).toEqual(['a', 'b']);
  });

  it('turns resource paths into execute-api resource patterns', () => {
    expect(['/', '/profile', '/items/{id}', '/files/{proxy+}'].map((p, i) => routePattern(route(i === 3 ? 'ANY' : 'GET', p)))).toEqual([
      'GET/',
      'GET/profile',
      'GET/items/*',
      '*/files/*',
    ]);
  });
});

describe('parseRouteTable refuses routes whose policy pattern reaches a route with another requirement', () => {
  const table = (...routes: object[]) => JSON.stringify(routes);
  const r = (method: string, resourcePath: string, auth: string, scopes: string[] = []) => ({ method, resourcePath, auth, scopes });

  it.each([
    ['a {param} over a stricter literal sibling', [r('GET', '/items/{id}', 'required', ['items:read']), r('GET', '/items/admin', 'required', ['admin'])]],
    ['a {param} over a stricter child', [r('GET', '/items/{id}', 'required', ['items:read']), r('GET', '/items/{id}/secret', 'required', ['admin'])]],
    ['ANY over a stricter method', [r('ANY', '/x', 'optional'), r('GET', '/x', 'required', ['admin'])]],
    ['an optional catch-all over a protected page', [r('GET', '/{page}', 'optional'), r('GET', '/profile', 'required', ['profile'])]],
    ['a one-segment catch-all over deeper routes (IAM * crosses /)', [r('GET', '/{page}', 'optional'), r('GET', '/items/{id}', 'required', ['items:read'])]],
    ['a proxy over anything below it', [r('GET', '/files/{proxy+}', 'required'), r('GET', '/files/private/{id}', 'required', ['admin'])]],
    // A path may end with a slash or repeat one and still be routed to a route; the methodArn keeps it as sent.
    ['a child param over its parent sent with a trailing slash', [r('GET', '/profile/{id}', 'required'), r('GET', '/profile', 'required', ['profile'])]],
    ['a leading param over a route sent with a doubled slash', [r('GET', '/{tenant}/admin', 'required'), r('GET', '/admin', 'required', ['admin'])]],
    ['duplicate scopes that looked like the same requirement', [r('GET', '/items/{id}', 'required', ['read', 'read']), r('GET', '/items/admin', 'required', ['read', 'admin'])]],
    ['an optional route over a required one without scopes', [r('GET', '/items/{id}', 'optional'), r('GET', '/items/admin', 'required')]],
    // Anonymous callers get an optional route only when it asks for no scope: its pattern must not lend them one that does.
    ['an anonymous-friendly catch-all over an optional route with scopes', [r('GET', '/{page}', 'optional'), r('GET', '/feed', 'optional', ['feed'])]],
    // Claim and issuer rules are requirements like scopes.
    ['a catch-all without claims over a group-gated route', [r('GET', '/{page}', 'required'), { ...r('GET', '/admin', 'required'), claims: { 'cognito:groups': ['admins'] } }]],
    ['a pattern admitting more groups than the route it reaches', [{ ...r('GET', '/items/{id}', 'required'), claims: { roles: ['reader', 'admin'] } }, { ...r('GET', '/items/secret', 'required'), claims: { roles: ['admin'] } }]],
    ['a pattern admitting every issuer over an issuer-limited route', [r('GET', '/{page}', 'required'), { ...r('GET', '/partners', 'required'), issuers: ['https://b.example.com/'] }]],
  ])('%s', (_name, routes) => {
    expect(() => parseRouteTable(table(...routes))).toThrow(/also matches requests of/);
  });

  it.each([
    ['the shipped table', [r('GET', '/', 'optional'), r('GET', '/profile', 'required', ['profile'])]],
    ['siblings whose patterns cannot reach each other', [r('GET', '/items/{id}', 'required', ['items:read']), r('GET', '/users/{id}', 'required', ['users:read'])]],
    ['overlapping routes with one requirement', [r('GET', '/items/{id}', 'required', ['items:read']), r('GET', '/items/{id}/notes', 'required', ['items:read'])]],
    ['other methods', [r('GET', '/items/{id}', 'optional'), r('PUT', '/items/{id}', 'required', ['items:write'])]],
    ['a stricter route over a laxer one', [r('GET', '/items/{id}', 'required', ['admin']), r('GET', '/items/public', 'optional')]],
    ['an optional route with scopes over a required one with the same scopes', [r('GET', '/feed/{id}', 'optional', ['feed']), r('GET', '/feed/mine', 'required', ['feed'])]],
    ['a pattern whose claims imply the reached route’s', [{ ...r('GET', '/items/{id}', 'required'), claims: { roles: ['admin'] } }, { ...r('GET', '/items/list', 'required'), claims: { roles: ['admin', 'reader'] } }]],
    ['an issuer-limited pattern over a route of the same issuers', [{ ...r('GET', '/p/{id}', 'required'), issuers: ['https://b.example.com/'] }, { ...r('GET', '/p/x', 'required'), issuers: ['https://a.example.com/', 'https://b.example.com/'] }]],
  ])('accepts %s', (_name, routes) => {
    expect(() => parseRouteTable(table(...routes))).not.toThrow();
  });
});
