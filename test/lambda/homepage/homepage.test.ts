import { homepage } from '../../../lambda/homepage/homepage';
import { routeHandler } from '../../../lambda/shared/route-handler';
import { ANONYMOUS, proxyEvent, USER } from '../../helpers/proxy-events';

const handler = routeHandler(homepage, { ROUTE_AUTH: 'optional', ROUTE_SCOPES: '' });

describe('GET /', () => {
  it('answers anonymous callers {"anonymous": true}', async () => {
    const r = await handler(proxyEvent('/', ANONYMOUS));
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ anonymous: true });
    expect(r.headers?.['content-type']).toBe('application/json');
  });

  it('names a user who came with a valid token', async () => {
    const r = await handler(proxyEvent('/', USER));
    expect(JSON.parse(r.body)).toEqual({ username: 'alice@example.com', anonymous: false });
  });

  it('treats a request with no authorizer context as anonymous', async () => {
    expect(JSON.parse((await handler(proxyEvent('/', null))).body)).toEqual({ anonymous: true });
  });
});
