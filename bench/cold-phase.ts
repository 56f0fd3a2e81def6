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
  /** Ratios are taken against the floor with prefetched keys of the same block (same Node environment). */
  readonly block: 'http' | 'https';
  readonly script: string;
  readonly env: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** The floor variant making the same fetches over the same protocol in the same environment (issue 8 §3.4's denominator for ours over http). */
  readonly fetchingFloor?: string;
  /** Requests it makes to the issuer: discovery and JWKS, or JWKS alone. */
  readonly requests: { discovery: number; jwks: number };
}

/** The denominator of each block. */
export const FLOOR_PREFETCHED = { http: 'floor-prefetched', https: 'floor-prefetched-ca' } as const;

/**
 * Two blocks. http: a clean Node environment, as Lambda's Node.js 20+ runtimes start (no NODE_EXTRA_CA_CERTS).
 * https: the bench issuer's self-signed certificate is trusted through NODE_EXTRA_CA_CERTS, which makes Node
 * build its root certificate store at startup (~15 ms); a real issuer's publicly trusted certificate costs
 * the same store, built at the first handshake instead. Each block has its own floor with prefetched keys.
 * The https block repeats the http variants too: this machine's shell sets NODE_EXTRA_CA_CERTS, so figures
 * taken in a child that inherits it look like these (every process ~15-30 ms slower to start).
 */
export function coldVariants(bundles: Bundles, issuer: BenchIssuer, signer: Signer, jwks: unknown): ColdVariant[] {
  const token = (base: string) => signToken(signer, claimsFor(base, 0));
  const both = { discovery: 1, jwks: 1 };
  const none = { discovery: 0, jwks: 0 };
  const prefetched = { BENCH_JWKS: JSON.stringify(jwks) };
  const at = (base: string, extra: Record<string, string> = {}): Record<string, string> => ({ ...authorizerEnv(base), BENCH_TOKEN: token(base), ...extra });
  // The http rows of the https block use the same token as the http block: same issuer URL.
  const { floor, ours, jose } = bundles.authorizers;
  const variants: ColdVariant[] = [
    { id: FLOOR_PREFETCHED.http, block: 'http', label: 'floor, keys prefetched (in env, no network)', script: floor, env: at(issuer.http, prefetched), requests: none },
    { id: 'floor', block: 'http', label: 'floor, discovery + JWKS, http', script: floor, env: at(issuer.http), requests: both, fetchingFloor: 'floor' },
    { id: 'ours', block: 'http', label: 'ours, discovery + JWKS, http', script: ours, env: at(issuer.http), requests: both, fetchingFloor: 'floor' },
    { id: 'jose', block: 'http', label: 'jose 6, discovery + JWKS (fetch), http', script: jose, env: at(issuer.http), requests: both, fetchingFloor: 'floor' },
  ];
  if (issuer.https && issuer.caFile) {
    const https = issuer.https;
    const ca = { NODE_EXTRA_CA_CERTS: issuer.caFile };
    variants.push(
      { id: FLOOR_PREFETCHED.https, block: 'https', label: 'floor, keys prefetched (in env, no network)', script: floor, env: at(https, { ...ca, ...prefetched }), requests: none },
      { id: 'floor-http-ca', block: 'https', label: 'floor, discovery + JWKS, http', script: floor, env: at(issuer.http, ca), requests: both, fetchingFloor: 'floor-http-ca' },
      { id: 'ours-http-ca', block: 'https', label: 'ours, discovery + JWKS, http', script: ours, env: at(issuer.http, ca), requests: both, fetchingFloor: 'floor-http-ca' },
      { id: 'floor-https', block: 'https', label: 'floor, discovery + JWKS, https', script: floor, env: at(https, ca), requests: both, fetchingFloor: 'floor-https' },
      { id: 'ours-https', block: 'https', label: 'ours, discovery + JWKS, https', script: ours, env: at(https, ca), requests: both, fetchingFloor: 'floor-https' },
      {
        id: 'ours-https-deployed',
        block: 'https',
        label: 'ours, https, as deployed (source map, --enable-source-maps)',
        script: bundles.oursWithSourceMap,
        env: at(https, ca),
        nodeArgs: ['--enable-source-maps'],
        requests: both,
        fetchingFloor: 'floor-https',
      },
      {
        id: 'aws-jwt-verify-https',
        block: 'https',
        label: 'aws-jwt-verify 5, JWKS only (no discovery), https',
        script: bundles.authorizers['aws-jwt-verify'],
        env: at(https, ca),
        requests: { discovery: 0, jwks: 1 },
      },
      { id: 'jose-https', block: 'https', label: 'jose 6, discovery + JWKS (fetch), https', script: jose, env: at(https, ca), requests: both, fetchingFloor: 'floor-https' },
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
