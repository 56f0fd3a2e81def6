// The bench checks issue 16 §5's targets, each a ratio to a peer measured in the same run: these figures are
// made up to sit either side of each limit, so a target compared with the wrong peer or limit fails here.
import type { Bundles } from '../../bench/build';
import type { MemoryResult } from '../../bench/memory';
import { checkTargets, type ColdFigure, type WarmFigure, type ZipfContenderFigure, type ZipfFigures } from '../../bench/summary';

const s = (median: number) => ({ median, p25: median, p75: median, n: 1 });
const warmFigure = (contender: string, xJoseAuthorizer: number): WarmFigure => ({ contender, us: s(100), xFloor: s(2), xJoseLocal: s(0.5), xJoseAuthorizer: s(xJoseAuthorizer) });
const zipfFigure = (contender: string, us: number, xAws: number): ZipfContenderFigure => ({ contender, us: s(us), meanUs: us, xAws: s(xAws) });
const coldFigure = (id: string, importMs: number, firstDecisionMs: number): ColdFigure => ({ id, label: id, block: id.endsWith('https') ? 'https' : 'http', importMs: s(importMs), firstDecisionMs: s(firstDecisionMs), cpuMs: s(1), xFloor: s(1) });
const memory = (contender: string, peakRssMiB: number): MemoryResult => ({ contender, operations: 100000, accepted: 90000, rssBeforeMiB: 60, peakRssMiB, ms: 1 }) as MemoryResult;

function figures(good: boolean) {
  const warm = { RS256: [warmFigure('ours', good ? 1.1 : 1.3)], ES256: [warmFigure('ours', good ? 1.0 : 1.2)] };
  const zipf: ZipfFigures = {
    distinct: 10000, decisions: 200000, chunks: 20, s: 1.1, seed: 1, distinctInStream: 9000, rs256Share: 0.5, top1PercentShare: 0.5,
    contenders: [
      zipfFigure('ours', good ? 30 : 60, good ? 0.5 : 0.9),
      zipfFigure('aws-jwt-verify', 64, 1),
      zipfFigure('jose-local', 126, 2),
      zipfFigure('jose-key', 120, 2),
      zipfFigure('floor', good ? 40 : 43, 0.7),
    ],
  };
  const cold = [coldFigure('floor', 10, 90), coldFigure('ours', good ? 12 : 30, good ? 110 : 160), coldFigure('jose', 2, 160), coldFigure('ours-https', 12, good ? 120 : 170), coldFigure('jose-https', 2, 175)];
  const mem = [memory('ours', good ? 70 : 95), memory('jose-local', 75)];
  const sizes = { ours: { bytes: good ? 50000 : 62000, gzipBytes: 1 } } as Bundles['sizes'];
  return checkTargets(warm, zipf, cold, mem, sizes);
}

test('figures inside every limit meet every target, one per issue 16 §5 line', () => {
  const targets = figures(true);
  expect(targets.map((t) => [t.limit, t.met])).toEqual([
    ['≤ 0.6× and below every peer', true],
    ['≤ 1.15×', true],
    ['≤ 1.15×', true],
    ['≤ 0.75×', true],
    ['≤ 0.75×', true],
    ['below', true],
    ['≤ 57344 B (56 KiB)', true],
    ['≤ floor + 2.5 ms', true],
  ]);
});

test('figures outside each limit miss it, and the Zipf line names the peer ours is not below', () => {
  const targets = figures(false);
  expect(targets.every((t) => !t.met)).toBe(true);
  expect(targets[0]!.measured).toContain('not below floor');
  expect(targets[3]!.measured).toBe('1.00× (160.0 against 160.0 ms, medians)');
  expect(targets[7]!.measured).toBe('30.0 against 10.0 ms (+20.0 ms)');
});
