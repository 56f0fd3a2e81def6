// Remembers tokens that verified, keyed by the SHA-256 of the whole token (never the token itself), so a
// token seen again skips the signature check, as Envoy's jwt_cache does. Bounded: the least recently used
// entry goes first. An entry lives no longer than its token's exp and dies when its key leaves the key set;
// a hit still has its exp/nbf checked against the clock by the caller.
import { hash } from 'node:crypto';

/** What an entry must carry for the cache to expire it. */
export interface Expiring {
  /** The token's exp, in seconds. */
  readonly exp: number;
}

/**
 * While the cache is full, one new token in this many gets in: when the tokens in play outnumber the entries,
 * the many seen once would otherwise push out the few that keep coming back (bench/, Zipf).
 */
const ADMIT_WHEN_FULL = 8;

export class VerifiedTokenCache<T extends Expiring> {
  /** In order of use, least recent first (a Map iterates in insertion order). */
  private readonly entries = new Map<string, T>();
  private offeredWhenFull = 0;

  constructor(private readonly maxEntries: number) {}

  static keyOf(token: string): string {
    return hash('sha256', token, 'base64');
  }

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `token`, unless it is past exp or `keyAlive` says its key is gone (then it is dropped). */
  get(token: string, nowSeconds: number, keyAlive: (value: T) => boolean): T | undefined {
    if (this.entries.size === 0) return undefined;
    const key = VerifiedTokenCache.keyOf(token);
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key);
    if (hit.exp <= nowSeconds || !keyAlive(hit)) return undefined;
    this.entries.set(key, hit);
    return hit;
  }

  /** Remembers a token just verified, unless the cache is full and does not admit it. */
  offer(token: string, value: T): void {
    if (!this.enabled || (this.entries.size >= this.maxEntries && this.offeredWhenFull++ % ADMIT_WHEN_FULL !== 0)) return;
    const key = VerifiedTokenCache.keyOf(token);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
