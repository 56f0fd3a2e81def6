// Zipf child: realistic traffic. One stream of decisions drawn from Zipf(s) over a fixed set of distinct
// tokens (a few users call often, most rarely), the same stream for every contender. Each contender keeps
// its state across the whole stream (ours its verified-token cache; the others have none to keep). The stream
// is cut into chunks; contenders take turns chunk by chunk, in rotating order, so drift hits all alike.
// The parent runs it with --expose-gc (see warm.ts).
import { readFileSync } from 'node:fs';
import { MAKERS, makeOurs, type Contender, type ContenderName } from './lib/contenders';
import { authorizerEvent } from './lib/event';
import { readConfig } from '../lambda/authorizer/config';
import { ALGS, authorizerEnv, type Fixtures } from './lib/fixtures';
import { report } from './lib/report';
import { prng } from './lib/stats';

/** Seed of the stream: a fixed one, so every run and every contender sees the same traffic. */
export const ZIPF_SEED = 20261201;

export interface ZipfResult {
  readonly distinct: number;
  readonly decisions: number;
  readonly chunks: number;
  readonly s: number;
  readonly seed: number;
  /** contender → µs per decision, one value per chunk, in stream order. */
  readonly perChunk: Record<string, number[]>;
  /** contender → µs per decision over the whole stream (total time / decisions). */
  readonly meanUs: Record<string, number>;
  /** Our cache sizes by contender name (`ours`, `ours-cache-N`). */
  readonly cacheSizes: Record<string, number>;
  /** contender (ours only) → signature checks it made (cache misses), over the whole stream and per chunk. */
  readonly verified: Record<string, { total: number; perChunk: number[] }>;
  /** Distinct tokens the stream holds, and its share of RS256 decisions. */
  readonly distinctInStream: number;
  readonly rs256Share: number;
  /** Decisions the top 1% of tokens take. */
  readonly top1PercentShare: number;
}

/** Ranks 0..n-1 drawn with P(k) ∝ (k+1)^-s: inverse CDF by binary search. */
export function zipfStream(n: number, s: number, length: number, seed: number): Uint32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) cdf[k] = sum += (k + 1) ** -s;
  const rnd = prng(seed);
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    const u = rnd() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

const minorGc = (globalThis as { gc?: (o: { type: 'minor'; execution: 'sync' }) => void }).gc;

interface Runner {
  readonly contender: Contender;
  /** Signature checks so far, for ours (counted where its cache is offered a newly verified token). */
  readonly verified?: () => number;
  readonly cacheSize?: number;
}

function oursRunner(fx: Fixtures, name: string, cacheSize: number | undefined, warmTokens: readonly string[], metrics = true): Promise<Runner> {
  const env: Record<string, string> = cacheSize === undefined ? {} : { OIDC_TOKEN_CACHE_SIZE: String(cacheSize) };
  const authorizer = makeOurs(fx, env, { metrics });
  const contender: Contender = {
    name: name as ContenderName,
    sync: false,
    prepare: (t) => t.map(authorizerEvent),
    run: (e) => authorizer.handler(e as ReturnType<typeof authorizerEvent>),
  };
  return (async () => {
    // JIT warm-up on tokens outside the stream, then an empty cache: the stream starts cold, as a fresh instance does.
    for (const e of contender.prepare(warmTokens)) await contender.run(e);
    authorizer.tokenCache.clear();
    let verified = 0;
    const cache = authorizer.tokenCache;
    const offer = cache.offer.bind(cache);
    cache.offer = (key, value) => (verified++, offer(key, value));
    return { contender, verified: () => verified, cacheSize: readConfig(authorizerEnv(fx.issuer, env)).tokenCacheSize };
  })();
}

async function main(): Promise<void> {
  const [fixturesPath, distinctArg, decisionsArg, chunksArg, sArg, warmupArg, cacheSizesArg] = process.argv.slice(2);
  const fx = JSON.parse(readFileSync(fixturesPath!, 'utf8')) as Fixtures;
  const distinct = Number(distinctArg);
  const decisions = Number(decisionsArg);
  const chunks = Number(chunksArg);
  const s = Number(sArg);
  const warmup = Number(warmupArg);
  const extraCacheSizes = (cacheSizesArg ?? '').split(',').filter(Boolean).map(Number);
  const half = Math.ceil(distinct / 2);
  for (const alg of ALGS) if (fx.tokens[alg].length < half + warmup) throw new Error(`need ${half + warmup} ${alg} tokens, have ${fx.tokens[alg].length}`);
  if (decisions % chunks !== 0) throw new Error(`${decisions} decisions do not split into ${chunks} chunks`);

  // Rank k is token k/2 of RS256 when k is even, of ES256 when odd: both algorithms hot and cold alike.
  const byRank = Array.from({ length: distinct }, (_, k) => fx.tokens[ALGS[k % 2]!][k >> 1]!);
  const ranks = zipfStream(distinct, s, decisions, ZIPF_SEED);
  const stream = Array.from(ranks, (k) => byRank[k]!);
  const warmTokens = ALGS.flatMap((alg) => fx.tokens[alg].slice(half, half + warmup));

  const runners: Runner[] = [await oursRunner(fx, 'ours', undefined, warmTokens), await oursRunner(fx, 'ours-no-metrics', undefined, warmTokens, false)];
  for (const size of extraCacheSizes) runners.push(await oursRunner(fx, `ours-cache-${size}`, size, warmTokens));
  for (const name of ['aws-jwt-verify', 'jose-local', 'jose-key', 'floor'] as const) {
    const contender = await MAKERS[name](fx);
    for (const input of contender.prepare(warmTokens)) await contender.run(input);
    runners.push({ contender });
  }

  const size = decisions / chunks;
  const perChunk: Record<string, number[]> = {};
  const verifiedPerChunk: Record<string, number[]> = {};
  const totalNs: Record<string, bigint> = {};
  for (let c = 0; c < chunks; c++) {
    const tokens = stream.slice(c * size, (c + 1) * size);
    for (let k = 0; k < runners.length; k++) {
      const { contender, verified } = runners[(k + c) % runners.length]!;
      // A fresh event per decision, as on Lambda; made before the clock starts.
      const inputs = contender.prepare(tokens);
      const before = verified?.();
      minorGc?.({ type: 'minor', execution: 'sync' });
      const t0 = process.hrtime.bigint();
      if (contender.sync) for (const input of inputs) contender.run(input);
      else for (const input of inputs) await contender.run(input);
      const ns = process.hrtime.bigint() - t0;
      (perChunk[contender.name] ??= []).push(Number(ns) / 1e3 / size);
      totalNs[contender.name] = (totalNs[contender.name] ?? 0n) + ns;
      if (verified) (verifiedPerChunk[contender.name] ??= []).push(verified() - before!);
    }
  }

  const counts = new Uint32Array(distinct);
  for (const k of ranks) counts[k]!++;
  const top = Math.max(1, Math.floor(distinct / 100));
  const sorted = [...counts].sort((a, b) => b - a);
  report({
    distinct,
    decisions,
    chunks,
    s,
    seed: ZIPF_SEED,
    perChunk,
    meanUs: Object.fromEntries(Object.entries(totalNs).map(([name, ns]) => [name, Number(ns) / 1e3 / decisions])),
    cacheSizes: Object.fromEntries(runners.filter((r) => r.cacheSize !== undefined).map((r) => [r.contender.name, r.cacheSize!])),
    verified: Object.fromEntries(Object.entries(verifiedPerChunk).map(([name, v]) => [name, { total: v.reduce((a, b) => a + b, 0), perChunk: v }])),
    distinctInStream: counts.filter((n) => n > 0).length,
    rs256Share: ranks.reduce((n, k) => n + (k % 2 === 0 ? 1 : 0), 0) / decisions,
    top1PercentShare: sorted.slice(0, top).reduce((a, b) => a + b, 0) / decisions,
  } satisfies ZipfResult);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
