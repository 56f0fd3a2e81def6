// `npm start`'s pieces on the real stack: the CDK app synthesized by the real `cdk synth` into a temp dir
// (bundling the real authorizer, homepage and profile), the embedded dev issuer, and the local API
// serving that assembly over HTTP — what would deploy is what is tested.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { startDevIssuer, type DevIssuer } from '../../local/dev-issuer/issuer';
import { writeState } from '../../local/dev-issuer/state';
import { startLocalApi, type LocalApi } from '../../local/server';
import { synthesize } from '../../local/template/synth';
import { request } from './support/http';
import { collectLogs, type Logs } from './support/logs';
import { tempDir } from './support/temp-dir';
import { oidcSettings } from '../../local/template/oidc-settings';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = tempDir('local-stack');
const assembly = path.join(dir.path, 'cdk.out');
let issuer: DevIssuer;
let api: LocalApi;
let logs: Logs;
/** What `npm start -- --metrics` prints: the authorizer's EMF lines, summed up. */
const metricLines: string[] = [];
let now = Date.now();

beforeAll(async () => {
  issuer = await startDevIssuer({ port: 0 });
  await synthesize({ projectDir: ROOT, outDir: assembly, context: { issuer: issuer.issuer, audience: issuer.audience, contextClaims: 'tenant_id cognito:groups /realm_access/roles' } });
  logs = collectLogs();
  api = await startLocalApi({ assemblyDir: assembly, port: 0, now: () => now, logRequest: logs.logRequest, logLambda: logs.logLambda, logMetrics: (_fn, line) => metricLines.push(line) });
}, 60000);
afterAll(async () => {
  if (process.env.SHOW_LOCAL_LOGS) console.log([...logs.requests, ...logs.lambda].join('\n'));
  await api?.close();
  await issuer?.close();
  dir.remove();
});

const get = (p: string, token?: string) => request(api.url, p, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });

describe('the real stack, served locally', () => {
  test('the template is read, not re-declared: two routes, two authorizers on one function', () => {
    expect(api.model.methods.map((m) => `${m.httpMethod} ${m.resourcePath}`).sort()).toEqual(['GET /', 'GET /profile']);
    const authorizers = [...api.model.authorizers.values()];
    expect(authorizers.map((a) => [a.identitySources.map((s) => s.expression), a.ttlSeconds]).sort()).toEqual([
      [[], 0],
      [['method.request.header.Authorization'], 300],
    ]);
    expect(new Set(authorizers.map((a) => a.functionId)).size).toBe(1);
    // The issuer is in the settings the construct staged beside the bundle, as the function reads them.
    expect(oidcSettings(api.model.functions.get(authorizers[0]!.functionId)!).OIDC_ISSUER).toBe(issuer.issuer);
  });

  test('every function is declared nodejs24.x, and its code runs on Node 24', () => {
    expect([...api.lambdaNodes.keys()]).toEqual(['nodejs24.x']);
    expect(api.lambdaNodes.get('nodejs24.x')).toMatchObject({ matches: true, version: expect.stringMatching(/^24\./) });
  });

  test('the homepage answers anonymous callers', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ anonymous: true });
  });

  test('a token with the profile scope reads /profile, which names the user', async () => {
    const token = await issuer.issueToken({ scope: 'openid profile', email: 'alice@example.com' });
    const res = await get('/profile', token);
    expect(res.status).toBe(200);
    expect(res.json().user.username).toBe('alice@example.com');
    expect((await get('/', token)).json()).toMatchObject({ anonymous: false, username: 'alice@example.com' });
  });

  test('a trailing slash reaches /profile with a valid token; a doubled slash is named by no policy (403)', async () => {
    const token = await issuer.issueToken({ scope: 'openid profile', email: 'trailing@example.com' });
    const trailing = await get('/profile/', token);
    expect(trailing.status).toBe(200);
    expect(trailing.json().user.username).toBe('trailing@example.com');
    expect((await get('/profile', token)).status).toBe(200); // the same cached policy, the other spelling
    expect((await get('//profile', token)).status).toBe(403);
  });

  test('claims handed on reach the profile Lambda typed, through the synthesized stack and the emulator', async () => {
    const claims = { tenant_id: 'acme', 'cognito:groups': ['admins', 'staff'], realm_access: { roles: ['manager'] }, other: 'not handed on' };
    const res = await get('/profile', await issuer.issueToken({ scope: 'openid profile', claims }));
    expect(res.status).toBe(200);
    expect(res.json().auth).toMatchObject({
      issuer: issuer.issuer,
      claims: { tenant_id: 'acme', 'cognito:groups': ['admins', 'staff'], '/realm_access/roles': ['manager'] },
    });
    expect(res.json().auth.claims.other).toBeUndefined();
  });

  test('a token without the profile scope gets 403 insufficient_scope on /profile', async () => {
    const res = await get('/profile', await issuer.issueToken({ scope: 'openid' }));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer (realm="[^"]*", )?error="insufficient_scope", error_description="[^"]+"$/);
  });

  test('a token without the required openid scope gets 403 insufficient_scope everywhere, the homepage too', async () => {
    const t = await issuer.issueToken({ scope: 'profile' });
    for (const p of ['/profile', '/']) {
      const res = await get(p, t);
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer error="insufficient_scope", error_description="[^"]+"$/);
    }
    expect(logs.lambda.filter((l) => l.includes('"reason":"SCOPE_MISSING"') && l.includes('"missingScope":"openid"')).length).toBeGreaterThan(0);
  });

  test.each([
    ['a malformed token', async () => 'not-a-jwt'],
    ['an expired token', () => issuer.issueToken({ expiresInSeconds: -600 })],
    ['a token for another audience', () => issuer.issueToken({ audience: 'someone-else' })],
  ])('%s gets 401 invalid_token', async (_name, make) => {
    const res = await get('/profile', await make());
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer (realm="[^"]*", )?error="invalid_token", error_description="[^"]+"$/);
    expect(logs.lastAuthorizer()).toBe('invoked');
  });

  test('a refusal’s reason count goes up in the metrics line (--metrics); no EMF line reaches the Lambda log', async () => {
    const expired = () => metricLines.filter((l) => l.includes('Deny{reason=EXPIRED}'));
    // The worker's stdout arrives on its own stream, after the answer may have: earlier requests' lines settle first.
    const settle = async (done: () => boolean) => {
      for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await settle(() => expired().length > 0);
    const before = expired().length;
    expect((await get('/profile', await issuer.issueToken({ expiresInSeconds: -600 }))).status).toBe(401);
    await settle(() => expired().length > before);
    expect(expired().slice(before)).toEqual([expect.stringMatching(/^metrics: Deny\{reason=EXPIRED\}=1 TokenCacheMiss=1 VerificationTime=[\d.]+ms$/)]);
    expect(logs.lambda.filter((l) => l.includes('"_aws"'))).toEqual([]);
    // The decision's own log line is still there, with the same reason.
    expect(logs.lambda.filter((l) => l.includes('"reason":"EXPIRED"')).length).toBeGreaterThan(0);
  });

  test('no token on /profile is 401 without invoking the authorizer', async () => {
    const res = await get('/profile');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect(logs.lastAuthorizer()).toBe('skipped');
  });

  test("a token's decision is cached for the authorizer's TTL (300 s)", async () => {
    const token = await issuer.issueToken({ scope: 'openid profile', email: 'cache@example.com' });
    await get('/profile', token);
    expect(logs.lastAuthorizer()).toBe('invoked');
    await get('/profile', token);
    expect(logs.lastAuthorizer()).toBe('cached');
    now += 301_000;
    expect((await get('/profile', token)).status).toBe(200);
    expect(logs.lastAuthorizer()).toBe('invoked');
  });

  test("the request log tells API Gateway's result cache from the authorizer's own verified-token cache", async () => {
    const token = await issuer.issueToken({ scope: 'openid profile', email: 'token-cache@example.com' });
    // GET / has no identity source, so API Gateway never caches: the authorizer runs every time, and the
    // second time it answers from its verified-token cache.
    await get('/', token);
    expect(logs.requests.at(-1)).toMatch(/^GET \/ 200 authorizer=invoked \d+ms$/);
    await get('/', token);
    expect(logs.requests.at(-1)).toMatch(/^GET \/ 200 authorizer=invoked token-cache=hit \d+ms$/);
    await get('/profile', token); // a new API Gateway cache key; the token is still in the authorizer's cache
    expect(logs.requests.at(-1)).toMatch(/^GET \/profile 200 authorizer=invoked token-cache=hit \d+ms$/);
    await get('/profile', token);
    expect(logs.requests.at(-1)).toMatch(/^GET \/profile 200 authorizer=cached \d+ms$/);
  });

  test('after a key rotation at the issuer, tokens signed with the new key are accepted', async () => {
    const before = await issuer.issueToken();
    const kid = await issuer.rotate();
    const after = await issuer.issueToken({ email: 'rotated@example.com' });
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(kid);
    const res = await get('/profile', after);
    expect(res.status).toBe(200);
    expect(res.json().user.username).toBe('rotated@example.com');
    expect((await get('/profile', before)).status).toBe(200);
  });

  test('`npm run -s token` prints one token, and nothing else, that the API accepts', async () => {
    const stateFile = path.join(dir.path, 'dev-issuer.json');
    writeState(stateFile, { issuer: issuer.issuer, audience: issuer.audience, secret: issuer.secret, apiUrl: api.url, pid: process.pid });
    // Asynchronously: the issuer answering the CLI runs in this very process.
    const run = (file: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn('npm', ['run', '-s', 'token', '--', '--scope', 'openid profile', '--email', 'dave@example.com'], {
          cwd: ROOT,
          env: { ...process.env, DEV_ISSUER_STATE: file },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const ok = await run(stateFile);
    expect([ok.status, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const res = await get('/profile', ok.stdout.trim());
    expect([res.status, res.json().user?.username]).toEqual([200, 'dave@example.com']);

    const missing = await run(path.join(dir.path, 'none.json'));
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/npm start/);
  }, 20000);

  test('with the issuer down, a cold authorizer answers 503 with Retry-After', async () => {
    const token = await issuer.issueToken({ scope: 'openid profile', email: 'late@example.com' });
    await issuer.close();
    const cold = await startLocalApi({ assemblyDir: assembly, port: 0, logRequest: () => undefined, logLambda: () => undefined });
    try {
      const res = await request(cold.url, '/profile', { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      // The anonymous homepage needs no keys and still works.
      expect((await request(cold.url, '/')).status).toBe(200);
    } finally {
      await cold.close();
    }
  });
});
