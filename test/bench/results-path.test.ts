// Where `npm run bench` writes: scratch under bench/results/local/, which git ignores, unless --keep on a full run.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { benchRun, PHASES, resultsFile } from '../../bench/lib/results-path';

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const full = { quick: false, only: new Set<string>(PHASES) };

test('a full run without --keep goes to bench/results/local/, dated', () => {
  const run = benchRun([], full);
  expect(run).toEqual({ keep: false, partial: false });
  expect(resultsFile(RESULTS, '2026-12-05', run)).toBe(path.join(RESULTS, 'local', '2026-12-05.json'));
});

test('a full run with --keep goes to bench/results/<date>.json, as the committed ones', () => {
  const run = benchRun(['--keep'], full);
  expect(resultsFile(RESULTS, '2026-12-05', run)).toBe(path.join(RESULTS, '2026-12-05.json'));
});

test.each([
  ['BENCH_QUICK', { quick: true, only: new Set<string>(PHASES) }],
  ['BENCH_ONLY=warm,zipf', { quick: false, only: new Set(['warm', 'zipf']) }],
])('a partial run (%s) is scratch, named so, and --keep refuses it', (_, settings) => {
  const run = benchRun([], settings);
  expect(run.partial).toBe(true);
  expect(resultsFile(RESULTS, '2026-12-05', run)).toBe(path.join(RESULTS, 'local', '2026-12-05-partial.json'));
  expect(() => benchRun(['--keep'], settings)).toThrow('--keep keeps full runs only; unset BENCH_QUICK and BENCH_ONLY');
});

test('an unknown argument is refused, naming it and the one there is', () => {
  expect(() => benchRun(['--kep'], full)).toThrow('unknown argument --kep; the only one is --keep');
});

// git's own answer, so the test fails if .gitignore stops covering the scratch folder or starts hiding kept files.
const ignored = (file: string) => {
  const r = spawnSync('git', ['check-ignore', '--no-index', '-q', path.relative(ROOT, file)], { cwd: ROOT });
  if (r.status !== 0 && r.status !== 1) throw new Error(`git check-ignore failed: ${r.stderr}`);
  return r.status === 0;
};

test('git ignores what a run writes without --keep, and not what --keep writes', () => {
  for (const settings of [full, { quick: true, only: full.only }]) expect(ignored(resultsFile(RESULTS, '2026-12-05', benchRun([], settings)))).toBe(true);
  expect(ignored(resultsFile(RESULTS, '2026-12-05', benchRun(['--keep'], full)))).toBe(false);
});
