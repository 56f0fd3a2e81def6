// Turns raw samples into the figures the bench prints and saves, and checks them against the targets.
import type { ColdResult } from './cold';
import { FLOOR_PREFETCHED, type ColdVariant } from './cold-phase';
import type { MemoryResult } from './memory';
import type { Bundles } from './build';
import { ALGS, type Alg } from './lib/fixtures';
import { pairedRatio, summarize, type Summary } from './lib/stats';
import type { WarmResult } from './warm';
import type { ZipfResult } from './zipf';

export interface WarmFigure {
  readonly contender: string;
  /** µs per decision. */
  readonly us: Summary;
  /** Per-round ratio to the floor measured in the same round. */
  readonly xFloor: Summary;
  /** Per-round ratio to jose's jwtVerify with a local key set, same round. */
  readonly xJoseLocal: Summary;
  /** Per-round ratio to jose's jwtVerify inside a minimal authorizer (event, policy, log line), same round. */
  readonly xJoseAuthorizer: Summary;
}

export interface ZipfContenderFigure {
  readonly contender: string;
  /** µs per decision, over chunks. */
  readonly us: Summary;
  /** µs per decision over the whole stream. */
  readonly meanUs: number;
  /** Per-chunk ratio to aws-jwt-verify on the same chunk. */
  readonly xAws: Summary;
  /** Ours only: token-cache size, and the share of decisions answered from it. */
  readonly cacheSize?: number;
  readonly hitRate?: number;
  /** Ours only: share of decisions answered from the cache in the last chunk (the cache warm). */
  readonly lastChunkHitRate?: number;
}

export interface ZipfFigures {
  readonly distinct: number;
  readonly decisions: number;
  readonly chunks: number;
  readonly s: number;
  readonly seed: number;
  readonly distinctInStream: number;
  readonly rs256Share: number;
  readonly top1PercentShare: number;
  readonly contenders: ZipfContenderFigure[];
}

export interface ColdFigure {
  readonly id: string;
  readonly label: string;
  readonly block: 'http' | 'https';
  readonly importMs: Summary;
  readonly firstDecisionMs: Summary;
  readonly cpuMs: Summary;
  /** Per-iteration ratio of first decision to the floor with prefetched keys of the same block. */
  readonly xFloor: Summary;
  /** Per-iteration ratio of first decision to the floor making the same fetches over the same protocol, when there is one. */
  readonly xFloorFetching?: Summary;
}

/** What metrics cost: ours against the same handler without them, side by side (same rounds, same chunks). */
export interface MetricsCost {
  readonly case: string;
  /** µs per decision, with and without metrics. */
  readonly withUs: Summary;
  readonly withoutUs: Summary;
  /** Per-round (or per-chunk) ratio with / without. */
  readonly ratio: Summary;
  /** Per-round (or per-chunk) difference with − without, µs. */
  readonly deltaUs: Summary;
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  readonly limit: string;
  readonly met: boolean;
}

/** Rounds of several processes as one sample; each round's ratios still pair with the floor of that round. */
export function mergeWarm(runs: readonly WarmResult[]): WarmResult {
  const perOp = {} as WarmResult['perOp'];
  for (const alg of ALGS) {
    perOp[alg] = {};
    for (const run of runs) for (const [name, samples] of Object.entries(run.perOp[alg])) (perOp[alg][name] ??= []).push(...samples);
  }
  return { rounds: runs.reduce((n, r) => n + r.rounds, 0), batch: runs[0]!.batch, perOp };
}

export function warmFigures(warm: WarmResult): Record<Alg, WarmFigure[]> {
  const out = {} as Record<Alg, WarmFigure[]>;
  for (const alg of ALGS) {
    const samples = warm.perOp[alg];
    const floor = samples.floor!;
    const jose = samples['jose-local']!;
    const joseAuthorizer = samples['jose-authorizer']!;
    out[alg] = Object.entries(samples).map(([contender, s]) => ({
      contender,
      us: summarize(s),
      xFloor: pairedRatio(s, floor),
      xJoseLocal: pairedRatio(s, jose),
      xJoseAuthorizer: pairedRatio(s, joseAuthorizer),
    }));
  }
  return out;
}

export function metricsCost(warm: WarmResult | undefined, zipf: ZipfResult | undefined): MetricsCost[] {
  const pairs: [string, readonly number[] | undefined, readonly number[] | undefined][] = [];
  if (warm) {
    for (const alg of ALGS) {
      pairs.push([`warm ${alg}, distinct tokens`, warm.perOp[alg].ours, warm.perOp[alg]['ours-no-metrics']]);
      pairs.push([`warm ${alg}, token seen before`, warm.perOp[alg]['ours-hit'], warm.perOp[alg]['ours-hit-no-metrics']]);
    }
  }
  if (zipf) pairs.push(['Zipf stream (µs per decision per chunk)', zipf.perChunk.ours, zipf.perChunk['ours-no-metrics']]);
  return pairs
    .filter((p): p is [string, number[], number[]] => p[1] !== undefined && p[2] !== undefined)
    .map(([name, a, b]) => ({ case: name, withUs: summarize(a), withoutUs: summarize(b), ratio: pairedRatio(a, b), deltaUs: summarize(a.map((x, i) => x - b[i]!)) }));
}

export function coldFigures(variants: readonly ColdVariant[], results: Record<string, ColdResult[]>): ColdFigure[] {
  return variants.map((v) => {
    const floor = results[FLOOR_PREFETCHED[v.block]]!.map((x) => x.firstDecisionMs);
    const r = results[v.id]!;
    const first = r.map((x) => x.firstDecisionMs);
    return {
      id: v.id,
      label: v.label,
      block: v.block,
      importMs: summarize(r.map((x) => x.importMs)),
      firstDecisionMs: summarize(first),
      cpuMs: summarize(r.map((x) => x.cpuMs)),
      xFloor: pairedRatio(first, floor),
      ...(v.fetchingFloor ? { xFloorFetching: pairedRatio(first, results[v.fetchingFloor]!.map((x) => x.firstDecisionMs)) } : {}),
    };
  });
}

export function zipfFigures(z: ZipfResult): ZipfFigures {
  const aws = z.perChunk['aws-jwt-verify']!;
  const chunkSize = z.decisions / z.chunks;
  const contenders = Object.entries(z.perChunk).map(([contender, chunks]): ZipfContenderFigure => {
    const verified = z.verified[contender];
    return {
      contender,
      us: summarize(chunks),
      meanUs: z.meanUs[contender]!,
      xAws: pairedRatio(chunks, aws),
      ...(verified
        ? { cacheSize: z.cacheSizes[contender], hitRate: 1 - verified.total / z.decisions, lastChunkHitRate: 1 - verified.perChunk.at(-1)! / chunkSize }
        : {}),
    };
  });
  const { distinct, decisions, chunks, s, seed, distinctInStream, rs256Share, top1PercentShare } = z;
  return { distinct, decisions, chunks, s, seed, distinctInStream, rs256Share, top1PercentShare, contenders };
}

/** Issue 16 §5 (which replaced issue 8's absolute limits): ratios to peers measured in the same run. */
export const LIMITS = { zipfXAws: 0.6, warmXJoseAuthorizer: 1.15, coldXJose: 0.75, bundleBytes: 56 * 1024, importOverFloorMs: 2.5 };
/** What ours must beat on the Zipf stream. */
const ZIPF_PEERS = ['aws-jwt-verify', 'jose-local', 'jose-key', 'floor'];

export function checkTargets(
  warm: Record<Alg, WarmFigure[]>,
  zipf: ZipfFigures,
  cold: readonly ColdFigure[],
  memory: readonly MemoryResult[],
  sizes: Bundles['sizes'],
): Target[] {
  const targets: Target[] = [];
  const z = (c: string) => zipf.contenders.find((f) => f.contender === c)!;
  const ours = z('ours');
  const peers = ZIPF_PEERS.map(z);
  // Below a peer on both the median chunk and the whole stream.
  const behind = peers.filter((p) => !(ours.us.median < p.us.median && ours.meanUs < p.meanUs)).map((p) => p.contender);
  targets.push({
    target: `Zipf(s = ${zipf.s}), ${zipf.distinct} tokens, ${zipf.decisions} decisions: vs an authorizer on aws-jwt-verify`,
    measured:
      `${ours.xAws.median.toFixed(2)}× per chunk (whole stream ${(ours.meanUs / z('aws-jwt-verify').meanUs).toFixed(2)}×); ` +
      (behind.length ? `not below ${behind.join(', ')}` : 'below every peer'),
    limit: `≤ ${LIMITS.zipfXAws}× and below every peer`,
    met: ours.xAws.median <= LIMITS.zipfXAws && behind.length === 0,
  });
  for (const alg of ALGS) {
    const x = warm[alg].find((f) => f.contender === 'ours')!.xJoseAuthorizer;
    targets.push({
      target: `warm ${alg}, distinct tokens: vs jose in a minimal authorizer`,
      measured: `${x.median.toFixed(2)}× (per-round p25–p75 ${x.p25.toFixed(2)}–${x.p75.toFixed(2)})`,
      limit: `≤ ${LIMITS.warmXJoseAuthorizer}×`,
      met: x.median <= LIMITS.warmXJoseAuthorizer,
    });
  }
  const c = (id: string) => cold.find((f) => f.id === id);
  for (const [oursId, joseId, protocol] of [['ours', 'jose', 'http'], ['ours-https', 'jose-https', 'https']] as const) {
    const o = c(oursId);
    const j = c(joseId);
    if (!o || !j) continue;
    const x = o.firstDecisionMs.median / j.firstDecisionMs.median;
    targets.push({
      target: `cold first decision, discovery + JWKS (${protocol}): vs jose's own authorizer`,
      measured: `${x.toFixed(2)}× (${o.firstDecisionMs.median.toFixed(1)} against ${j.firstDecisionMs.median.toFixed(1)} ms, medians)`,
      limit: `≤ ${LIMITS.coldXJose}×`,
      met: x <= LIMITS.coldXJose,
    });
  }
  const rss = (contender: string) => memory.find((m) => m.contender === contender)!;
  targets.push({
    target: `peak RSS, ${rss('ours').operations} mixed verifications: vs jose's own (jwtVerify + createLocalJWKSet)`,
    measured: `${rss('ours').peakRssMiB.toFixed(1)} against ${rss('jose-local').peakRssMiB.toFixed(1)} MiB`,
    limit: 'below',
    met: rss('ours').peakRssMiB < rss('jose-local').peakRssMiB,
  });
  targets.push({
    target: 'minified bundle',
    measured: `${sizes.ours.bytes} B (${(sizes.ours.bytes / 1024).toFixed(1)} KiB)`,
    limit: `≤ ${LIMITS.bundleBytes} B (56 KiB)`,
    met: sizes.ours.bytes <= LIMITS.bundleBytes,
  });
  const oursImport = c('ours')!.importMs.median;
  const floorImport = c('floor')!.importMs.median;
  targets.push({
    target: 'import of the minified bundle: vs the node:crypto floor',
    measured: `${oursImport.toFixed(1)} against ${floorImport.toFixed(1)} ms (+${(oursImport - floorImport).toFixed(1)} ms)`,
    limit: `≤ floor + ${LIMITS.importOverFloorMs} ms`,
    met: oursImport - floorImport <= LIMITS.importOverFloorMs,
  });
  return targets;
}
