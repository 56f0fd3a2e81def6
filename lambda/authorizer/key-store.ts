// The issuer's signing keys, cached in module scope and shared by warm invocations.
// Fresh for maxAge; stale keys are refreshed before use and, while the issuer fails, still used up to
// maxStale. An unknown kid is looked for by a refetch, at most one per cooldown, and is invalid when the set
// lacks it; one fetch in flight at a time, shared by every waiter; a failed fetch leaves the last good set in
// place. While no key set was ever had, retries back off from 1 s, doubling up to the cooldown, so a blip at
// init does not lock a container out.
// Keys are only ever found through the configured issuer: nothing in a token names where to fetch them.
import { KeySetError, KeysUnavailableError } from './errors';
import type { FetchJson } from './http';
import type { Logger } from './log';
import type { IssuerMetrics } from './metrics';
import { isRejection, SigningKey, type VerificationKey } from './signing-key';
import { isLoopbackHost, redact } from './url';

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
  /** @default counts nothing */
  readonly metrics?: IssuerMetrics;
}

/** A JWKS is a handful of keys; past this the rest are ignored rather than imported. */
const MAX_KEYS = 100;
/**
 * Keys one kid may name; the rest are skipped. A forged token naming a shared kid costs one verification per
 * key (20 keys 2.9 ms), and an issuer needs a few at most (one per key type, or old and new material).
 */
const MAX_KEYS_PER_KID = 3;
/** First retry delay while no key set was ever fetched; it doubles up to the cooldown. */
const FIRST_BACKOFF_MS = 1000;

interface KeySet {
  readonly byKid: ReadonlyMap<string, readonly SigningKey[]>;
  readonly all: readonly SigningKey[];
  /** Keys left out, with why: logged with the fetch. */
  readonly skipped: readonly string[];
  readonly fetchedAt: number;
}

export class KeyStore {
  private set: KeySet | undefined;
  private lastAttemptAt = -Infinity;
  private failuresWithoutKeys = 0;
  private inflight: Promise<void> | undefined;
  private readonly allowLoopback: boolean;

  constructor(private readonly options: KeyStoreOptions) {
    // Loopback (and plain http) is for local runs and tests: only when the operator configured it.
    this.allowLoopback = isLoopbackHost(new URL(options.jwksUri ?? options.issuer).hostname);
  }

  /**
   * Keys that may verify a token with this `kid` and `alg`: by kid when the token names one, else every key
   * fitting `alg`. Empty when none fits: the token is invalid (401). Throws KeysUnavailableError only when the
   * issuer's keys cannot be had at all: never fetched, or older than the max stale age (503).
   *
   * A kid the set lacks makes one refetch, unless a fetch was attempted within the cooldown; if the set, after
   * that refetch or inside the cooldown, still lacks the kid, the token is invalid. A key the issuer signs with
   * before publishing it is therefore refused for at most one cooldown, and a flood of random kids causes at
   * most one fetch per cooldown.
   */
  async candidates(kid: string | undefined, alg: string): Promise<readonly VerificationKey[]> {
    const ready = this.candidatesNow(kid, alg);
    if (ready) return ready;
    const { maxAgeMs, maxStaleMs } = this.options;
    let set = this.set;
    if (!set || this.options.now() - set.fetchedAt >= maxAgeMs) {
      await this.refresh(set ? 'stale' : 'cold');
      set = this.set;
      if (!set) throw new KeysUnavailableError('no key set could be fetched');
      const age = this.options.now() - set.fetchedAt;
      if (age >= maxAgeMs + maxStaleMs) {
        throw new KeysUnavailableError('the key set is older than the max stale age and cannot be refreshed');
      }
      if (age >= maxAgeMs) this.options.metrics?.servedStale((age - maxAgeMs) / 1000);
    } else if (kid !== undefined && !set.byKid.has(kid)) {
      // One round of fetches per request, so a request stays within the Lambda timeout: a stale refresh just
      // now already looked for this kid.
      await this.refresh('unknown-kid');
      set = this.set!;
    }
    return this.fitting(set, kid, alg);
  }

  /**
   * What `candidates` answers when that needs no fetch and no import (the set is fresh, knows the kid, and
   * each key's fit for `alg` is known), without a promise: the hot path. Undefined when it must be awaited.
   */
  candidatesNow(kid: string | undefined, alg: string): readonly VerificationKey[] | undefined {
    const set = this.set;
    if (!set || this.options.now() - set.fetchedAt >= this.options.maxAgeMs) return undefined;
    const pool = kid === undefined ? set.all : set.byKid.get(kid);
    if (pool === undefined) return undefined;
    if (pool.length === 1) {
      const fit = pool[0]!.fitNow(alg);
      return fit === undefined ? undefined : fit === null ? [] : [fit];
    }
    const out: VerificationKey[] = [];
    for (const k of pool) {
      const fit = k.fitNow(alg);
      if (fit === undefined) return undefined;
      if (fit) out.push(fit);
    }
    return out;
  }

  /**
   * True while `key`, the very key object a token with this `kid` and `alg` was verified with, is one the
   * current set would verify it with now. Each fetch imports new key objects, so cached verifications die when
   * their key leaves the set (also when the issuer reuses its kid for new material) and step aside while the
   * set is stale, so that the next request verifies in full and refreshes the keys (a stream of cache hits
   * must not keep a retired key alive).
   */
  vouchesFor(kid: string | undefined, alg: string, key: object): boolean {
    return this.candidatesNow(kid, alg)?.some((k) => k.key === key) ?? false;
  }

  /** Starts a fetch without waiting for it, for use during init; failures are logged and forgotten. */
  prefetch(): void {
    this.refresh('prefetch').catch(() => undefined);
  }

  /** Forgets everything (tests, and a fresh container's state). */
  reset(): void {
    this.set = undefined;
    this.lastAttemptAt = -Infinity;
    this.failuresWithoutKeys = 0;
    this.inflight = undefined;
  }

  private async fitting(set: KeySet, kid: string | undefined, alg: string): Promise<readonly VerificationKey[]> {
    const pool = kid === undefined ? set.all : (set.byKid.get(kid) ?? []);
    const fits = await Promise.all(pool.map((k) => k.fit(alg)));
    return fits.filter((f): f is VerificationKey => f !== null);
  }

  /** Joins the fetch in flight, or starts one unless the last attempt was within the cooldown (or backoff). */
  private refresh(why: string): Promise<void> {
    if (this.inflight) return this.inflight;
    const { cooldownMs, now } = this.options;
    const wait = this.set || this.failuresWithoutKeys === 0 ? cooldownMs : Math.min(cooldownMs, FIRST_BACKOFF_MS * 2 ** (this.failuresWithoutKeys - 1));
    if (now() - this.lastAttemptAt < wait) {
      this.options.metrics?.refetchRefused();
      return Promise.resolve();
    }
    this.lastAttemptAt = now();
    if (why === 'unknown-kid') this.options.metrics?.refetchUnknownKid();
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
      this.failuresWithoutKeys = 0;
      this.options.metrics?.fetched('ok', set.all.length);
      logger.log('INFO', 'key set fetched', {
        event: 'jwks_fetch',
        outcome: 'ok',
        why,
        keys: set.all.length,
        skipped: set.skipped.length ? set.skipped.join('; ') : undefined,
        ms: now() - started,
      });
    } catch (e) {
      if (!this.set) this.failuresWithoutKeys++;
      const code = (e as { code?: string }).code ?? 'UNKNOWN';
      this.options.metrics?.fetched(code === 'FETCH_TIMEOUT' ? 'timedOut' : 'failed');
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
    return this.options.fetchJson(url, { timeoutMs: this.options.fetchTimeoutMs, maxBytes: this.options.fetchMaxBytes, allowLoopback: this.allowLoopback });
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
    if (url.username || url.password) throw new KeySetError('DISCOVERY_INVALID', 'jwks_uri carries credentials');
    if (!this.allowLoopback && (url.protocol !== 'https:' || isLoopbackHost(url.hostname))) {
      throw new KeySetError('DISCOVERY_INVALID', `jwks_uri ${redact(url)} must be https and not loopback (allowed only when the configured issuer is loopback)`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KeySetError('DISCOVERY_INVALID', 'jwks_uri must be https');
    return url.href;
  }

  private async fetchKeys(jwksUri: string): Promise<KeySet> {
    const doc = await this.get(jwksUri);
    const keys = (doc as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new KeySetError('JWKS_INVALID', 'JWKS has no keys array');
    const all: SigningKey[] = [];
    const byKid = new Map<string, SigningKey[]>();
    const skipped: string[] = [];
    const imports = await Promise.all(keys.slice(0, MAX_KEYS).map((jwk) => SigningKey.import(jwk, this.options.algorithms)));
    for (const r of imports) {
      if (isRejection(r)) {
        skipped.push(`${r.kid ?? '(no kid)'}: ${r.reason}`);
        continue;
      }
      const same = r.kid === undefined ? [] : (byKid.get(r.kid) ?? []);
      if (same.length >= MAX_KEYS_PER_KID) {
        skipped.push(`${r.kid}: more than ${MAX_KEYS_PER_KID} keys share this kid`);
        continue;
      }
      all.push(r);
      if (r.kid !== undefined) byKid.set(r.kid, [...same, r]);
    }
    if (all.length === 0) throw new KeySetError('JWKS_INVALID', `JWKS holds no key usable with the allowed algorithms (${skipped.join('; ')})`);
    return { byKid, all, skipped, fetchedAt: this.options.now() };
  }
}
