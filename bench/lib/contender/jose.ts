// jose 6 jwtVerify, with a local JWKS (the usual way) or with keys imported beforehand.
import { createLocalJWKSet, importJWK, jwtVerify, type JWK } from 'jose';
import { tokensFromEvents, type MakeContender } from './types';

const algorithms = ['RS256', 'ES256'];

export const makeJoseLocal: MakeContender = async (fx) => {
  const jwks = createLocalJWKSet(fx.jwks);
  return { name: 'jose-local', sync: false, prepare: tokensFromEvents, run: (t) => jwtVerify(t as string, jwks, { issuer: fx.issuer, audience: fx.audience, algorithms }) };
};

export const makeJoseKey: MakeContender = async (fx) => {
  const keys = new Map<string, Awaited<ReturnType<typeof importJWK>>>();
  for (const jwk of fx.jwks.keys) keys.set(jwk.kid!, await importJWK(jwk as JWK));
  const resolve = (header: { kid?: string }) => keys.get(header.kid!)!;
  return { name: 'jose-key', sync: false, prepare: tokensFromEvents, run: (t) => jwtVerify(t as string, resolve, { issuer: fx.issuer, audience: fx.audience, algorithms }) };
};
