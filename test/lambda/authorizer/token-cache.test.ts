import { VerifiedTokenCache } from '../../../lambda/authorizer/token-cache';

interface Entry {
  readonly exp: number;
  readonly key: object;
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

  it('returns an entry until its exp, then forgets it', () => {
    const c = new VerifiedTokenCache<Entry>(10);
    c.set('t', entry());
    expect(c.get('t', 1999, alive)).toBeDefined();
    expect(c.get('t', 2000, alive)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('drops an entry whose key left the key set', () => {
    const c = new VerifiedTokenCache<Entry>(10);
    c.set('t', entry());
    expect(c.get('t', 1000, (v) => v.key !== k1)).toBeUndefined();
    expect(c.get('t', 1000, alive)).toBeUndefined();
  });

  it('is bounded and evicts the least recently used entry', () => {
    const c = new VerifiedTokenCache<Entry>(2);
    c.set('a', entry());
    c.set('b', entry());
    c.get('a', 1000, alive);
    c.set('c', entry());
    expect(c.size).toBe(2);
    expect(c.get('b', 1000, alive)).toBeUndefined();
    expect(c.get('a', 1000, alive)).toBeDefined();
    expect(c.get('c', 1000, alive)).toBeDefined();
  });

  it('stores nothing when its size is 0', () => {
    const c = new VerifiedTokenCache<Entry>(0);
    c.set('a', entry());
    expect(c.enabled).toBe(false);
    expect(c.get('a', 1000, alive)).toBeUndefined();
  });

  it('gives a used entry a second chance before evicting it (CLOCK)', () => {
    const c = new VerifiedTokenCache<Entry>(3);
    c.set('a', entry());
    c.set('b', entry());
    c.set('c', entry());
    c.get('a', 1000, alive);
    c.get('c', 1000, alive);
    c.set('d', entry()); // the hand spares a and c (used), takes b
    expect(c.get('b', 1000, alive)).toBeUndefined();
    for (const k of ['a', 'c', 'd']) expect(c.get(k, 1000, alive)).toBeDefined();
    expect(c.size).toBe(3);
  });

  it('reuses the slot of an entry dropped for expiry', () => {
    const c = new VerifiedTokenCache<Entry>(2);
    c.set('old', entry({ exp: 1001 }));
    c.set('b', entry());
    c.get('b', 1000, alive);
    expect(c.get('old', 1001, alive)).toBeUndefined(); // expired: dropped
    c.set('new', entry());
    expect(c.get('b', 1000, alive)).toBeDefined();
    expect(c.get('new', 1000, alive)).toBeDefined();
  });

  it('finds an entry by the digest alone: tokens that share a fingerprint (their last characters) stay apart', () => {
    const c = new VerifiedTokenCache<Entry & { n: number }>(10);
    const tail = 'x'.repeat(40);
    c.set(`a.${tail}`, { ...entry(), n: 1 });
    c.set(`b.${tail}`, { ...entry(), n: 2 });
    expect(c.get(`a.${tail}`, 1000, alive)?.n).toBe(1);
    expect(c.get(`b.${tail}`, 1000, alive)?.n).toBe(2);
    expect(c.get(`c.${tail}`, 1000, alive)).toBeUndefined();
    // Dropping one leaves the other findable: fingerprints are counted, not just marked.
    expect(c.get(`a.${tail}`, 1000, () => false)).toBeUndefined();
    expect(c.get(`b.${tail}`, 1000, alive)?.n).toBe(2);
  });

  /** A cache whose digests are counted. */
  const counting = (size: number) => {
    const calls: string[] = [];
    const cache = new VerifiedTokenCache<Entry>(size, (t) => (calls.push(t), VerifiedTokenCache.keyOf(t)));
    return { cache, calls };
  };

  it('takes no digest for a token whose fingerprint no entry has', () => {
    const { cache: c, calls } = counting(10);
    c.set('held.token', entry());
    calls.length = 0;
    expect(c.get('other.token', 1000, alive)).toBeUndefined();
    expect(calls).toEqual([]);
    expect(c.get('held.token', 1000, alive)).toBeDefined();
    expect(calls).toEqual(['held.token']);
  });

  it('forgets the fingerprints of evicted and dropped entries', () => {
    const { cache: c, calls } = counting(2);
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, entry());
    expect(c.get('d', 1000, () => false)).toBeUndefined(); // dropped: its key left the set
    calls.length = 0;
    for (const k of ['a', 'b', 'd']) expect(c.get(k, 1000, alive)).toBeUndefined();
    expect(calls).toEqual([]);
    expect(c.get('c', 1000, alive)).toBeDefined();
  });

  it('admits every offer while there is room, then one new token in eight while full', () => {
    const c = new VerifiedTokenCache<Entry>(4);
    for (const k of ['a', 'b', 'c', 'd']) c.offer(k, entry());
    expect(c.size).toBe(4);
    const offered = Array.from({ length: 16 }, (_, i) => `new-${i}`);
    for (const k of offered) c.offer(k, entry());
    expect(offered.filter((k) => c.get(k, 1000, alive) !== undefined)).toHaveLength(2);
    expect(c.size).toBe(4);
  });
});
