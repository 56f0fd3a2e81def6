import type { MethodModel } from '../../../local/template/api-model';
import { Router } from '../../../local/gateway/routing';

const method = (httpMethod: string, resourcePath: string): MethodModel => ({
  logicalId: `${httpMethod}${resourcePath}`,
  resourceId: 'r',
  resourcePath,
  httpMethod,
  authorizationType: 'NONE',
  integration: { type: 'AWS_PROXY', functionId: 'Fn', timeoutMs: 29000 },
  methodResponses: new Map(),
});

const router = new Router([
  method('GET', '/'),
  method('GET', '/items'),
  method('GET', '/items/special'),
  method('GET', '/items/{id}'),
  method('DELETE', '/items/{id}'),
  method('ANY', '/items/{id}/parts/{part}'),
  method('ANY', '/files/{proxy+}'),
  method('POST', '/files/upload'),
]);
const hit = (verb: string, path: string) => {
  const m = router.match(verb, path);
  return m && [m.method.httpMethod, m.method.resourcePath, m.pathParameters];
};

describe('Router', () => {
  test('literal paths, with the root as its own resource', () => {
    expect(hit('GET', '/')).toEqual(['GET', '/', null]);
    expect(hit('GET', '/items')).toEqual(['GET', '/items', null]);
  });

  test('a literal part beats a {param}', () => {
    expect(hit('GET', '/items/special')).toEqual(['GET', '/items/special', null]);
    expect(hit('GET', '/items/42')).toEqual(['GET', '/items/{id}', { id: '42' }]);
  });

  test('path parameters are decoded', () => {
    expect(hit('GET', '/items/a%20b')).toEqual(['GET', '/items/{id}', { id: 'a b' }]);
  });

  test('ANY serves every method, the request method beats it', () => {
    expect(hit('PATCH', '/items/1/parts/2')).toEqual(['ANY', '/items/{id}/parts/{part}', { id: '1', part: '2' }]);
    expect(hit('POST', '/files/upload')).toEqual(['POST', '/files/upload', null]);
  });

  test('{proxy+} takes one or more trailing segments, not zero', () => {
    expect(hit('GET', '/files/a/b/c.txt')).toEqual(['ANY', '/files/{proxy+}', { proxy: 'a/b/c.txt' }]);
    expect(hit('GET', '/files')).toBeUndefined();
  });

  test('the most specific resource is chosen before the method: no falling back to {proxy+}', () => {
    expect(hit('GET', '/files/upload')).toBeUndefined();
  });

  test('no resource, or no method on it, is no match (API Gateway answers 403 Missing Authentication Token)', () => {
    expect(hit('GET', '/nope')).toBeUndefined();
    expect(hit('POST', '/items/1')).toBeUndefined();
    expect(hit('HEAD', '/')).toBeUndefined();
  });
});
