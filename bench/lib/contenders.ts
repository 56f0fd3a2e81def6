// The verifiers compared warm, each built once with its keys already in hand (no network):
// the floor, our whole handler (event in, policy out, logging on), jose jwtVerify two ways, aws-jwt-verify.
import { openSync, writeSync } from 'node:fs';
import { JwtVerifier } from 'aws-jwt-verify';
import { createLocalJWKSet, importJWK, jwtVerify, type JWK } from 'jose';
import { readConfig } from '../../lambda/authorizer/config';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import { jsonLogger } from '../../lambda/authorizer/log';
import { floorVerify, importFloorKeys } from '../contenders/floor-verify';
import { authorizerEnv, type Fixtures } from './fixtures';
import { authorizerEvent } from './event';

export type ContenderName = 'floor' | 'ours' | 'jose-local' | 'jose-key' | 'aws-jwt-verify';

export interface Contender {
  readonly name: ContenderName;
  /** Turns tokens into what `run` takes (events for our handler); not timed. */
  prepare(tokens: readonly string[]): unknown[];
  /** True when `run` returns a value rather than a promise (the floor): it is then not awaited. */
  readonly sync: boolean;
  run(input: unknown): unknown;
}

/** Where our handler's log lines go: a /dev/null fd written synchronously, as Lambda's stdout pipe is. */
export const LOG_SINK = 'fs.writeSync to /dev/null';

export const ALL: readonly ContenderName[] = ['floor', 'ours', 'jose-local', 'jose-key', 'aws-jwt-verify'];

const nowSeconds = () => Math.floor(Date.now() / 1000);
const identity = (tokens: readonly string[]) => [...tokens];

/** Ours, as index.ts builds it, but with the issuer's documents handed over in-process. */
export function makeOurs(fx: Fixtures, env: Record<string, string> = {}) {
  const fd = openSync('/dev/null', 'w');
  const docs: Record<string, unknown> = {
    [`${fx.issuer}/.well-known/openid-configuration`]: { issuer: fx.issuer, jwks_uri: `${fx.issuer}/jwks` },
    [`${fx.issuer}/jwks`]: fx.jwks,
  };
  return createAuthorizer(readConfig(authorizerEnv(fx.issuer, env)), {
    fetchJson: async (url) => structuredClone(docs[url]),
    logger: jsonLogger((line) => writeSync(fd, line)),
  });
}

export async function makeContender(name: ContenderName, fx: Fixtures): Promise<Contender> {
  const { issuer, audience } = fx;
  const algorithms = ['RS256', 'ES256'];
  switch (name) {
    case 'floor': {
      const keys = importFloorKeys(fx.jwks);
      return { name, sync: true, prepare: identity, run: (t) => floorVerify(t as string, keys, issuer, audience, nowSeconds()) };
    }
    case 'ours': {
      const { handler } = makeOurs(fx);
      return { name, sync: false, prepare: (tokens) => tokens.map(authorizerEvent), run: (e) => handler(e as ReturnType<typeof authorizerEvent>) };
    }
    case 'jose-local': {
      const jwks = createLocalJWKSet(fx.jwks);
      return { name, sync: false, prepare: identity, run: (t) => jwtVerify(t as string, jwks, { issuer, audience, algorithms }) };
    }
    case 'jose-key': {
      const keys = new Map<string, Awaited<ReturnType<typeof importJWK>>>();
      for (const jwk of fx.jwks.keys) keys.set(jwk.kid!, await importJWK(jwk as JWK));
      const resolve = (header: { kid?: string }) => keys.get(header.kid!)!;
      return { name, sync: false, prepare: identity, run: (t) => jwtVerify(t as string, resolve, { issuer, audience, algorithms }) };
    }
    case 'aws-jwt-verify': {
      const verifier = JwtVerifier.create({ issuer, audience, jwksUri: `${issuer}/jwks` });
      verifier.cacheJwks(fx.jwks as Parameters<typeof verifier.cacheJwks>[0]);
      return { name, sync: false, prepare: identity, run: (t) => verifier.verify(t as string) };
    }
  }
}
