// Turns raw samples into the figures the bench prints and saves, and checks them against the targets.
import type { ColdResult } from './cold';
import { FLOOR_PREFETCHED, type ColdVariant } from './cold-phase';
import type { MemoryResult } from './memory';
import type { Bundles } from './build';
import { ALGS, type Alg } from './lib/fixtures';
import { pairedRatio, summarize, type Summary } from './lib/stats';
import type { WarmResult } from './warm';

export interface WarmFigure {
  readonly contender: string;
  /** µs per decision. */
  readonly us: Summary;
  /** Per-round ratio to the floor measured in the same round. */
  readonly xFloor: Summary;
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
    out[alg] = Object.entries(samples).map(([contender, s]) => ({ contender, us: summarize(s), xFloor: pairedRatio(s, floor) }));
  }
  return out;
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
    };
  });
}

const LIMITS = { warmX: 1.25, hitSpeedup: 5, importMs: 8, coldX: 1.35, rssMiB: 75, bundleBytes: 25_000 };

export function checkTargets(
  warm: Record<Alg, WarmFigure[]>,
  cold: readonly ColdFigure[],
  memory: readonly MemoryResult[],
  sizes: Bundles['sizes'],
): Target[] {
  const targets: Target[] = [];
  const w = (alg: Alg, c: string) => warm[alg].find((f) => f.contender === c);
  for (const alg of ALGS) {
    const ours = w(alg, 'ours')!;
    const aws = w(alg, 'aws-jwt-verify')!;
    targets.push({
      target: `1. warm ${alg}, distinct tokens`,
      measured: `${ours.xFloor.median.toFixed(2)}× floor (aws-jwt-verify ${aws.xFloor.median.toFixed(2)}×)`,
      limit: `≤ ${LIMITS.warmX}× and ahead of aws-jwt-verify`,
      // Ahead on the paired ratio: each round's figures against the floor of that same round.
      met: ours.xFloor.median <= LIMITS.warmX && ours.xFloor.median < aws.xFloor.median,
    });
  }
  for (const alg of ALGS) {
    const hit = w(alg, 'ours-hit')!;
    const speedup = 1 / hit.xFloor.median;
    targets.push({ target: `2. warm ${alg}, token seen before`, measured: `${speedup.toFixed(1)}× faster than floor`, limit: `≥ ${LIMITS.hitSpeedup}×`, met: speedup >= LIMITS.hitSpeedup });
  }
  const oursCold = cold.find((c) => c.id === 'ours')!;
  const floorCold = cold.find((c) => c.id === 'floor')!;
  const oursCa = cold.find((c) => c.id === 'ours-http-ca');
  targets.push({ target: '3. import of our bundle', measured: `${oursCold.importMs.median.toFixed(1)} ms`, limit: `≤ ${LIMITS.importMs} ms`, met: oursCold.importMs.median <= LIMITS.importMs });
  targets.push({
    target: '3. cold first decision, discovery + JWKS (http)',
    measured:
      `${oursCold.xFloor.median.toFixed(2)}× (the floor doing the same: ${floorCold.xFloor.median.toFixed(2)}×)` +
      (oursCa ? `; ${oursCa.xFloor.median.toFixed(2)}× with NODE_EXTRA_CA_CERTS set` : ''),
    limit: `≤ ${LIMITS.coldX}× floor with prefetched keys`,
    met: oursCold.xFloor.median <= LIMITS.coldX,
  });
  const rss = memory.find((m) => m.contender === 'ours')!;
  targets.push({ target: `4. peak RSS, ${rss.operations} mixed verifications`, measured: `${rss.peakRssMiB.toFixed(1)} MiB`, limit: `≤ ${LIMITS.rssMiB} MiB`, met: rss.peakRssMiB <= LIMITS.rssMiB });
  targets.push({ target: '5. minified bundle', measured: `${sizes.ours.bytes} B`, limit: `≤ ${LIMITS.bundleBytes} B`, met: sizes.ours.bytes <= LIMITS.bundleBytes });
  return targets;
}
