// The issuer's signing keys, cached in module scope and shared by warm invocations.
// Fresh for maxAge; stale keys are refreshed before use and, while the issuer fails, still used up to
// maxStale. An unknown kid is looked for by a refetch, at most one per cooldown; one fetch in flight at a
// time, shared by every waiter; a failed fetch leaves the last good set in place. While no key set was ever
// had, retries back off from 1 s, doubling up to the cooldown, so a blip at init does not lock a container out.
// Keys are only ever found through the configured issuer: nothing in a token names where to fetch them.
import { KeySetError, KeysUnavailableError } from './errors';
import type { FetchJson } from './http';
import type { Logger } from './log';
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
  /** How far the issuer's clock may be off ours, for reading a token's iat. @default 60000 (milliseconds) */
  readonly clockToleranceMs?: number;
}

/** A JWKS is a handful of keys; past this the rest are ignored rather than imported. */
const MAX_KEYS = 100;
/** Unknown kids remembered with the fetch count when first seen (see `candidates`). */
const MAX_UNKNOWN_KIDS = 1000;
/** First retry delay while no key set was ever fetched; it doubles up to the cooldown. */
const FIRST_BACKOFF_MS = 1000;

interface KeySet {
  readonly byKid: ReadonlyMap<string, readonly SigningKey[]>;
  readonly all: readonly SigningKey[];
  /** Keys left out, with why: logged with the fetch. */
  readonly skipped: readonly string[];
  /** Kids of keys left out: published, so a token naming one is answered at once, without a refetch. */
  readonly skippedKids: ReadonlySet<string>;
  /** How many fetches had ended when this one did (1, 2, …): it looked for every kid seen before it ended. */
  readonly seq: number;
  /** When that fetch started. */
  readonly startedAt: number;
  readonly fetchedAt: number;
  /** The keys jose imported from this set; each fetch imports new objects, so a retired key is never one. */
  readonly imported: WeakSet<object>;
}

export class KeyStore {
  private set: KeySet | undefined;
  private lastAttemptAt = -Infinity;
  private lastAttemptFailed = false;
  private failuresWithoutKeys = 0;
  private inflight: Promise<void> | undefined;
  private fetchesEnded = 0;
  private readonly unknownKids = new Map<string, number>();
  private readonly allowLoopback: boolean;

  constructor(private readonly options: KeyStoreOptions) {
    // Loopback (and plain http) is for local runs and tests: only when the operator configured it.
    this.allowLoopback = isLoopbackHost(new URL(options.jwksUri ?? options.issuer).hostname);
  }

  /**
   * Keys that may verify a token with this `kid` and `alg`: by kid when the token names one, else every key
   * fitting `alg`. Empty when none fits: the token is invalid. Throws KeysUnavailableError when it cannot be
   * checked: no usable set at all, or a kid the set lacks that no fetch has looked for yet.
   *
   * The rule for an unknown kid: a token is answered "no such key" (401) only when a key set that looked for
   * its key lacks it: a set whose fetch began after the token was issued (`issuedAt`, the token's unverified
   * iat in seconds, given the clock tolerance: an issuer publishes a key no later than it signs with it), or
   * one whose fetch started after the kid was first seen (or after a set that held it), unless the token was
   * issued after that fetch began. Until a fetch has looked (the
   * cooldown may forbid one just now), the token cannot be
   * checked (503 with Retry-After): the issuer may have rotated a key in a moment after our last fetch, and a
   * client must not throw a good token away. A flood of random kids therefore still causes at most one fetch
   * per cooldown, and is answered 503 until that fetch has looked.
   */
  async candidates(kid: string | undefined, alg: string, issuedAt?: () => number | undefined): Promise<readonly VerificationKey[]> {
    const ready = this.candidatesNow(kid, alg);
    if (ready) return ready;
    // Fetches ended or under way when this request arrived: only a fetch started after it looks for its kid
    // (one in flight began before the kid was seen, and its answer may predate the key).
    const arrived = this.fetchesEnded + (this.inflight ? 1 : 0);
    const { maxAgeMs, maxStaleMs } = this.options;
    let set = this.set;
    let refreshed = false;
    if (!set || this.options.now() - set.fetchedAt >= maxAgeMs) {
      await this.refresh(set ? 'stale' : 'cold');
      refreshed = true;
      set = this.set;
      if (!set) throw new KeysUnavailableError('no key set could be fetched');
      if (this.options.now() - set.fetchedAt >= maxAgeMs + maxStaleMs) {
        throw new KeysUnavailableError('the key set is older than the max stale age and cannot be refreshed');
      }
    }
    if (kid === undefined || set.byKid.has(kid)) return this.fitting(set, kid, alg);
    if (set.skippedKids.has(kid)) return [];

    const firstSeen = this.noteUnknownKid(kid, arrived);
    const iat = issuedAt?.();
    const tolerance = this.options.clockToleranceMs ?? 60_000;
    const issuedBefore = (s: KeySet) => iat !== undefined && iat * 1000 + tolerance < s.startedAt;
    // A sighting counts only for a token not issued after the set's fetch began: a kid seen earlier (a probe of
    // the issuer's next kid, a flapping JWKS) must not make a key rotated in later look absent.
    const notIssuedAfter = (s: KeySet) => iat === undefined || iat * 1000 - tolerance < s.startedAt;
    const lookedIn = (s: KeySet) => issuedBefore(s) || (s.seq > firstSeen && notIssuedAfter(s));
    if (lookedIn(set)) return [];
    // One round of fetches per request, so a request stays within the Lambda timeout: a stale refresh just
    // now already looked for this kid.
    if (!refreshed) await this.refresh('unknown-kid');
    const after = this.set!;
    if (after.byKid.has(kid)) {
      this.unknownKids.delete(kid);
      return this.fitting(after, kid, alg);
    }
    if (lookedIn(after)) return [];
    throw new KeysUnavailableError(
      this.lastAttemptFailed ? 'a token names a kid not in the key set, which cannot be refreshed now' : 'a token names a kid not in the key set, and the refetch cooldown has not passed',
    );
  }

  /**
   * What `candidates` answers when that needs no fetch and no import (the set is fresh, knows the kid, and
   * each key's fit for `alg` is known), without a promise: the hot path. Undefined when it must be awaited.
   */
  candidatesNow(kid: string | undefined, alg: string): readonly VerificationKey[] | undefined {
    const set = this.set;
    if (!set || this.options.now() - set.fetchedAt >= this.options.maxAgeMs) return undefined;
    const pool = kid === undefined ? set.all : set.byKid.get(kid);
    if (pool === undefined) return kid !== undefined && set.skippedKids.has(kid) ? [] : undefined;
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
   * True while `key` — the very key object a token was verified with — came from the current set and that set
   * is younger than the max age. Cached verifications lean on this: they die when their key leaves the set
   * (also when the issuer reuses its kid for new material, or the token named no kid), and step aside while
   * the set is stale, so that the next request verifies in full and refreshes the keys (a stream of cache hits
   * must not keep a retired key alive).
   */
  vouchesFor(key: object): boolean {
    const set = this.set;
    return set !== undefined && this.options.now() - set.fetchedAt < this.options.maxAgeMs && set.imported.has(key);
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
    this.failuresWithoutKeys = 0;
    this.inflight = undefined;
    this.fetchesEnded = 0;
    this.unknownKids.clear();
  }

  private async fitting(set: KeySet, kid: string | undefined, alg: string): Promise<readonly VerificationKey[]> {
    const pool = kid === undefined ? set.all : (set.byKid.get(kid) ?? []);
    const fits = await Promise.all(pool.map((k) => k.fit(alg)));
    return fits.filter((f): f is VerificationKey => f !== null);
  }

  /**
   * How many fetches had ended or begun when `kid` was first seen: any fetch after those looked for it.
   * Counted, not timed, so that a fetch in the same millisecond, or one in flight, is judged right. Bounded:
   * the oldest sighting goes first.
   */
  private noteUnknownKid(kid: string, fetchesEnded: number): number {
    const seen = this.unknownKids.get(kid);
    if (seen !== undefined) return seen;
    if (this.unknownKids.size >= MAX_UNKNOWN_KIDS) this.unknownKids.delete(this.unknownKids.keys().next().value!);
    this.unknownKids.set(kid, fetchesEnded);
    return fetchesEnded;
  }

  /** A new set replaces `old`: kids it drops were seen in a set before this fetch ended, so a token naming one is invalid. */
  private noteRetired(old: KeySet | undefined, next: KeySet): void {
    if (!old) return;
    for (const kid of old.byKid.keys()) if (!next.byKid.has(kid)) this.noteUnknownKid(kid, next.seq - 1);
  }

  /** Joins the fetch in flight, or starts one unless the last attempt was within the cooldown (or backoff). */
  private refresh(why: string): Promise<void> {
    if (this.inflight) return this.inflight;
    const { cooldownMs, now } = this.options;
    const wait = this.set || this.failuresWithoutKeys === 0 ? cooldownMs : Math.min(cooldownMs, FIRST_BACKOFF_MS * 2 ** (this.failuresWithoutKeys - 1));
    if (now() - this.lastAttemptAt < wait) return Promise.resolve();
    this.lastAttemptAt = now();
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
      const set = await this.fetchKeys(jwksUri, started);
      this.noteRetired(this.set, set);
      this.set = set;
      this.lastAttemptFailed = false;
      this.failuresWithoutKeys = 0;
      logger.log('INFO', 'key set fetched', {
        event: 'jwks_fetch',
        outcome: 'ok',
        why,
        keys: set.all.length,
        skipped: set.skipped.length ? set.skipped.join('; ') : undefined,
        ms: now() - started,
      });
    } catch (e) {
      this.fetchesEnded++;
      this.lastAttemptFailed = true;
      if (!this.set) this.failuresWithoutKeys++;
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

  private async fetchKeys(jwksUri: string, startedAt: number): Promise<KeySet> {
    const doc = await this.get(jwksUri);
    const keys = (doc as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new KeySetError('JWKS_INVALID', 'JWKS has no keys array');
    const all: SigningKey[] = [];
    const byKid = new Map<string, SigningKey[]>();
    const skipped: string[] = [];
    const skippedKids = new Set<string>();
    const imported = new WeakSet<object>();
    const imports = await Promise.all(keys.slice(0, MAX_KEYS).map((jwk) => SigningKey.import(jwk, this.options.algorithms, imported)));
    for (const r of imports) {
      if (isRejection(r)) {
        skipped.push(`${r.kid ?? '(no kid)'}: ${r.reason}`);
        if (r.kid !== undefined) skippedKids.add(r.kid);
        continue;
      }
      all.push(r);
      if (r.kid !== undefined) byKid.set(r.kid, [...(byKid.get(r.kid) ?? []), r]);
    }
    if (all.length === 0) throw new KeySetError('JWKS_INVALID', `JWKS holds no key usable with the allowed algorithms (${skipped.join('; ')})`);
    return { byKid, all, skipped, skippedKids, seq: ++this.fetchesEnded, startedAt, fetchedAt: this.options.now(), imported };
  }
}
