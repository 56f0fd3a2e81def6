import { profile } from '../../../lambda/profile/profile';
import { routeHandler } from '../../../lambda/shared/route-handler';
import { ANONYMOUS, proxyEvent, USER } from '../../helpers/proxy-events';

const handler = routeHandler(profile, { ROUTE_AUTH: 'required', ROUTE_SCOPES: 'profile' });

describe('GET /profile', () => {
  it('answers the user and the scopes from the authorizer context', async () => {
    const r = await handler(proxyEvent('/profile', USER));
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ user: { username: 'alice@example.com', sub: 'user-123' }, auth: { scopes: ['openid', 'profile', 'authenticated'], claims: {} } });
  });

  it('re-checks the profile scope itself: 403 insufficient_scope without it', async () => {
    const r = await handler(proxyEvent('/profile', { ...USER, scopes: 'openid authenticated' }));
    expect(r.statusCode).toBe(403);
    expect(r.headers?.['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="profile"');
    expect(JSON.parse(r.body)).toEqual({ message: 'Forbidden' });
  });

  it('answers 401 to an anonymous caller, should a misconfigured authorizer let one through', async () => {
    for (const ctx of [ANONYMOUS, null]) {
      const r = await handler(proxyEvent('/profile', ctx));
      expect(r.statusCode).toBe(401);
      expect(r.headers?.['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
  });
});
