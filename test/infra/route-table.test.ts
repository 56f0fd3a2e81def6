import * as path from 'node:path';
import { ContextError } from '../../infra/config';
import { checkRouteHandlers, routeConstructId } from '../../infra/route-table';
import { ROUTES, type RouteDeclaration } from '../../infra/routes';
import { BASE_CONTEXT, synth } from './synth';

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

describe('checkRouteHandlers', () => {
  const lambdaDir = path.join(__dirname, '..', '..', 'lambda');
  const orders: RouteDeclaration = { method: 'GET', path: '/orders', handler: 'orders', auth: 'required', scopes: ['orders:read'] };

  test('every route of infra/routes.ts has its handler', () => {
    expect(() => checkRouteHandlers(ROUTES, lambdaDir)).not.toThrow();
  });

  test('a route without lambda/<handler>/index.ts is one line naming the file to create', () => {
    expect(() => checkRouteHandlers([...ROUTES, orders], lambdaDir)).toThrow(
      new ContextError('routes', 'infra/routes.ts: route GET /orders has no handler: create lambda/orders/index.ts exporting handler'),
    );
  });

  test('the stack refuses it before CDK stages any asset', () => {
    expect(() => synth(BASE_CONTEXT, { routes: [...ROUTES, orders] })).toThrow(/^infra\/routes\.ts: route GET \/orders has no handler: create lambda\/orders\/index\.ts exporting handler$/);
  });
});
