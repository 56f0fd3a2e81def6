// aws-jwt-verify 5 JwtVerifier with its JWKS cache filled beforehand.
import { JwtVerifier } from 'aws-jwt-verify';
import { tokensFromEvents, type MakeContender } from './types';

export const makeAwsJwtVerify: MakeContender = async (fx) => {
  const verifier = JwtVerifier.create({ issuer: fx.issuer, audience: fx.audience, jwksUri: `${fx.issuer}/jwks` });
  verifier.cacheJwks(fx.jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return { name: 'aws-jwt-verify', sync: false, prepare: tokensFromEvents, run: (t) => verifier.verify(t as string) };
};
