// Minimal jose 6 authorizer (Lambda entry), written the way jose's documentation suggests: discovery with
// fetch, createRemoteJWKSet for the keys, jwtVerify for the signature and claims.
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { allow, bearer } from './minimal';

const issuer = process.env.OIDC_ISSUER!;
const audience = process.env.OIDC_AUDIENCE!;
let jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

async function discover() {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  const { jwks_uri } = (await res.json()) as { jwks_uri: string };
  return createRemoteJWKSet(new URL(jwks_uri));
}

export async function handler(event: APIGatewayRequestAuthorizerEvent) {
  jwks ??= discover();
  const { payload } = await jwtVerify(bearer(event), await jwks, { issuer, audience, algorithms: ['RS256', 'ES256'] });
  return allow(payload.sub, event.methodArn);
}
