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
  // Not README's recipe route (test/route-recipe.test.ts runs this suite with it added).
  const missing: RouteDeclaration = { method: 'GET', path: '/invoices', handler: 'invoices-not-written', auth: 'required', scopes: ['invoices:read'] };

  test('every route of infra/routes.ts has its handler', () => {
    expect(() => checkRouteHandlers(ROUTES, lambdaDir)).not.toThrow();
  });

  test('a route without lambda/<handler>/index.ts is one line naming the file to create', () => {
    expect(() => checkRouteHandlers([...ROUTES, missing], lambdaDir)).toThrow(
      new ContextError('routes', 'infra/routes.ts: route GET /invoices has no handler: create lambda/invoices-not-written/index.ts exporting handler'),
    );
  });

  test('the stack refuses it before CDK stages any asset', () => {
    expect(() => synth(BASE_CONTEXT, { routes: [...ROUTES, missing] })).toThrow(/^infra\/routes\.ts: route GET \/invoices has no handler: create lambda\/invoices-not-written\/index\.ts exporting handler$/);
  });
});
