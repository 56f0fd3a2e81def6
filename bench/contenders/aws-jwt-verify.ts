// Minimal aws-jwt-verify 5 authorizer (Lambda entry). It has no discovery: the JWKS URI defaults to
// <issuer>/.well-known/jwks.json, which the bench issuer serves. It fetches over node:https only.
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import { allow, bearer } from './minimal';

const verifier = JwtVerifier.create({ issuer: process.env.OIDC_ISSUER!, audience: process.env.OIDC_AUDIENCE! });

export async function handler(event: APIGatewayRequestAuthorizerEvent) {
  const payload = await verifier.verify(bearer(event));
  return allow(payload.sub, event.methodArn);
}
