// `npm run bench`: builds the bundles, makes keys and tokens, starts a loopback issuer, runs the warm, Zipf,
// cold and memory children side by side, prints the figures and writes them to bench/results/local/ (git-ignored),
// or with --keep to bench/results/<date>.json.
// Everything it starts (children, servers, the temp folder) is gone when it ends, however it ends.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildAll, MEMORY_CONTENDERS } from './build';
import { coldVariants, runCold } from './cold-phase';
import type { MemoryResult } from './memory';
import { killChildren, runChild } from './lib/child';
import { LOG_SINK } from './lib/contender/ours';
import { makeFixtures, makeSigners } from './lib/fixtures';
import { startIssuer, type BenchIssuer } from './lib/issuer';
import { machine } from './lib/machine';
import { benchRun, resultsFile } from './lib/results-path';
import { SETTINGS } from './lib/settings';
import { render } from './print';
import { checkTargets, coldFigures, mergeWarm, metricsCost, warmFigures, zipfFigures } from './summary';
import type { WarmResult } from './warm';
import type { ZipfResult } from './zipf';

/** The issuer of warm and memory runs: no network there, ours gets its documents through an injected fetchJson. */
const IN_PROCESS_ISSUER = 'https://issuer.bench.example';

const say = (s: string) => process.stderr.write(`${s}\n`);
const version = (pkg: string) => (JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

async function main(): Promise<void> {
  const started = Date.now();
  const S = SETTINGS;
  const run = benchRun(process.argv.slice(2), S);
  const date = new Date().toISOString().slice(0, 10);
  const file = resultsFile(join(__dirname, 'results'), date, run);
  const where = relative(process.cwd(), file);
  say(`bench: ${run.partial ? 'a partial run (BENCH_QUICK or BENCH_ONLY), shorter than a full one' : 'a full run takes about 4 minutes'}; results go to ${where}${run.keep ? '' : ' (git-ignored; --keep writes bench/results/<date>.json, to commit)'}`);
  // Other work on the machine skews every figure; say so rather than print numbers that look clean.
  const loadAtStart = loadavg()[0]!;
  if (loadAtStart > 1) say(`warning: load average is ${loadAtStart.toFixed(2)}; figures will be noisy (run on a quiet machine)`);
  const dir = mkdtempSync(join(tmpdir(), 'oidc-bench-'));
  let issuer: BenchIssuer | undefined;
  const cleanup = async () => {
    killChildren();
    await issuer?.close();
    issuer = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);

  try {
    say(`bench${S.quick ? ' (BENCH_QUICK: few samples, rough figures)' : ''}: building bundles`);
    const bundles = await buildAll(dir);

    say('making keys and tokens');
    const signers = makeSigners();
    const warmPath = join(dir, 'warm-fixtures.json');
    const memoryPath = join(dir, 'memory-fixtures.json');
    // One set of distinct tokens per algorithm serves the warm and Zipf children (separate processes).
    const perAlg = Math.max(1, S.only.has('warm') ? S.warmup + S.warmRounds * S.warmBatch : 0, S.only.has('zipf') ? Math.ceil(S.zipfDistinct / 2) + S.zipfWarmup : 0);
    const warmFx = makeFixtures(IN_PROCESS_ISSUER, signers, perAlg, 0);
    writeFileSync(warmPath, JSON.stringify(warmFx));
    writeFileSync(memoryPath, JSON.stringify(makeFixtures(IN_PROCESS_ISSUER, signers, S.memoryPool, 100)));

    let warm: ReturnType<typeof warmFigures> | undefined;
    let warmRaw: WarmResult | undefined;
    if (S.only.has('warm')) {
      const runs: WarmResult[] = [];
      for (let p = 1; p <= S.warmProcesses; p++) {
        say(`warm ${p}/${S.warmProcesses}: ${S.warmRounds} interleaved rounds × ${S.warmBatch} distinct tokens per contender and algorithm`);
        runs.push(await runChild<WarmResult>(bundles.children.warm, [warmPath, String(S.warmRounds), String(S.warmBatch), String(S.warmup)], { nodeArgs: ['--expose-gc'] }));
      }
      warmRaw = mergeWarm(runs);
      warm = warmFigures(warmRaw);
    }

    let zipf: ReturnType<typeof zipfFigures> | undefined;
    let zipfRaw: ZipfResult | undefined;
    if (S.only.has('zipf')) {
      say(`zipf: ${S.zipfDecisions} decisions, Zipf(s = ${S.zipfS}) over ${S.zipfDistinct} distinct tokens, ${S.zipfChunks} interleaved chunks per contender`);
      const args = [warmPath, S.zipfDistinct, S.zipfDecisions, S.zipfChunks, S.zipfS, S.zipfWarmup, S.zipfCacheSizes.join(',')].map(String);
      zipfRaw = await runChild<ZipfResult>(bundles.children.zipf, args, { nodeArgs: ['--expose-gc'], timeoutMs: 1_800_000 });
      zipf = zipfFigures(zipfRaw);
    }

    let cold: ReturnType<typeof coldFigures> | undefined;
    if (S.only.has('cold')) {
      issuer = await startIssuer(warmFx.jwks, dir);
      if (!issuer.https) say('openssl not found: https cold starts are skipped');
      const variants = coldVariants(bundles, issuer, signers[1]!, warmFx.jwks);
      say(`cold: ${S.coldProcesses} fresh processes for each of ${variants.length} variants`);
      cold = coldFigures(variants, await runCold(bundles.children.cold, variants, S.coldProcesses, issuer));
      await issuer.close();
      issuer = undefined;
    }

    let memory: MemoryResult[] | undefined;
    if (S.only.has('memory')) {
      memory = [];
      for (const name of MEMORY_CONTENDERS) {
        say(`memory: ${name}, ${S.memoryOperations} mixed verifications in its own process`);
        memory.push(await runChild<MemoryResult>(bundles.memory[name], [memoryPath, String(S.memoryOperations)]));
      }
      const accepted = new Set(memory.map((x) => x.accepted));
      if (accepted.size !== 1) throw new Error(`contenders disagree on the memory mix: accepted ${[...accepted].join(' vs ')}`);
    }

    const targets = warm && zipf && cold && memory ? checkTargets(warm, zipf, cold, memory, bundles.sizes) : undefined;
    const versions = { jose: version('jose'), 'aws-jwt-verify': version('aws-jwt-verify'), esbuild: version('esbuild') };
    const record = {
      date,
      loadAverageAtStart: loadAtStart,
      machine: machine(),
      versions,
      settings: { ...S, only: [...S.only] },
      logSink: LOG_SINK,
      warm,
      zipf,
      metricsCost: metricsCost(warmRaw, zipfRaw),
      cold,
      memory,
      sizes: bundles.sizes,
      targets,
    };
    process.stdout.write(render({ ...record, settings: S }));

    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    say(`wrote ${where} (${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
