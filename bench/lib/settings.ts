// How much the bench measures. BENCH_QUICK=1 scales everything down for a check that the bench works
// (figures from it are noisy); single knobs can be set with the variables below.

const int = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

const quick = process.env.BENCH_QUICK === '1';

const warmBatch = int('BENCH_WARM_BATCH', quick ? 50 : 200);

export const SETTINGS = {
  quick,
  /** Warm: child processes (one process's JIT and memory layout can be a few % off another's), interleaved
   * rounds per algorithm in each, tokens per contender per round. */
  warmProcesses: int('BENCH_WARM_PROCESSES', quick ? 1 : 4),
  warmRounds: int('BENCH_WARM_ROUNDS', quick ? 10 : 25),
  warmBatch,
  /** Warm-up tokens per contender; the first `warmBatch` of them are the cache-hit set. */
  warmup: Math.max(200, warmBatch),
  /** Cold: fresh processes per variant. */
  coldProcesses: int('BENCH_COLD_PROCESSES', quick ? 5 : 40),
  /** Memory: verifications per contender process. */
  memoryOperations: int('BENCH_MEMORY_OPERATIONS', quick ? 10_000 : 100_000),
  /** Zipf: distinct tokens (half RS256, half ES256), decisions in the stream, chunks it is timed in, exponent. */
  zipfDistinct: int('BENCH_ZIPF_DISTINCT', quick ? 2_000 : 10_000),
  zipfDecisions: int('BENCH_ZIPF_DECISIONS', quick ? 20_000 : 200_000),
  zipfChunks: int('BENCH_ZIPF_CHUNKS', quick ? 10 : 20),
  zipfS: 1.1,
  /** Warm-up tokens per algorithm for each Zipf contender, outside the stream. */
  zipfWarmup: 200,
  /** Extra Zipf contenders: ours with OIDC_TOKEN_CACHE_SIZE set to each of these (BENCH_ZIPF_CACHE_SIZES=2000,10000). */
  zipfCacheSizes: (process.env.BENCH_ZIPF_CACHE_SIZES ?? '').split(',').map((s) => s.trim()).filter((s) => /^\d+$/.test(s)).map(Number),
  /** Phases to run (BENCH_ONLY=warm,zipf,cold,memory); all by default. Targets need all four. */
  only: new Set((process.env.BENCH_ONLY ?? 'warm,zipf,cold,memory').split(',').map((s) => s.trim())),
  /** Distinct tokens per algorithm in the memory mix. */
  memoryPool: 1000,
} as const;
