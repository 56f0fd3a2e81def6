// Minimal floor authorizer (Lambda entry). With BENCH_JWKS set its keys are "prefetched": imported at init
// from the environment, no network. Otherwise it does discovery + JWKS over node:http(s), loaded lazily.
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { allow, bearer } from './minimal';
import { floorVerify, importFloorKeys, type FloorKeys } from './floor-verify';

const issuer = process.env.OIDC_ISSUER!;
const audience = process.env.OIDC_AUDIENCE!;
let keys: Promise<FloorKeys> | undefined = process.env.BENCH_JWKS ? Promise.resolve(importFloorKeys(JSON.parse(process.env.BENCH_JWKS))) : undefined;

async function getJson(url: string): Promise<any> {
  // require, not import(): from CommonJS, import() first starts Node's ESM loader.
  const { get } = (url.startsWith('https:') ? require('node:https') : require('node:http')) as typeof import('node:https');
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function fetchKeys(): Promise<FloorKeys> {
  const discovery = await getJson(`${issuer}/.well-known/openid-configuration`);
  return importFloorKeys(await getJson(discovery.jwks_uri));
}

export async function handler(event: APIGatewayRequestAuthorizerEvent) {
  keys ??= fetchKeys();
  const claims = floorVerify(bearer(event), await keys, issuer, audience, Math.floor(Date.now() / 1000));
  return allow(claims.sub, event.methodArn);
}
