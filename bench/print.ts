// The bench's terminal output: one table per phase, then the targets.
import type { Bundles } from './build';
import type { MemoryResult } from './memory';
import { ALGS, type Alg } from './lib/fixtures';
import type { Machine } from './lib/machine';
import { fmt, range, table } from './lib/table';
import type { ColdFigure, MetricsCost, Target, WarmFigure, ZipfFigures } from './summary';

const LABELS: Record<string, string> = {
  floor: 'node:crypto floor',
  ours: 'ours: whole handler, logging and metrics on',
  'ours-no-metrics': 'ours without metrics (no EMF line)',
  'ours-hit': 'ours: token seen before (cache hit)',
  'ours-hit-no-metrics': 'ours: token seen before, without metrics',
  'jose-local': 'jose jwtVerify + createLocalJWKSet',
  'jose-key': 'jose jwtVerify + pre-imported key',
  'jose-authorizer': 'jose jwtVerify in a minimal authorizer (event, policy, log line)',
  'aws-jwt-verify': 'aws-jwt-verify JwtVerifier + cacheJwks',
};
const label = (name: string) => LABELS[name] ?? (name.startsWith('ours-cache-') ? `ours, OIDC_TOKEN_CACHE_SIZE=${name.slice('ours-cache-'.length)}` : name);
const pct = (x: number | undefined) => (x === undefined ? '' : `${(x * 100).toFixed(1)}%`);

export interface Printable {
  readonly machine: Machine;
  readonly versions: Record<string, string>;
  readonly logSink: string;
  readonly settings: { warmProcesses: number; warmRounds: number; warmBatch: number; coldProcesses: number; memoryOperations: number };
  readonly loadAverageAtStart: number;
  readonly warm?: Record<Alg, WarmFigure[]>;
  readonly zipf?: ZipfFigures;
  readonly metricsCost?: readonly MetricsCost[];
  readonly cold?: readonly ColdFigure[];
  readonly memory?: readonly MemoryResult[];
  readonly sizes: Bundles['sizes'];
  readonly targets?: readonly Target[];
}

export function render(r: Printable): string {
  const m = r.machine;
  const S = r.settings;
  const out: string[] = [];
  out.push(`Machine: ${m.cpu}, ${m.nproc} CPUs, ${m.memoryMiB} MiB, Node ${m.node} (${m.platform}); ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push(`Load average at start: ${r.loadAverageAtStart.toFixed(2)}${r.loadAverageAtStart > 1 ? ' (busy machine: figures are noisy)' : ''}`);
  out.push(`Our handler logs every decision as in production; its log lines go to ${r.logSink}. Medians; spread is p25–p75.`);
  if (r.warm) {
    for (const alg of ALGS) {
      out.push('', `Warm ${alg}, µs per decision (${S.warmProcesses} processes × ${S.warmRounds} rounds × ${S.warmBatch}; × columns are medians of per-round ratios)`);
      out.push(
        table(
          ['contender', 'median µs', 'p25–p75 µs', '× floor', '× jose-local', '× jose authorizer'],
          r.warm[alg].map((f) => [
            label(f.contender),
            fmt(f.us.median),
            range(f.us.p25, f.us.p75),
            `${fmt(f.xFloor.median, 2)}×`,
            `${fmt(f.xJoseLocal.median, 2)}×`,
            `${fmt(f.xJoseAuthorizer.median, 2)}×`,
          ]),
        ),
      );
    }
  }
  if (r.zipf) {
    const z = r.zipf;
    out.push(
      '',
      `Zipf(s = ${z.s}) traffic: ${z.decisions} decisions over ${z.distinct} distinct tokens (half RS256, half ES256; seed ${z.seed}), ` +
        `${z.chunks} chunks of ${z.decisions / z.chunks}, contenders interleaved chunk by chunk, state kept across the stream`,
      `The stream holds ${z.distinctInStream} distinct tokens; RS256 takes ${pct(z.rs256Share)} of decisions; the top 1% of tokens take ${pct(z.top1PercentShare)}.`,
    );
    out.push(
      table(
        ['contender', 'median µs/chunk', 'p25–p75', 'whole stream µs', '× aws-jwt-verify', 'cache hits', 'hits, last chunk'],
        z.contenders.map((c) => [label(c.contender), fmt(c.us.median), range(c.us.p25, c.us.p75), fmt(c.meanUs), `${fmt(c.xAws.median, 2)}×`, pct(c.hitRate), pct(c.lastChunkHitRate)]),
      ),
    );
  }
  if (r.metricsCost && r.metricsCost.length > 0) {
    out.push('', 'What metrics cost per decision: ours with its EMF metrics against the same handler without them, side by side (× and Δ are medians of per-round or per-chunk pairs)');
    out.push(
      table(
        ['case', 'with µs', 'without µs', '× without', 'p25–p75', 'Δ µs'],
        r.metricsCost.map((c) => [c.case, fmt(c.withUs.median), fmt(c.withoutUs.median), `${fmt(c.ratio.median, 3)}×`, range(c.ratio.p25, c.ratio.p75, 3), fmt(c.deltaUs.median, 2)]),
      ),
    );
  }
  if (r.cold) {
    const blocks = {
      http: 'http issuer, clean Node environment (as Lambda starts Node 20+)',
      https: 'https issuer, its certificate trusted through NODE_EXTRA_CA_CERTS (Node builds its root store at startup)',
    };
    for (const block of ['http', 'https'] as const) {
      const rows = r.cold.filter((c) => c.block === block);
      if (rows.length === 0) continue;
      out.push('', `Cold, ${blocks[block]}: fresh node process, import + first decision against a loopback issuer (${S.coldProcesses} processes each; CPU is user + system from process start)`);
      out.push(
        table(
          ['variant', 'import ms', 'first decision ms', 'p25–p75', '× floor prefetched', '× floor, same fetches', 'CPU ms'],
          rows.map((c) => [
            c.label,
            fmt(c.importMs.median, 2),
            fmt(c.firstDecisionMs.median),
            range(c.firstDecisionMs.p25, c.firstDecisionMs.p75),
            `${fmt(c.xFloor.median, 2)}×`,
            c.xFloorFetching ? `${fmt(c.xFloorFetching.median, 2)}×` : '',
            fmt(c.cpuMs.median),
          ]),
        ),
      );
    }
  }
  if (r.memory) {
    out.push('', `Memory: peak RSS over ${S.memoryOperations} mixed verifications (RS256/ES256, repeats, 10% forged), one process each`);
    out.push(table(['contender', 'peak RSS MiB', 'RSS before run MiB', 'run ms'], r.memory.map((x) => [label(x.contender), fmt(x.peakRssMiB), fmt(x.rssBeforeMiB), fmt(x.ms, 0)])));
  }
  out.push('', 'Bundles: esbuild, minify, cjs, platform node (as the stack bundles the authorizer)');
  out.push(table(['bundle', 'minified B', 'gzip -9 B'], Object.entries(r.sizes).map(([k, v]) => [k, String(v.bytes), String(v.gzipBytes)])));
  if (r.targets) {
    out.push('', 'Targets');
    out.push(table(['target', 'measured', 'limit', 'met'], r.targets.map((t) => [t.target, t.measured, t.limit, t.met ? 'yes' : 'NO'])));
  }
  return `${out.join('\n')}\n`;
}
