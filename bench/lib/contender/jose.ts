// jose 6 jwtVerify, with a local JWKS (the usual way) or with keys imported beforehand; and jose inside the
// least a Lambda authorizer does around it, for scale.
import { openSync, writeSync } from 'node:fs';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createLocalJWKSet, importJWK, jwtVerify, type JWK } from 'jose';
import { allow, bearer } from '../../contenders/minimal';
import { authorizerEvent } from '../event';
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

/**
 * jose's jwtVerify with a local key set, wrapped in what any Lambda authorizer does around it: the token out of
 * the event, an Allow policy for the methodArn, and one JSON decision line on the sink our handler logs to.
 * No cache, no route table, no claim rules: the distance from jose-local to this is what an authorizer costs
 * at all, and from this to ours what our features cost.
 */
export const makeJoseAuthorizer: MakeContender = async (fx) => {
  const jwks = createLocalJWKSet(fx.jwks);
  const fd = openSync('/dev/null', 'w');
  const run = async (e: unknown) => {
    const event = e as APIGatewayRequestAuthorizerEvent;
    const started = Date.now();
    const { payload } = await jwtVerify(bearer(event), jwks, { issuer: fx.issuer, audience: fx.audience, algorithms });
    const line = { timestamp: new Date().toISOString(), level: 'INFO', message: 'allow', route: `${event.httpMethod} ${event.resource}`, sub: payload.sub, ms: Date.now() - started };
    writeSync(fd, `${JSON.stringify(line)}\n`);
    return allow(payload.sub, event.methodArn);
  };
  return { name: 'jose-authorizer', sync: false, prepare: (tokens) => tokens.map(authorizerEvent), run };
};
