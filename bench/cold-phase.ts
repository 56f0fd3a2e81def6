// Cold starts: fresh `node` processes, each importing one authorizer bundle and making one decision against
// the loopback issuer. Every iteration runs every variant once, in rotating order, so ratios are paired.
import type { Bundles } from './build';
import type { ColdResult } from './cold';
import { runChild } from './lib/child';
import { authorizerEnv, claimsFor, signToken, type Signer } from './lib/fixtures';
import type { BenchIssuer } from './lib/issuer';

export interface ColdVariant {
  readonly id: string;
  readonly label: string;
  readonly script: string;
  readonly env: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** Requests it makes to the issuer: discovery and JWKS, or JWKS alone. */
  readonly requests: { discovery: number; jwks: number };
}

export const FLOOR_PREFETCHED = 'floor-prefetched';

export function coldVariants(bundles: Bundles, issuer: BenchIssuer, signer: Signer, jwks: unknown): ColdVariant[] {
  const token = (base: string) => signToken(signer, claimsFor(base, 0));
  const both = { discovery: 1, jwks: 1 };
  const ca: Record<string, string> = issuer.caFile ? { NODE_EXTRA_CA_CERTS: issuer.caFile } : {};
  const at = (base: string, extra: Record<string, string> = {}): Record<string, string> => ({ ...authorizerEnv(base), BENCH_TOKEN: token(base), ...ca, ...extra });
  const { floor, ours, jose } = bundles.authorizers;
  const variants: ColdVariant[] = [
    { id: FLOOR_PREFETCHED, label: 'floor, keys prefetched (in env, no network)', script: floor, env: at(issuer.http, { BENCH_JWKS: JSON.stringify(jwks) }), requests: { discovery: 0, jwks: 0 } },
    { id: 'floor', label: 'floor, discovery + JWKS, http', script: floor, env: at(issuer.http), requests: both },
    { id: 'ours', label: 'ours, discovery + JWKS, http', script: ours, env: at(issuer.http), requests: both },
    { id: 'jose', label: 'jose 6, discovery + JWKS (fetch), http', script: jose, env: at(issuer.http), requests: both },
  ];
  if (issuer.https) {
    const https = issuer.https;
    variants.push(
      { id: 'floor-https', label: 'floor, discovery + JWKS, https', script: floor, env: at(https), requests: both },
      { id: 'ours-https', label: 'ours, discovery + JWKS, https', script: ours, env: at(https), requests: both },
      {
        id: 'ours-https-deployed',
        label: 'ours, https, as deployed (source map, --enable-source-maps)',
        script: bundles.oursWithSourceMap,
        env: at(https),
        nodeArgs: ['--enable-source-maps'],
        requests: both,
      },
      { id: 'aws-jwt-verify-https', label: 'aws-jwt-verify 5, JWKS only (no discovery), https', script: bundles.authorizers['aws-jwt-verify'], env: at(https), requests: { discovery: 0, jwks: 1 } },
      { id: 'jose-https', label: 'jose 6, discovery + JWKS (fetch), https', script: jose, env: at(https), requests: both },
    );
  }
  return variants;
}

export async function runCold(coldScript: string, variants: readonly ColdVariant[], processes: number, issuer: BenchIssuer): Promise<Record<string, ColdResult[]>> {
  const results: Record<string, ColdResult[]> = Object.fromEntries(variants.map((v) => [v.id, []]));
  const before = { ...issuer.hits };
  for (let i = 0; i < processes; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + i) % variants.length]!;
      results[v.id]!.push(await runChild<ColdResult>(coldScript, [v.script], { env: v.env, nodeArgs: v.nodeArgs, timeoutMs: 30_000 }));
    }
  }
  // Every process really fetched what it says it fetched.
  for (const key of ['discovery', 'jwks'] as const) {
    const expected = processes * variants.reduce((n, v) => n + v.requests[key], 0);
    if (issuer.hits[key] - before[key] !== expected) throw new Error(`issuer saw ${issuer.hits[key] - before[key]} ${key} requests, expected ${expected}`);
  }
  return results;
}
