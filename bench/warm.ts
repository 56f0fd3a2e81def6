// Warm child: every contender verifies the same distinct, never-seen tokens in interleaved rounds (the
// order rotates each round), so machine drift hits all alike. Also times our handler on tokens it has seen
// (verified-token cache hits). Reports per-op µs per round for each contender, per algorithm.
// The parent runs it with --expose-gc (see timeBatch).
import { readFileSync } from 'node:fs';
import { report } from './lib/report';
import { ALL, MAKERS, makeOurs, type Contender } from './lib/contenders';
import { authorizerEvent } from './lib/event';
import { ALGS, type Alg, type Fixtures } from './lib/fixtures';

export interface WarmResult {
  readonly rounds: number;
  readonly batch: number;
  /** alg → contender → µs per operation, one value per round. */
  readonly perOp: Record<Alg, Record<string, number[]>>;
}

// Run with --expose-gc: each batch starts on an empty young generation, so no contender pays for
// collecting another's garbage.
const minorGc = (globalThis as { gc?: (o: { type: 'minor'; execution: 'sync' }) => void }).gc;

async function timeBatch(c: Contender, inputs: readonly unknown[], from: number, count: number): Promise<number> {
  minorGc?.({ type: 'minor', execution: 'sync' });
  const t0 = process.hrtime.bigint();
  if (c.sync) for (let i = from; i < from + count; i++) c.run(inputs[i]);
  else for (let i = from; i < from + count; i++) await c.run(inputs[i]);
  return Number(process.hrtime.bigint() - t0) / 1e3 / count;
}

async function main(): Promise<void> {
  const [fixturesPath, roundsArg, batchArg, warmupArg] = process.argv.slice(2);
  const fx = JSON.parse(readFileSync(fixturesPath!, 'utf8')) as Fixtures;
  const rounds = Number(roundsArg);
  const batch = Number(batchArg);
  const warmup = Number(warmupArg);
  const contenders = await Promise.all(ALL.map((n) => MAKERS[n](fx)));

  // Our handler on tokens it has verified before: its own instance, so the distinct-token runs cannot evict them.
  const hitAuthorizer = makeOurs(fx);
  const hit: Contender = { name: 'ours-hit' as Contender['name'], sync: false, prepare: (t) => t.map(authorizerEvent), run: (e) => hitAuthorizer.handler(e as ReturnType<typeof authorizerEvent>) };
  // The same without metrics: what counting and the EMF line cost a cache hit.
  const bareHitAuthorizer = makeOurs(fx, {}, { metrics: false });
  const bareHit: Contender = { name: 'ours-hit-no-metrics' as Contender['name'], sync: false, prepare: (t) => t.map(authorizerEvent), run: (e) => bareHitAuthorizer.handler(e as ReturnType<typeof authorizerEvent>) };

  const perOp = {} as WarmResult['perOp'];
  for (const alg of ALGS) {
    const pool = fx.tokens[alg];
    if (pool.length < warmup + rounds * batch) throw new Error(`need ${warmup + rounds * batch} ${alg} tokens, have ${pool.length}`);
    const warmTokens = pool.slice(0, warmup);
    const measured = pool.slice(warmup, warmup + rounds * batch);
    const inputs = new Map<Contender, unknown[]>();
    for (const c of contenders) {
      inputs.set(c, c.prepare(measured));
      // Warm-up doubles as a check that every contender accepts these tokens.
      const warmInputs = c.prepare(warmTokens);
      for (const input of warmInputs) {
        const out = (await c.run(input)) as { policyDocument?: { Statement: { Effect: string }[] } };
        if (out?.policyDocument && out.policyDocument.Statement[0]!.Effect !== 'Allow') throw new Error(`${c.name} did not allow a valid token`);
      }
    }
    // An offer() to the cache means a miss: count them (none may happen) without touching the hit path.
    let misses = 0;
    for (const [c, authorizer] of [[hit, hitAuthorizer], [bareHit, bareHitAuthorizer]] as const) {
      const hot = c.prepare(warmTokens.slice(0, batch));
      for (const e of hot) await c.run(e);
      for (let i = 0; i < 3; i++) await timeBatch(c, hot, 0, batch);
      const cache = authorizer.tokenCache;
      const offer = cache.offer.bind(cache);
      cache.offer = (key, value) => (misses++, offer(key, value));
      inputs.set(c, hot);
    }

    const samples: Record<string, number[]> = {};
    const all = [...contenders, hit, bareHit];
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < all.length; k++) {
        const c = all[(k + r) % all.length]!;
        (samples[c.name] ??= []).push(await timeBatch(c, inputs.get(c)!, c === hit || c === bareHit ? 0 : r * batch, batch));
      }
    }
    if (misses > 0) throw new Error(`cache-hit run verified ${misses} tokens afresh`);
    perOp[alg] = samples;
  }
  report({ rounds, batch, perOp } satisfies WarmResult);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
