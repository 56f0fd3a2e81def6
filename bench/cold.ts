// Cold child: one fresh process, one authorizer bundle, one decision. Times the bundle's import and the
// first decision (from process start, so Node's own boot and everything after the import are in it, as
// they are in a Lambda cold start).
// Loads nothing before the bundle beyond what Node itself has loaded.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { authorizerEvent } from './lib/event';
import { report } from './lib/report';

export interface ColdResult {
  /** require() of the bundle, ms. */
  readonly importMs: number;
  /** Process start to the first decision returned, ms. */
  readonly firstDecisionMs: number;
  /** CPU (user + system) from process start to the first decision, ms. */
  readonly cpuMs: number;
}

async function main(): Promise<void> {
  const bundle = process.argv[2]!;
  const event = authorizerEvent(process.env.BENCH_TOKEN!);
  const t0 = performance.now();
  const mod = require(bundle) as { handler: (e: typeof event) => Promise<APIGatewayAuthorizerResult> };
  const t1 = performance.now();
  // Lambda's runtime fetches the first event from the Runtime API after the handler module has loaded, so
  // at least one turn of the event loop passes between init and the first call: work an authorizer starts
  // at init (a key prefetch) gets that head start, as on Lambda. The clock keeps running through it.
  await new Promise((resolve) => setImmediate(resolve));
  const result = await mod.handler(event);
  const t2 = performance.now();
  const cpu = process.cpuUsage();
  if (result.policyDocument.Statement[0]?.Effect !== 'Allow') throw new Error('first decision was not Allow');
  report({ importMs: t1 - t0, firstDecisionMs: t2, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies ColdResult);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
