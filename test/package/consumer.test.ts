// The package as a consumer gets it: `npm pack`ed (which runs `prepare`, the build), installed from the tarball
// into a fresh CDK app outside this repository, written in plain JavaScript with neither TypeScript nor esbuild,
// which protects two RestApis of its own with one OidcAuthorizer. The app is synthesized and served as
// `npm start -- --app DIR` does it (the dev issuer, the synth, the local API), then called over HTTP; the CLI
// itself serves the second RestApi. Logs the tarball's size and the consumer's synth time once.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startDevIssuer, type DevIssuer } from '../../local/dev-issuer/issuer';
import { startLocalApi, type LocalApi } from '../../local/server';
import { isOidcAuthorizer, oidcSettings } from '../../local/template/oidc-settings';
import { cdkCli, synthesize, type SynthResult } from '../../local/template/synth';
import { freePort } from '../local/support/free-port';
import { request, type Reply } from '../local/support/http';
import { collectLogs } from '../local/support/logs';
import { tempDir } from '../local/support/temp-dir';
import { CONSUMER_FILES } from './consumer-app';

const ROOT = path.resolve(__dirname, '..', '..');
const AUDIENCE = 'shop-api';
/** What never reaches the packed copy: installed, built or produced here. `prepare` builds dist/ afresh. */
const NOT_COPIED = new Set(['node_modules', '.git', '.local', 'cdk.out', 'dist', 'coverage']);
/** What a consumer must not need, nor get from the package. */
const BUILD_TOOLS = ['esbuild', 'typescript', 'tsx'];

const temp = tempDir('consumer');
const appDir = path.join(temp.path, 'shop');
const outDir = path.join(temp.path, 'cdk.out');
let tarball: string;
let synth: SynthResult;
let issuer: DevIssuer;
let shop: LocalApi;
let cli: ChildProcess | undefined;

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  // Not the npm invocation running jest (under `npm test`): the child npm finds its own project from cwd.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_config_local_prefix|npm_package_|npm_lifecycle_|npm_command$|INIT_CWD$)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile());

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

beforeAll(async () => {
  expect(path.relative(ROOT, temp.path).startsWith('..')).toBe(true); // node resolution must not climb into this repo
  const timings: string[] = [];
  let started = performance.now();

  // Packed from a copy of the checkout: `prepare` replaces dist/, which suites running beside this one read.
  const source = path.join(temp.path, 'source');
  for (const entry of readdirSync(ROOT)) if (!NOT_COPIED.has(entry)) cpSync(path.join(ROOT, entry), path.join(source, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
  const packDir = path.join(temp.path, 'pack');
  mkdirSync(packDir);
  await run('npm', ['pack', '--pack-destination', packDir], source);
  tarball = path.join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
  timings.push(`npm pack ${seconds(performance.now() - started)}`);

  for (const [file, text] of Object.entries(CONSUMER_FILES)) {
    mkdirSync(path.dirname(path.join(appDir, file)), { recursive: true });
    writeFileSync(path.join(appDir, file), text);
  }
  const version = (name: string) => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  started = performance.now();
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `aws-cdk-lib@${version('aws-cdk-lib')}`, `constructs@${version('constructs')}`], appDir);
  timings.push(`npm install ${seconds(performance.now() - started)}`);

  issuer = await startDevIssuer({ port: 0, audience: AUDIENCE });
  synth = await synthesize({ projectDir: appDir, inputs: 'app', outDir, context: { issuer: issuer.issuer, audience: AUDIENCE }, force: true });
  const size = statSync(tarball).size;
  console.log(`apigw-oidc-authorizer tarball ${(size / 1024).toFixed(1)} kB (${size} bytes); consumer cdk synth ${seconds(synth.ms)} (CDK_VALIDATION off); ${timings.join(', ')}`);

  const logs = collectLogs();
  shop = await startLocalApi({ assemblyDir: outDir, port: 0, restApi: 'ShopApi', logRequest: logs.logRequest, logLambda: logs.logLambda });
}, 180_000);

afterAll(async () => {
  if (cli && cli.exitCode === null) {
    const exited = new Promise((resolve) => cli!.once('exit', resolve));
    process.kill(-cli.pid!, 'SIGINT');
    await exited;
  }
  await shop?.close();
  await issuer?.close();
  temp.remove();
});

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const token = (scope: string, expiresInSeconds = 300) => issuer.issueToken({ scope, expiresInSeconds });
const summary = (r: Reply) => ({ status: r.status, body: r.json() as unknown });

describe('the installed package', () => {
  const installed = () => path.join(appDir, 'node_modules', 'apigw-oidc-authorizer');

  test('is JavaScript and declarations only, and brings no bundler', async () => {
    const files = filesUnder(installed());
    expect(files).toContain(path.join('dist', 'authorizer', 'index.js'));
    expect(files.filter((f) => /\.(c|m)?tsx?$/.test(f) && !/\.d\.(c|m)?ts$/.test(f))).toEqual([]);
    // Resolved by node itself, from the consumer's folder (jest's require.resolve is its own resolver).
    const found = await run(process.execPath, ['-p', `JSON.stringify(${JSON.stringify(BUILD_TOOLS)}.filter((m) => { try { return require.resolve(m); } catch { return false; } }))`], appDir);
    expect(JSON.parse(found)).toEqual([]);
  });

  test('the consumer is synthesized by this repository’s aws-cdk CLI, having none of its own', () => {
    expect(cdkCli(appDir)).toBe(require.resolve('aws-cdk/bin/cdk', { paths: [ROOT] }));
    expect(synth.skipped).toBe(false);
  });

  test('one authorizer function holds the routes of both RestApis in one table', () => {
    const authorizers = [...shop.model.functions.values()].filter(isOidcAuthorizer);
    expect(authorizers).toHaveLength(1);
    const routes = JSON.parse(oidcSettings(authorizers[0]!).OIDC_ROUTES!) as { method: string; resourcePath: string; auth: string; scopes: string[] }[];
    expect(routes.map((r) => `${r.method} ${r.resourcePath} ${r.auth} ${r.scopes.join(' ')}`).sort()).toEqual([
      'GET / optional ',
      'GET /orders required orders:read',
      'GET /stats required admin',
      'POST /orders required orders:write',
    ]);
  });
});

describe('the first RestApi, served from the consumer’s assembly', () => {
  test('the optional route answers anonymous callers and names token holders', async () => {
    expect(summary(await request(shop.url, '/'))).toEqual({ status: 200, body: { anonymous: true } });
    expect(summary(await request(shop.url, '/', bearer(await token('openid'))))).toEqual({ status: 200, body: { user: 'alice@example.com' } });
  });

  test('a required route refuses a missing, malformed or expired token with 401', async () => {
    for (const options of [{}, bearer('not-a-token'), bearer(await token('openid orders:read', -300))]) {
      const reply = await request(shop.url, '/orders', options);
      expect(reply.status).toBe(401);
      expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="ShopApi"/);
    }
  });

  test('a valid token without the route’s scope gets 403, with it 200', async () => {
    const reader = await token('openid orders:read');
    const forbidden = await request(shop.url, '/orders', { ...bearer(await token('openid')) });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(summary(await request(shop.url, '/orders', bearer(reader)))).toEqual({ status: 200, body: { method: 'GET', user: 'alice@example.com' } });
    expect((await request(shop.url, '/orders', { method: 'POST', ...bearer(reader) })).status).toBe(403);
    expect(summary(await request(shop.url, '/orders', { method: 'POST', ...bearer(await token('openid orders:write')) }))).toEqual({ status: 200, body: { method: 'POST', user: 'alice@example.com' } });
  });
});

test('npm start -- --app serves the second RestApi from the same assembly, its synth skipped', async () => {
  const port = await freePort();
  const args = ['--import', 'tsx', 'local/cli/start.ts', '--app', appDir, '--issuer', issuer.issuer, '--audience', AUDIENCE, '--output', outDir, '--rest-api', 'AdminApi'];
  cli = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(port) } });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ctrl-C stops.')) resolve();
    };
    cli!.stdout!.on('data', onData);
    cli!.stderr!.on('data', onData);
    cli!.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  expect(output).toMatch(new RegExp(`^Synthesizing the CDK app in \\S*shop \\(issuer ${issuer.issuer}, audience ${AUDIENCE}\\)… unchanged, skipped\n`));
  expect(output).toMatch(/Local API Gateway for AdminApi \(stage prod, app .*shop\)/);

  const url = `http://127.0.0.1:${port}`;
  expect((await request(url, '/stats')).status).toBe(401);
  expect((await request(url, '/stats', bearer(await token('openid orders:read')))).status).toBe(403);
  expect(summary(await request(url, '/stats', bearer(await token('openid admin'))))).toEqual({ status: 200, body: { admin: 'alice@example.com' } });
}, 60_000);
