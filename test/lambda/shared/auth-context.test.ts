import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readAuthContext } from '../../../lambda/shared/auth-context';

const event = (authorizer: Record<string, unknown> | null) => ({ requestContext: { authorizer } }) as unknown as APIGatewayProxyEvent;

describe('readAuthContext', () => {
  it('reads the stringified context API Gateway hands to proxy integrations', () => {
    const a = readAuthContext(
      event({ principalId: 'user-123', username: 'alice@example.com', scopes: 'openid profile authenticated', sub: 'user-123', anonymous: 'false', integrationLatency: 12 }),
    );
    expect(a).toMatchObject({ anonymous: false, username: 'alice@example.com', sub: 'user-123' });
    expect([...a.scopes]).toEqual(['openid', 'profile', 'authenticated']);
    expect(a.hasScopes('profile')).toBe(true);
    expect(a.hasScopes('profile', 'admin')).toBe(false);
    expect(a.hasScopes()).toBe(true);
  });

  it('reads unstringified values too', () => {
    expect(readAuthContext(event({ principalId: 's', sub: 's', anonymous: false, scopes: 'openid' })).anonymous).toBe(false);
  });

  it.each([
    ['no authorizer', null],
    ['the anonymous principal', { principalId: 'anonymous', anonymous: 'true', scopes: '' }],
    ['anonymous as a boolean', { principalId: 'x', anonymous: true }],
    ['no principal at all', { scopes: 'openid profile' }],
  ])('is anonymous with %s, holding no scopes', (_n, authorizer) => {
    const a = readAuthContext(event(authorizer));
    expect(a.anonymous).toBe(true);
    expect(a.username).toBeUndefined();
    expect(a.hasScopes('profile')).toBe(false);
    expect(a.hasScopes()).toBe(true);
  });

  it('trusts the anonymous flag, not the principal: a user whose sub is "anonymous" is a user', () => {
    const a = readAuthContext(event({ principalId: 'anonymous', sub: 'anonymous', username: 'anon@example.com', anonymous: 'false', scopes: 'openid profile' }));
    expect(a).toMatchObject({ anonymous: false, username: 'anon@example.com' });
  });

  it('falls back to the sub when no username came', () => {
    expect(readAuthContext(event({ principalId: 'svc-1', sub: 'svc-1', anonymous: 'false', scopes: 'openid' })).username).toBe('svc-1');
  });
});
