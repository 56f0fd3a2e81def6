// The issuer's signing keys, cached in module scope and shared by warm invocations.
// Fresh for maxAge; stale keys are refreshed before use and, while the issuer fails, still used up to
// maxStale. An unknown kid triggers one refetch, at most one per cooldown. One fetch in flight at a time,
// shared by every waiter; a failed fetch leaves the last good set in place and is retried after the cooldown.
// Keys are only ever found through the configured issuer: nothing in a token names where to fetch them.
import { KeySetError, KeysUnavailableError } from './errors';
import type { FetchJson } from './http';
import { importVerificationKey, isRejection, type VerificationKey } from './jwk';
import type { Logger } from './log';

export interface KeyStoreOptions {
  readonly issuer: string;
  /** Skips discovery when set. */
  readonly jwksUri?: string;
  readonly algorithms: readonly string[];
  readonly maxAgeMs: number;
  readonly maxStaleMs: number;
  readonly cooldownMs: number;
  readonly fetchTimeoutMs: number;
  readonly fetchMaxBytes: number;
  readonly fetchJson: FetchJson;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly logger: Logger;
}

/** A JWKS is a handful of keys; past this the rest are ignored rather than imported. */
const MAX_KEYS = 100;

interface KeySet {
  readonly byKid: ReadonlyMap<string, readonly VerificationKey[]>;
  readonly all: readonly VerificationKey[];
  /** The same keys, for identity checks: each fetch imports new objects, so a retired key is never a member. */
  readonly members: ReadonlySet<VerificationKey>;
  /** Keys left out, with why: logged with the fetch. */
  readonly skipped: readonly string[];
  readonly fetchedAt: number;
}

export class KeyStore {
  private set: KeySet | undefined;
  private lastAttemptAt = -Infinity;
  private lastAttemptFailed = false;
  private inflight: Promise<void> | undefined;

  constructor(private readonly options: KeyStoreOptions) {}

  /**
   * Keys that may verify a token with this `kid` and `alg`: by kid when the token names one, else every key
   * fitting `alg`. Empty when none fits. Throws KeysUnavailableError when there is no usable set at all.
   */
  async candidates(kid: string | undefined, alg: string): Promise<readonly VerificationKey[]> {
    const ready = this.candidatesNow(kid, alg);
    if (ready) return ready;
    const { now, maxAgeMs, maxStaleMs } = this.options;
    let set = this.set;
    let refreshed = false;
    if (!set || now() - set.fetchedAt >= maxAgeMs) {
      await this.refresh(set ? 'stale' : 'cold');
      refreshed = true;
      set = this.set;
      if (!set) throw new KeysUnavailableError('no key set could be fetched');
      if (now() - set.fetchedAt >= maxAgeMs + maxStaleMs) {
        throw new KeysUnavailableError('the key set is older than the max stale age and cannot be refreshed');
      }
    }
    let found = this.lookup(set, kid, alg);
    if (found.length === 0 && kid !== undefined && !set.byKid.has(kid)) {
      // One round of fetches per request, so a request stays within the Lambda timeout: a stale refresh just
      // now already looked for this kid.
      if (!refreshed) await this.refresh('unknown-kid');
      if (this.set !== set) found = this.lookup(this.set!, kid, alg);
      // A kid we could not look for is unverifiable, not invalid: the issuer may have rotated during its outage.
      else if (this.lastAttemptFailed) throw new KeysUnavailableError('a token names a kid not in the key set, which cannot be refreshed now');
    }
    return found;
  }

  /**
   * What `candidates` answers when that needs no fetch (the set is fresh and knows the kid), without a
   * promise: the hot path. Undefined when `candidates` must be awaited.
   */
  candidatesNow(kid: string | undefined, alg: string): readonly VerificationKey[] | undefined {
    const set = this.set;
    if (!set || this.options.now() - set.fetchedAt >= this.options.maxAgeMs) return undefined;
    const found = this.lookup(set, kid, alg);
    return found.length === 0 && kid !== undefined && !set.byKid.has(kid) ? undefined : found;
  }

  /**
   * True while `key` — the very key object a token was verified with — is in a set younger than the max age.
   * Cached verifications lean on this: they die when their key leaves the set (also when the issuer reuses its
   * kid for new material, or the token named no kid), and step aside while the set is stale, so that the next
   * request verifies in full and refreshes the keys (a stream of cache hits must not keep a retired key alive).
   */
  vouchesFor(key: VerificationKey): boolean {
    const set = this.set;
    return set !== undefined && this.options.now() - set.fetchedAt < this.options.maxAgeMs && set.members.has(key);
  }

  /** Starts a fetch without waiting for it, for use during init; failures are logged and forgotten. */
  prefetch(): void {
    this.refresh('prefetch').catch(() => undefined);
  }

  /** Forgets everything (tests, and a fresh container's state). */
  reset(): void {
    this.set = undefined;
    this.lastAttemptAt = -Infinity;
    this.lastAttemptFailed = false;
    this.inflight = undefined;
  }

  private lookup(set: KeySet, kid: string | undefined, alg: string): readonly VerificationKey[] {
    const pool = kid === undefined ? set.all : (set.byKid.get(kid) ?? []);
    return pool.every((k) => k.algorithms.has(alg)) ? pool : pool.filter((k) => k.algorithms.has(alg));
  }

  /** Joins the fetch in flight, or starts one unless the last attempt was within the cooldown. */
  private refresh(why: string): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.options.now() - this.lastAttemptAt < this.options.cooldownMs) return Promise.resolve();
    this.lastAttemptAt = this.options.now();
    this.inflight = this.load(why).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(why: string): Promise<void> {
    const { logger, now } = this.options;
    const started = now();
    try {
      const jwksUri = this.options.jwksUri ?? (await this.discover());
      const set = await this.fetchKeys(jwksUri);
      this.set = set;
      this.lastAttemptFailed = false;
      logger.log('INFO', 'key set fetched', {
        event: 'jwks_fetch',
        outcome: 'ok',
        why,
        keys: set.all.length,
        skipped: set.skipped.length ? set.skipped.join('; ') : undefined,
        ms: now() - started,
      });
    } catch (e) {
      this.lastAttemptFailed = true;
      const code = (e as { code?: string }).code ?? 'UNKNOWN';
      const age = this.set ? Math.round((now() - this.set.fetchedAt) / 1000) : undefined;
      logger.log(this.set ? 'WARN' : 'ERROR', this.set ? 'key fetch failed; keeping the last good key set' : 'key fetch failed; no keys to verify with', {
        event: 'jwks_fetch',
        outcome: 'error',
        why,
        code,
        reason: (e as Error).message,
        staleSeconds: age,
        ms: now() - started,
      });
    }
  }

  private get(url: string): Promise<unknown> {
    return this.options.fetchJson(url, { timeoutMs: this.options.fetchTimeoutMs, maxBytes: this.options.fetchMaxBytes });
  }

  private async discover(): Promise<string> {
    const { issuer } = this.options;
    const doc = await this.get(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (typeof doc !== 'object' || doc === null) throw new KeySetError('DISCOVERY_INVALID', 'discovery document is not a JSON object');
    const d = doc as Record<string, unknown>;
    if (d.issuer !== issuer) {
      throw new KeySetError('DISCOVERY_INVALID', `discovery document names issuer ${String(JSON.stringify(d.issuer)).slice(0, 200)}, not the configured ${JSON.stringify(issuer)}`);
    }
    if (typeof d.jwks_uri !== 'string') throw new KeySetError('DISCOVERY_INVALID', 'discovery document has no jwks_uri');
    let url: URL;
    try {
      url = new URL(d.jwks_uri);
    } catch {
      throw new KeySetError('DISCOVERY_INVALID', 'jwks_uri is not a URL');
    }
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new KeySetError('DISCOVERY_INVALID', 'jwks_uri must be https (http only on loopback)');
    }
    return url.href;
  }

  private async fetchKeys(jwksUri: string): Promise<KeySet> {
    const doc = await this.get(jwksUri);
    const keys = (doc as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new KeySetError('JWKS_INVALID', 'JWKS has no keys array');
    const all: VerificationKey[] = [];
    const byKid = new Map<string, VerificationKey[]>();
    const skipped: string[] = [];
    for (const jwk of keys.slice(0, MAX_KEYS)) {
      const r = importVerificationKey(jwk, this.options.algorithms);
      if (isRejection(r)) {
        skipped.push(`${r.kid ?? '(no kid)'}: ${r.reason}`);
        continue;
      }
      all.push(r);
      if (r.kid !== undefined) byKid.set(r.kid, [...(byKid.get(r.kid) ?? []), r]);
    }
    if (all.length === 0) throw new KeySetError('JWKS_INVALID', `JWKS holds no key usable with the allowed algorithms (${skipped.join('; ')})`);
    return { byKid, all, members: new Set(all), skipped, fetchedAt: this.options.now() };
  }
}

