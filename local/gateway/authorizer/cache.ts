// API Gateway's authorizer result cache: one answer per authorizer and identity-source values, kept for
// the authorizer's TTL and then reused for every method behind that authorizer (not just the one that
// caused it), which is why a policy must cover every route the caller may use. The clock is injected so
// tests travel past the TTL instead of sleeping.
import type { AuthorizerAnswer } from './answer';

export interface AuthorizerCacheOptions {
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Oldest entries are dropped beyond this; API Gateway's own limit is not published. @default 10000 */
  readonly maxEntries?: number;
}

interface Entry {
  readonly answer: AuthorizerAnswer;
  readonly expiresAt: number;
}

export class AuthorizerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(options: AuthorizerCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10000;
  }

  static keyOf(authorizerId: string, identityValues: readonly string[]): string {
    return JSON.stringify([authorizerId, ...identityValues]);
  }

  get(key: string): AuthorizerAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.answer;
  }

  set(key: string, answer: AuthorizerAnswer, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { answer, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  clear(): void {
    this.entries.clear();
  }
}
