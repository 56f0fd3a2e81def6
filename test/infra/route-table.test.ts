import { routeConstructId } from '../../infra/route-table';

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
