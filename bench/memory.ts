// Memory child: one contender per process verifies a fixed mixed sequence (RS256 and ES256, repeats and
// first sightings, a share of forged signatures) and reports the process's peak RSS.
import { readFileSync } from 'node:fs';
import { makeContender, type ContenderName } from './lib/contenders';
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

async function main(): Promise<void> {
  const [fixturesPath, name, operationsArg] = process.argv.slice(2);
  const fx = JSON.parse(readFileSync(fixturesPath!, 'utf8')) as Fixtures;
  const operations = Number(operationsArg);
  const contender = await makeContender(name as ContenderName, fx);

  // Inputs are made once per distinct token (events for our handler), then indexed by the sequence.
  const distinct = [...new Set(sequence(fx, operations))];
  const inputs = new Map(contender.prepare(distinct).map((input, i) => [distinct[i]!, input]));
  const order = sequence(fx, operations).map((t) => inputs.get(t));
  for (let i = 0; i < 200; i++) await (async () => contender.run(order[i]))().catch(() => undefined);

  const rssBefore = process.memoryUsage.rss();
  let accepted = 0;
  const t0 = performance.now();
  for (const input of order) {
    try {
      await contender.run(input);
      accepted++;
    } catch {
      /* forged: refused, as it must be */
    }
  }
  const ms = performance.now() - t0;
  const mib = (bytes: number) => bytes / 1048576;
  report({
    contender: name!,
    operations,
    accepted,
    rssBeforeMiB: mib(rssBefore),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    ms,
  } satisfies MemoryResult);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
