// Remembers tokens that verified, keyed by a SHA-256 of the whole token (never the token itself), so a
// token seen again skips the signature check — what Envoy's jwt_cache does. Bounded, least recently used
// out first. An entry lives no longer than its token's exp, dies when its key leaves the key set, and a
// hit still has its exp/nbf checked against the clock by the caller.
import * as crypto from 'node:crypto';
import type { Verified } from './verify';

// crypto.hash (Node 20.12+) digests in one call, about half the cost of a createHash object on this path.
const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;
const sha256Base64 = oneShot
  ? (data: string) => oneShot('sha256', data, 'base64')
  : (data: string) => crypto.createHash('sha256').update(data).digest('base64');

export class VerifiedTokenCache {
  private readonly entries = new Map<string, Verified>();

  constructor(private readonly maxEntries: number) {}

  static keyOf(token: string): string {
    return sha256Base64(token);
  }

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry, unless it is past exp or `keyAlive` says its key is gone (then it is dropped). */
  get(key: string, nowSeconds: number, keyAlive: (kid: string | undefined) => boolean): Verified | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.exp <= nowSeconds || !keyAlive(hit.kid)) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert so Map order tracks recency.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit;
  }

  set(key: string, value: Verified): void {
    if (!this.enabled) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
