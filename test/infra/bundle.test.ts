// Synthesizes WITH bundling (real esbuild) and runs the bundled Lambdas as Lambda would: each in its own
// Node process with only the environment the template gives it. The issuer is a loopback server this test
// starts, with a key generated here; nothing leaves the machine.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { readConfig } from '../../infra/config';
import type { NodeFunction } from '../../infra/constructs/node-function';
import { OidcApiStack } from '../../infra/oidc-api-stack';
import { routeConstructId } from '../../infra/route-table';
import { ROUTES, type RouteDeclaration } from '../../infra/routes';
import { ANONYMOUS, proxyEvent } from '../helpers/proxy-events';
import { appWith } from './synth';

interface FunctionAsset {
  readonly dir: string;
  readonly env: Record<string, string>;
}

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const API = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef123/prod';
const AUDIENCE = 'api';

let server: Server;
let issuer: string;
let outdir: string;
let synthMs: number;
let signingKey: SigningKey;
let kid: string;
const assets = new Map<string, FunctionAsset>();

beforeAll(async () => {
  const keys = await generateKeyPair('ES256');
  signingKey = keys.privateKey;
  kid = `test-${Date.now()}`;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid, alg: 'ES256', use: 'sig' };

  server = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/jwks` } : req.url === '/jwks' ? { keys: [jwk] } : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  outdir = mkdtempSync(path.join(tmpdir(), 'oidc-bundle-'));
  const started = performance.now();
  const app = appWith({ issuer, audience: AUDIENCE }, { bundle: true, outdir });
  // Assets are bundled as the stack is built.
  const stack = quietly(() => new OidcApiStack(app, 'OidcApi', { config: readConfig(app.node) }));
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties: { Code: { S3Key: string }; Environment: { Variables: Record<string, string> } } }>;
  };
  synthMs = performance.now() - started;

  const byLogicalId = new Map(Object.entries(template.Resources));
  const assetOf = (fn: { node: { defaultChild?: unknown } }): FunctionAsset => {
    const props = byLogicalId.get(stack.getLogicalId(fn.node.defaultChild as never))!.Properties;
    // The S3 key is `<asset hash>.zip`; the cloud assembly stages the same asset as `asset.<hash>/`.
    return { dir: path.join(outdir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`), env: props.Environment?.Variables ?? {} };
  };
  assets.set('authorizer', assetOf(stack.authorizer.function));
  for (const route of ROUTES) assets.set(route.handler, assetOf((stack.node.findChild(`${routeConstructId(route)}Handler`) as NodeFunction).function));
}, 60_000);

/** Runs `fn` without CDK's unconditional `Bundling asset …` lines on stderr; anything else still shows. */
function quietly<T>(fn: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: never[]) =>
    typeof chunk === 'string' && chunk.startsWith('Bundling asset ') ? true : write.call(process.stderr, chunk as string, ...rest)) as typeof write;
  try {
    return fn();
  } finally {
    process.stderr.write = write;
  }
}

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

// Loads the bundle, invokes `handler` once per event in order (the first call is the cold start), and
// writes each result or error message to a file, since the handler's own logs go to stdout.
const RUNNER = `
const [entry, eventsFile, resultsFile] = process.argv.slice(1);
const fs = require('node:fs');
(async () => {
  const { handler } = require(entry);
  const out = [];
  for (const event of JSON.parse(fs.readFileSync(eventsFile, 'utf8'))) {
    try { out.push({ result: await handler(event, { awsRequestId: 'bundle-test' }) }); }
    catch (e) { out.push({ error: e.message }); }
  }
  fs.writeFileSync(resultsFile, JSON.stringify(out));
})();
`;

type Outcome<T> = { result: T; error?: undefined } | { result?: undefined; error: string };

async function invoke<T>(name: string, events: readonly unknown[]): Promise<Outcome<T>[]> {
  const asset = assets.get(name)!;
  const eventsFile = path.join(outdir, `${name}-events.json`);
  const resultsFile = path.join(outdir, `${name}-results.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  // Asynchronous on purpose: the issuer server lives in this process and must keep answering.
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['-e', RUNNER, path.join(asset.dir, 'index.js'), eventsFile, resultsFile],
      { env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...asset.env }, timeout: 20_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(`${name} bundle failed: ${error.message}\n${stderr}`)) : resolve()),
    ),
  );
  return JSON.parse(readFileSync(resultsFile, 'utf8'));
}

function authorizerEvent(route: Pick<RouteDeclaration, 'method' | 'path'>, authorization?: string) {
  const headers: Record<string, string> = { Host: 'abcdef123.execute-api.eu-west-1.amazonaws.com', 'User-Agent': 'bundle-test' };
  if (authorization) headers.Authorization = authorization;
  return {
    type: 'REQUEST',
    methodArn: `${API}/${route.method}${route.path}`,
    resource: route.path,
    path: route.path,
    httpMethod: route.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef123',
      stage: 'prod',
      httpMethod: route.method,
      resourcePath: route.path,
      path: `/prod${route.path}`,
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      identity: { sourceIp: '203.0.113.7', userAgent: 'bundle-test' },
    },
  };
}

function token({ key = signingKey, audience = AUDIENCE }: { key?: SigningKey; audience?: string } = {}) {
  return new SignJWT({ scope: 'openid profile', email: 'ada@example.com' })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('user-123')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);
}

const allowed = (r: APIGatewayAuthorizerResult) => {
  const [statement] = r.policyDocument.Statement as { Effect: string; Resource: string | string[] }[];
  return { effect: statement!.Effect, resources: [statement!.Resource].flat().sort() };
};

test('synthesis with bundling stays quick', () => {
  // Reported with SHOW_TIMINGS=1, not a gate on an absolute time beyond a generous ceiling.
  if (process.env.SHOW_TIMINGS) console.info(`synth with esbuild bundling of ${assets.size} functions: ${Math.round(synthMs)} ms`);
  expect(synthMs).toBeLessThan(30_000);
});

test('each function asset holds index.js and its source map', () => {
  expect([...assets.keys()].sort()).toEqual(['authorizer', ...ROUTES.map((r) => r.handler)].sort());
  for (const { dir } of assets.values()) {
    expect(existsSync(path.join(dir, 'index.js'))).toBe(true);
    expect(existsSync(path.join(dir, 'index.js.map'))).toBe(true);
    expect(readFileSync(path.join(dir, 'index.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
  }
});

test('the bundled authorizer carries jose and verifies with it, not with node:crypto', () => {
  const code = readFileSync(path.join(assets.get('authorizer')!.dir, 'index.js'), 'utf8');
  // jose's own error codes and its WebCrypto verify call are in the bundle...
  for (const joseCode of ['ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWKS_NO_MATCHING_KEY']) expect(code).toContain(joseCode);
  expect(code).toMatch(/crypto\.subtle\.verify\(/);
  // ...and no hand-written verification or key import through node:crypto is.
  expect(code).not.toMatch(/createPublicKey|\.verify\(\s*"sha/);
});

test('the bundled authorizer leaves the DynamoDB client to the Lambda runtime, and requires it only for a proof', () => {
  const code = readFileSync(path.join(assets.get('authorizer')!.dir, 'index.js'), 'utf8');
  // External (the runtime provides it), required inside the replay store's first write, not at load: the
  // bearer decisions below run with no @aws-sdk to be found.
  expect(code).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
  expect(code).not.toContain('ConditionalCheckFailedException extends');
  // Not to be found from the asset, as in a runtime without it: the bearer decisions below would fail had it
  // been required at load.
  expect(() => require.resolve('@aws-sdk/client-dynamodb', { paths: [assets.get('authorizer')!.dir] })).toThrow();
});

test('the bundled authorizer, with the template’s environment, decides as the contract says', async () => {
  const good = `Bearer ${await token()}`;
  const otherKey = (await generateKeyPair('ES256')).privateKey;
  const [home, profile] = ROUTES;
  const outcomes = await invoke<APIGatewayAuthorizerResult>('authorizer', [
    authorizerEvent(home!, good),
    authorizerEvent(profile!, good),
    authorizerEvent(home!),
    authorizerEvent(profile!),
    authorizerEvent(profile!, `Bearer ${await token({ key: otherKey })}`),
    authorizerEvent(profile!, `Bearer ${await token({ audience: 'someone-else' })}`),
  ]);
  const [forHome, forProfile, anonymous, missing, badSignature, wrongAudience] = outcomes;

  for (const outcome of [forHome!, forProfile!]) {
    expect(outcome.error).toBeUndefined();
    expect(outcome.result!.principalId).toBe('user-123');
    expect(allowed(outcome.result!)).toEqual({ effect: 'Allow', resources: [`${API}/GET/`, `${API}/GET/profile`, `${API}/GET/profile/`] });
    expect(outcome.result!.context).toMatchObject({ username: 'ada@example.com', sub: 'user-123', anonymous: false });
    expect(String(outcome.result!.context!.scopes).split(' ')).toEqual(expect.arrayContaining(['openid', 'profile']));
  }
  expect(anonymous!.result).toMatchObject({ principalId: 'anonymous', context: { anonymous: true } });
  expect(allowed(anonymous!.result!)).toEqual({ effect: 'Allow', resources: [`${API}/GET/`] });
  for (const refused of [missing!, badSignature!, wrongAudience!]) expect(refused).toEqual({ error: 'Unauthorized' });
});

test('the bundled profile handler answers with the user from the authorizer’s context', async () => {
  const [decision] = await invoke<APIGatewayAuthorizerResult>('authorizer', [authorizerEvent(ROUTES[1]!, `Bearer ${await token()}`)]);
  // What API Gateway hands a proxy integration: principalId plus every context value as a string.
  const authorizer = { principalId: decision!.result!.principalId, ...Object.fromEntries(Object.entries(decision!.result!.context!).map(([k, v]) => [k, String(v)])) };
  const [ok, anonymous] = await invoke<APIGatewayProxyResult>('profile', [proxyEvent('/profile', authorizer), proxyEvent('/profile', ANONYMOUS)]);

  expect(ok!.result!.statusCode).toBe(200);
  expect(JSON.parse(ok!.result!.body)).toMatchObject({ user: { username: 'ada@example.com', sub: 'user-123' } });
  // The handler re-checks its route's requirement (ROUTE_AUTH from the template), so anonymous is refused.
  expect(anonymous!.result!.statusCode).toBe(401);
});
