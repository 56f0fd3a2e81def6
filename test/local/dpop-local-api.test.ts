// DPoP (RFC 9449) end to end through `npm start`'s pieces: the real app synthesized with -c senderConstraint=allowed,
// served by the emulator with its local DynamoDB (dynalite) as the replay store; tokens bound by a real issuer
// that binds them (oidc-provider's features.dPoP) and proofs made by panva's dpop package, neither written here.
import * as path from 'node:path';
import { generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { decodeJwt } from 'jose';
import { banner } from '../../local/cli/banner';
import { startLocalApi, type LocalApi } from '../../local/server';
import { synthesize } from '../../local/template/synth';
import { makeKey } from '../helpers/keys';
import { startProvider, type RealProvider } from '../helpers/oidc-provider';
import { request } from './support/http';
import { collectLogs, type Logs } from './support/logs';
import { tempDir } from './support/temp-dir';

const ROOT = path.resolve(__dirname, '..', '..');
const API = 'https://api.example.com';
const dir = tempDir('local-dpop');
let provider: RealProvider;
let api: LocalApi;
let logs: Logs;
let client: KeyPair;
/** A DPoP-bound token for `client`'s key, and a plain one, from the same issuer. */
let bound: string;
let plain: string;

beforeAll(async () => {
  const [key, clientKey] = await Promise.all([makeKey('ES256', 'provider-key'), generateKeyPair('ES256')]);
  client = clientKey;
  provider = await startProvider({ keys: [key], resources: { [API]: { scope: 'profile', alg: 'ES256' } }, accounts: {}, senderConstrained: true });
  const dpop = (url: string, method: string) => generateProof(client, url, method);
  [bound, plain] = await Promise.all([provider.clientCredentials({ resource: API, scope: 'profile', dpop }), provider.clientCredentials({ resource: API, scope: 'profile' })]);
  // Client-credentials tokens carry no openid scope: the global requirement is dropped, /profile's own stays.
  await synthesize({ projectDir: ROOT, outDir: path.join(dir.path, 'cdk.out'), context: { issuer: provider.issuer, audience: API, requiredScopes: '', senderConstraint: 'allowed' } });
  logs = collectLogs();
  api = await startLocalApi({ assemblyDir: path.join(dir.path, 'cdk.out'), port: 0, logRequest: logs.logRequest, logLambda: logs.logLambda });
}, 90_000);
afterAll(async () => {
  if (process.env.SHOW_LOCAL_LOGS) console.log([...logs.requests, ...logs.lambda].join('\n'));
  await api?.close();
  await provider?.close();
  dir.remove();
});

const url = (p: string) => `${api.url}${p}`;
const proof = (method: string, p: string, token = bound) => generateProof(client, url(p), method, undefined, token);
const withDpop = (p: string, token: string, dpopProof: string) => request(api.url, p, { headers: { Authorization: `DPoP ${token}`, DPoP: dpopProof } });

describe('served with a replay store', () => {
  test('the template’s replay table is created on a local DynamoDB; /profile is behind an uncached authorizer without identity sources', () => {
    expect(api.dynamo?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.model.tables).toEqual([expect.objectContaining({ keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] })]);
    const profile = api.model.methods.find((m) => m.resourcePath === '/profile')!;
    expect(api.model.authorizers.get(profile.authorizerId!)).toMatchObject({ identitySources: [], ttlSeconds: 0 });
    const authorizer = api.model.functions.get(api.model.authorizers.get(profile.authorizerId!)!.functionId)!;
    expect(authorizer.environment.OIDC_DPOP_REPLAY_TABLE).toBe(api.model.tables[0]!.tableName);
  });

  test('the banner says how to call it with DPoP', () => {
    const text = banner({ model: api.model, apiUrl: api.url, assemblyNote: '', lambdaNodes: api.lambdaNodes, issuer: 'http://127.0.0.1:1', audience: 'a', devIssuer: true });
    expect(text).toContain(`curl -H "Authorization: DPoP $TOKEN" -H "DPoP: $(npm run -s dpop -- GET ${url('/profile')})" ${url('/profile')}`);
  });
});

describe('a DPoP-bound token from a real issuer, with proofs made by the dpop package', () => {
  test('the token is bound: oidc-provider put the thumbprint of the client’s key in cnf.jkt', () => {
    expect(decodeJwt(bound).cnf).toEqual({ jkt: expect.stringMatching(/^[\w-]{43}$/) });
    expect(decodeJwt(plain).cnf).toBeUndefined();
  });

  test('reads /profile with a proof for GET and the URL it calls: 200, each request checked by the authorizer', async () => {
    const res = await withDpop('/profile', bound, await proof('GET', '/profile'));
    expect(res.status).toBe(200);
    expect(res.json().user.sub).toBe(decodeJwt(bound).sub);
    expect(logs.lastAuthorizer()).toBe('invoked');
    expect((await withDpop('/profile', bound, await proof('GET', '/profile'))).status).toBe(200);
    expect(logs.lastAuthorizer()).toBe('invoked');
  });

  test('reads the optional homepage as itself too', async () => {
    const res = await withDpop('/', bound, await proof('GET', '/'));
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ anonymous: false });
  });

  test('the same request sent twice: the second is refused (the proof was used), with the DPoP challenge', async () => {
    const once = await proof('GET', '/profile');
    expect((await withDpop('/profile', bound, once)).status).toBe(200);
    const again = await withDpop('/profile', bound, once);
    expect(again.status).toBe(401);
    expect(again.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+", DPoP realm="[^"]+", algs="[A-Za-z0-9 ]+"$/);
    expect(logs.lambda.some((l) => l.includes('"reason":"DPOP_REPLAY"'))).toBe(true);
  });

  test('the same proof sent twice at once reaches two sandboxes (containers): the shared table lets exactly one through', async () => {
    const once = await proof('GET', '/profile');
    const answers = await Promise.all([withDpop('/profile', bound, once), withDpop('/profile', bound, once)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
  });

  test('a proof for another URL or method is refused', async () => {
    expect((await withDpop('/profile', bound, await proof('GET', '/'))).status).toBe(401);
    expect((await withDpop('/profile', bound, await proof('POST', '/profile'))).status).toBe(401);
  });

  test('the bound token sent as a bearer token is refused; a plain bearer token is still accepted (allowed)', async () => {
    expect((await request(api.url, '/profile', { headers: { Authorization: `Bearer ${bound}` } })).status).toBe(401);
    expect((await request(api.url, '/profile', { headers: { Authorization: `Bearer ${plain}` } })).status).toBe(200);
  });
});

describe('the replay store down', () => {
  test('a valid proof gets 503 with Retry-After, never an allow', async () => {
    await api.dynamo!.close();
    const res = await withDpop('/profile', bound, await proof('GET', '/profile'));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(logs.lambda.some((l) => l.includes('"reason":"REPLAY_STORE_UNAVAILABLE"'))).toBe(true);
  });
});
