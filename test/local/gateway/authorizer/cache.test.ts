import type { AuthorizerAnswer } from '../../../../local/gateway/authorizer/answer';
import { AuthorizerCache } from '../../../../local/gateway/authorizer/cache';

const answer = (principalId: string): AuthorizerAnswer => ({ principalId, statements: [], context: {} });

describe('AuthorizerCache', () => {
  let now = 1_000_000;
  const clock = () => now;

  test('keeps an answer for the TTL, by authorizer and identity-source values', () => {
    const cache = new AuthorizerCache({ now: clock });
    const key = AuthorizerCache.keyOf('Auth', ['Bearer a']);
    cache.set(key, answer('a'), 300);
    expect(cache.get(key)?.principalId).toBe('a');
    expect(cache.get(AuthorizerCache.keyOf('Auth', ['Bearer b']))).toBeUndefined();
    expect(cache.get(AuthorizerCache.keyOf('Other', ['Bearer a']))).toBeUndefined();
    now += 299_999;
    expect(cache.get(key)).toBeDefined();
    now += 1;
    expect(cache.get(key)).toBeUndefined();
  });

  test('a TTL of 0 caches nothing', () => {
    const cache = new AuthorizerCache({ now: clock });
    cache.set('k', answer('a'), 0);
    expect(cache.get('k')).toBeUndefined();
  });

  test('values that join alike do not collide', () => {
    expect(AuthorizerCache.keyOf('A', ['x,y'])).not.toBe(AuthorizerCache.keyOf('A', ['x', 'y']));
  });

  test('drops the oldest entry beyond maxEntries', () => {
    const cache = new AuthorizerCache({ now: clock, maxEntries: 2 });
    cache.set('1', answer('1'), 60);
    cache.set('2', answer('2'), 60);
    cache.set('3', answer('3'), 60);
    expect([cache.get('1'), cache.get('2'), cache.get('3')].map((a) => a?.principalId)).toEqual([undefined, '2', '3']);
  });
});
