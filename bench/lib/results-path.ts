// Where `npm run bench` writes its record. A run is scratch unless asked otherwise: bench/results/local/ is
// git-ignored, and only `--keep` on a full run writes the dated file that is committed beside the others.
import { join } from 'node:path';

/** The phases a full run measures; the targets need all four. */
export const PHASES = ['warm', 'zipf', 'cold', 'memory'] as const;

export interface BenchRun {
  /** `--keep`: write bench/results/<date>.json, to commit. */
  readonly keep: boolean;
  /** BENCH_QUICK, or a BENCH_ONLY that leaves a phase out: figures not fit to keep. */
  readonly partial: boolean;
}

/** Reads the command line and the settings; a mistyped argument or `--keep` on a partial run is an error. */
export function benchRun(argv: readonly string[], settings: { readonly quick: boolean; readonly only: ReadonlySet<string> }): BenchRun {
  const unknown = argv.find((a) => a !== '--keep');
  if (unknown !== undefined) throw new Error(`npm run bench: unknown argument ${unknown}; the only one is --keep (write bench/results/<date>.json, to commit)`);
  const keep = argv.includes('--keep');
  const partial = settings.quick || !PHASES.every((p) => settings.only.has(p));
  if (keep && partial) throw new Error('npm run bench: --keep keeps full runs only; unset BENCH_QUICK and BENCH_ONLY');
  return { keep, partial };
}

/** The record's path under `resultsDir` (bench/results). */
export function resultsFile(resultsDir: string, date: string, run: BenchRun): string {
  if (run.keep) return join(resultsDir, `${date}.json`);
  return join(resultsDir, 'local', `${date}${run.partial ? '-partial' : ''}.json`);
}
