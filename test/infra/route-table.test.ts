import { routeConstructId, routeRules } from '../../infra/route-table';
import { ROUTES } from '../../infra/routes';

describe('routeRules', () => {
  test('maps each declaration to the authorizer’s RouteRule', () => {
    expect(routeRules(ROUTES)).toEqual([
      { method: 'GET', resourcePath: '/', auth: 'optional', scopes: [], claims: {}, issuers: [] },
      { method: 'GET', resourcePath: '/profile', auth: 'required', scopes: ['profile'], claims: {}, issuers: [] },
    ]);
  });

  test('a declaration the authorizer would reject fails here, at synth', () => {
    const route = { method: 'GET', path: '/a', handler: 'homepage', auth: 'required', scopes: [] } as const;
    expect(() => routeRules([route, route])).toThrow('infra/routes.ts: route GET /a is declared twice');
    expect(() => routeRules([{ ...route, path: 'no-slash' }])).toThrow(/not an API Gateway resource path/);
    expect(() => routeRules([{ ...route, scopes: ['two words'] }])).toThrow(/scope tokens/);
  });
});

describe('routeConstructId', () => {
  test.each([
    ['GET', '/', 'GetRoot'],
    ['GET', '/profile', 'GetProfile'],
    ['POST', '/items/{id}', 'PostItemsId'],
    ['DELETE', '/files/{proxy+}', 'DeleteFilesProxy'],
    ['PUT', '/user-settings', 'PutUserSettings'],
  ] as const)('%s %s -> %s', (method, path, id) => {
    expect(routeConstructId({ method, path })).toBe(id);
  });
});
