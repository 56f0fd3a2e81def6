import { parseRouteTable } from '../../../lambda/shared/routes';
import { patternReaches, routeLanguage, routePattern } from '../../../lambda/shared/arn-pattern';
import type { RouteRule } from '../../../lambda/shared/routes';

const route = (method: string, resourcePath: string): RouteRule => ({ method, resourcePath, auth: 'required', scopes: [] });

describe('patternReaches: an IAM pattern against the requests a route receives', () => {
  it.each([
    ['GET/items/*', route('GET', '/items/admin'), true],
    ['GET/items/*', route('GET', '/items/{id}/secret'), true], // IAM's * crosses /
    ['*/x', route('GET', '/x'), true],
    ['GET/*', route('GET', '/{page}'), true],
    ['GET/items/*', route('GET', '/{page}'), false], // one segment never reaches /items/…
    ['GET/items/*', route('POST', '/items/{id}'), false],
    ['GET/', route('GET', '/profile'), false],
    ['GET/files/*', route('GET', '/files/{proxy+}'), true],
    ['GET/b*', route('ANY', '/abc'), false],
    ['GET/a*', route('ANY', '/abc'), true], // ANY includes GET
    ['*/abc', route('ANY', '/abc'), true],
    ['GET/x/*/y', route('GET', '/x/{a}'), false],
    ['GET/x/*/y', route('GET', '/x/{a+}'), true],
  ])('%s reaches %o: %s', (pattern, rule, expected) => {
    expect(patternReaches(pattern, routeLanguage(rule))).toBe(expected);
  });
});

describe('routePattern', () => {
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
  ])('%s', (_name, routes) => {
    expect(() => parseRouteTable(table(...routes))).toThrow(/also matches requests of/);
  });

  it.each([
    ['the shipped table', [r('GET', '/', 'optional'), r('GET', '/profile', 'required', ['profile'])]],
    ['siblings whose patterns cannot reach each other', [r('GET', '/items/{id}', 'required', ['items:read']), r('GET', '/users/{id}', 'required', ['users:read'])]],
    ['overlapping routes with one requirement', [r('GET', '/items/{id}', 'required', ['items:read']), r('GET', '/items/{id}/notes', 'required', ['items:read'])]],
    ['other methods', [r('GET', '/items/{id}', 'optional'), r('PUT', '/items/{id}', 'required', ['items:write'])]],
  ])('accepts %s', (_name, routes) => {
    expect(() => parseRouteTable(table(...routes))).not.toThrow();
  });
});
