// Remembers tokens that verified, keyed by a SHA-256 of the whole token (never the token itself), so a
// token seen again skips the signature check — what Envoy's jwt_cache does. Bounded; entries not used
// lately go first. An entry lives no longer than its token's exp, dies when its key leaves the key set, and a
// hit still has its exp/nbf checked against the clock by the caller.
//
// The digest is taken only when the cache may hold the token or is taking it in: a 32-bit fingerprint of the
// token's last characters (its signature's, for a JWS), counted per entry, says when it cannot hold it. A
// fingerprint that matches only costs the digest; the entry is still found by the digest alone. On a stream
// of new tokens that skips a native call that cost more than the rest of the lookup (bench/, warm).

/** What an entry must carry for the cache to expire it. */
export interface Expiring {
  /** The token's exp, in seconds. */
  readonly exp: number;
}

// node:crypto is required on first use, not imported: loading it is ~2.7 ms of an import that is otherwise
// ~5 ms (bench/, cold), and the first token is verified by jose's WebCrypto before any digest is needed.
// crypto.hash (Node 20.12+) digests in one call, about half the cost of a createHash object on this path.
let digest: ((data: string) => string) | undefined;
function sha256Base64(data: string): string {
  if (!digest) {
    const { createHash, hash } = require('node:crypto') as typeof import('node:crypto');
    digest = typeof hash === 'function' ? (d) => hash('sha256', d, 'base64') : (d) => createHash('sha256').update(d).digest('base64');
  }
  return digest(data);
}

/** Characters of the token's end the fingerprint reads. */
const FINGERPRINT_CHARS = 16;

/** FNV-1a over the token's last characters: cheap, and never the only thing an entry is found by. */
function fingerprint(token: string): number {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, token.length - FINGERPRINT_CHARS); i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Entry<T> {
  readonly value: T;
  readonly fingerprint: number;
  /** Its place on the clock. */
  readonly slot: number;
  /** Used since the clock hand last passed it. */
  used: boolean;
}

/** While the cache is full, one new token in this many is admitted. */
const ADMIT_WHEN_FULL = 8;

// Eviction is CLOCK, the usual approximation of least-recently-used: entries sit on a ring of slots, a hit
// only marks its entry used, and the hand sweeping the ring for a slot to reuse spares (and unmarks) used
// entries. A hit therefore costs no reordering of the Map, whose rebuilt hash tables were most of what this
// cache made V8 keep (bench/, memory).
export class VerifiedTokenCache<T extends Expiring> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Fingerprint → how many entries have it. */
  private readonly fingerprints = new Map<number, number>();
  private readonly ring: string[] = [];
  private hand = 0;
  private offeredWhenFull = 0;

  /** `digest` is the SHA-256 of keyOf, replaceable so tests can count calls. */
  constructor(
    private readonly maxEntries: number,
    private readonly digest: (token: string) => string = sha256Base64,
  ) {}

  static keyOf(token: string): string {
    return sha256Base64(token);
  }

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `token`, unless it is past exp or `keyAlive` says its key is gone (then it is dropped). */
  get(token: string, nowSeconds: number, keyAlive: (value: T) => boolean): T | undefined {
    if (this.entries.size === 0 || !this.fingerprints.has(fingerprint(token))) return undefined;
    const key = this.digest(token);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.value.exp <= nowSeconds || !keyAlive(hit.value)) {
      this.drop(key, hit);
      return undefined;
    }
    hit.used = true;
    return hit.value;
  }

  set(token: string, value: T): void {
    if (!this.enabled) return;
    const key = this.digest(token);
    const old = this.entries.get(key);
    if (old) {
      this.entries.set(key, { value, fingerprint: old.fingerprint, slot: old.slot, used: false });
      return;
    }
    const slot = this.ring.length < this.maxEntries ? this.ring.length : this.freeSlot();
    this.ring[slot] = key;
    const fp = fingerprint(token);
    this.entries.set(key, { value, fingerprint: fp, slot, used: false });
    this.fingerprints.set(fp, (this.fingerprints.get(fp) ?? 0) + 1);
  }

  /**
   * `set` with admission, for the request path: while the cache is full only one new token in eight gets in.
   * Every admitted entry, and the one it evicts, outlives V8's young generation, and on a stream of distinct
   * tokens that made V8 grow its young generation by 10-25 MiB of RSS (bench/, memory). When the tokens in
   * play outnumber the entries, admitting all of them buys no more hits than admitting some; a token that
   * keeps coming back still gets in after a few verifications, and entries already in are not affected.
   */
  offer(token: string, value: T): void {
    if (this.ring.length >= this.maxEntries && this.entries.size >= this.maxEntries && this.offeredWhenFull++ % ADMIT_WHEN_FULL !== 0) return;
    this.set(token, value);
  }

  clear(): void {
    this.entries.clear();
    this.fingerprints.clear();
    this.ring.length = 0;
    this.hand = 0;
  }

  /** Sweeps the hand to a slot that is empty (its entry dropped) or holds an entry unused since the last sweep. */
  private freeSlot(): number {
    for (;;) {
      const slot = this.hand;
      this.hand = (slot + 1) % this.maxEntries;
      const key = this.ring[slot]!;
      const entry = this.entries.get(key);
      if (entry === undefined || entry.slot !== slot) return slot;
      if (!entry.used) {
        this.drop(key, entry);
        return slot;
      }
      entry.used = false;
    }
  }

  private drop(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    const n = this.fingerprints.get(entry.fingerprint)!;
    if (n > 1) this.fingerprints.set(entry.fingerprint, n - 1);
    else this.fingerprints.delete(entry.fingerprint);
  }
}
