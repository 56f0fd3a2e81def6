// Memory child: one contender per process (its bundle holds no other contender's code) verifies a fixed mixed sequence (RS256 and ES256, repeats and
// first sightings, a share of forged signatures) and reports the process's peak RSS. Every operation starts
// from a fresh API Gateway event, as a Lambda invocation does (our handler takes it whole, the others the
// token in it).
import { readFileSync } from 'node:fs';
import type { MakeContender } from './lib/contender/types';
import { ALGS, type Fixtures } from './lib/fixtures';
import { report } from './lib/report';
import { prng } from './lib/stats';

export interface MemoryResult {
  readonly contender: string;
  readonly operations: number;
  readonly accepted: number;
  /** RSS once built and warmed, before the run, MiB. */
  readonly rssBeforeMiB: number;
  /** Peak RSS of the process (getrusage maxrss), MiB. */
  readonly peakRssMiB: number;
  readonly ms: number;
}

/** The same sequence for every contender: 10% forged, else RS256/ES256 evenly, half from a hot set of 100. */
function sequence(fx: Fixtures, operations: number): string[] {
  const rnd = prng(20261127);
  const picks: string[] = [];
  for (let i = 0; i < operations; i++) {
    if (rnd() < 0.1) {
      picks.push(fx.forged[Math.floor(rnd() * fx.forged.length)]!);
      continue;
    }
    const pool = fx.tokens[ALGS[rnd() < 0.5 ? 0 : 1]!];
    picks.push(pool[Math.floor(rnd() * (rnd() < 0.5 ? Math.min(100, pool.length) : pool.length))]!);
  }
  return picks;
}

async function main(make: MakeContender): Promise<void> {
  const [fixturesPath, operationsArg] = process.argv.slice(2);
  const fx = JSON.parse(readFileSync(fixturesPath!, 'utf8')) as Fixtures;
  const operations = Number(operationsArg);
  const contender = await make(fx);

  // As on Lambda, every invocation gets a fresh event; each contender gets what it takes from it.
  const input = (token: string) => contender.prepare([token])[0];
  const order = sequence(fx, operations);
  for (let i = 0; i < 200; i++) await (async () => contender.run(input(order[i]!)))().catch(() => undefined);

  const rssBefore = process.memoryUsage.rss();
  let accepted = 0;
  const t0 = performance.now();
  for (const token of order) {
    try {
      await contender.run(input(token));
      accepted++;
    } catch {
      /* forged: refused, as it must be */
    }
  }
  const ms = performance.now() - t0;
  const mib = (bytes: number) => bytes / 1048576;
  report({
    contender: contender.name,
    operations,
    accepted,
    rssBeforeMiB: mib(rssBefore),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    ms,
  } satisfies MemoryResult);
}

/** The entry of a memory child; build.ts makes one bundle per contender, holding that contender's code only. */
export function runMemory(make: MakeContender): void {
  main(make).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
