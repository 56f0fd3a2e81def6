import { VerifiedTokenCache } from '../../../lambda/authorizer/token-cache';

interface Entry {
  readonly exp: number;
  readonly key: object;
  readonly n?: number;
}
const k1 = { type: 'public' };
const entry = (over: Partial<Entry> = {}): Entry => ({ exp: 2000, key: k1, ...over });
const alive = () => true;

describe('VerifiedTokenCache', () => {
  it('keys by a SHA-256 of the whole token, never the token itself', () => {
    const key = VerifiedTokenCache.keyOf('a.b.c');
    expect(key).toHaveLength(44);
    expect(key).not.toContain('a.b.c');
    expect(VerifiedTokenCache.keyOf('a.b.d')).not.toBe(key);
  });

  it('hits a token it holds, and only that token', () => {
    const c = new VerifiedTokenCache<Entry>(10);
    const tail = 'x'.repeat(40);
    c.offer(`a.${tail}`, entry({ n: 1 }));
    c.offer(`b.${tail}`, entry({ n: 2 }));
    expect(c.get(`a.${tail}`, 1000, alive)?.n).toBe(1);
    expect(c.get(`b.${tail}`, 1000, alive)?.n).toBe(2);
    expect(c.get(`c.${tail}`, 1000, alive)).toBeUndefined();
    expect(c.get(`a.${tail}x`, 1000, alive)).toBeUndefined();
    c.offer(`a.${tail}`, entry({ n: 3 }));
    expect(c.get(`a.${tail}`, 1000, alive)?.n).toBe(3);
    expect(c.size).toBe(2);
  });

  it('returns an entry until its exp, then forgets it', () => {
    const c = new VerifiedTokenCache<Entry>(10);
    c.offer('t', entry());
    expect(c.get('t', 1999, alive)).toBeDefined();
    expect(c.get('t', 2000, alive)).toBeUndefined();
    expect(c.size).toBe(0);
    expect(c.get('t', 1000, alive)).toBeUndefined(); // gone, not just hidden
  });

  it('drops an entry whose key left the key set, for good', () => {
    const c = new VerifiedTokenCache<Entry>(10);
    c.offer('t', entry());
    c.offer('u', entry({ key: { type: 'other' } }));
    expect(c.get('t', 1000, (v) => v.key !== k1)).toBeUndefined();
    expect(c.get('t', 1000, alive)).toBeUndefined();
    expect(c.get('u', 1000, (v) => v.key !== k1)).toBeDefined();
    expect(c.size).toBe(1);
  });

  it('is bounded and evicts the least recently used entry', () => {
    const c = new VerifiedTokenCache<Entry>(2);
    c.offer('a', entry());
    c.offer('b', entry());
    c.get('a', 1000, alive);
    c.offer('c', entry());
    expect(c.size).toBe(2);
    expect(c.get('b', 1000, alive)).toBeUndefined();
    expect(c.get('a', 1000, alive)).toBeDefined();
    expect(c.get('c', 1000, alive)).toBeDefined();
  });

  it('never holds more than its size, whatever the traffic', () => {
    const c = new VerifiedTokenCache<Entry>(50);
    for (let i = 0; i < 1000; i++) {
      c.offer(`t${i % 137}`, entry({ exp: 1000 + (i % 7) }));
      c.get(`t${(i * 31) % 137}`, 1000 + (i % 5), alive);
      expect(c.size).toBeLessThanOrEqual(50);
    }
  });

  it('makes room by dropping an expired entry as much as by eviction', () => {
    const c = new VerifiedTokenCache<Entry>(2);
    c.offer('old', entry({ exp: 1001 }));
    c.offer('b', entry());
    expect(c.get('old', 1001, alive)).toBeUndefined(); // expired: dropped
    c.offer('new', entry());
    expect(c.get('b', 1000, alive)).toBeDefined();
    expect(c.get('new', 1000, alive)).toBeDefined();
  });

  it('stores nothing when its size is 0', () => {
    const c = new VerifiedTokenCache<Entry>(0);
    c.offer('a', entry());
    expect(c.enabled).toBe(false);
    expect(c.size).toBe(0);
    expect(c.get('a', 1000, alive)).toBeUndefined();
  });

  it('admits every token while there is room, then one new token in eight while full', () => {
    const c = new VerifiedTokenCache<Entry>(4);
    for (const k of ['a', 'b', 'c', 'd']) c.offer(k, entry());
    const offered = Array.from({ length: 16 }, (_, i) => `new-${i}`);
    for (const k of offered) c.offer(k, entry());
    expect(offered.filter((k) => c.get(k, 1000, alive) !== undefined)).toHaveLength(2);
    expect(c.size).toBe(4);
  });

  it('forgets everything on clear', () => {
    const c = new VerifiedTokenCache<Entry>(10);
    c.offer('a', entry());
    c.clear();
    expect(c.size).toBe(0);
    expect(c.get('a', 1000, alive)).toBeUndefined();
  });
});
