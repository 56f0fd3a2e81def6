// README's recipe for adding a route (the code blocks after `<!-- recipe:route -->`), followed to the letter in a
// throwaway copy of the repository: the synth takes it, the local API serves the new route (200 with its scope,
// 403 without), and the suites that describe the example app from its route table pass against the copy.
// A checkout where someone followed the recipe already is a fine start: its files are written over, and its
// line replaces any one-line declaration of the same method and path.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInNewContext } from 'node:vm';
import type { RouteDeclaration } from '../infra/routes';
import { startDevIssuer, type DevIssuer } from '../local/dev-issuer/issuer';
import { startLocalApi, type LocalApi } from '../local/server';
import { synthesize } from '../local/template/synth';
import { request } from './local/support/http';
import { collectLogs } from './local/support/logs';
import { projectCopy, type ProjectCopy } from './local/support/project-copy';

const ROOT = path.resolve(__dirname, '..');
const MARKER = '<!-- recipe:route -->';
/** The suites that read the example app's route table (infra/routes.ts): a correct added route keeps them green. */
const ROUTE_TABLE_SUITES = [
  'test/infra/oidc-api-stack.test.ts',
  'test/infra/route-table.test.ts',
  'test/infra/cors.test.ts',
  'test/infra/bundle-index.test.ts',
  'test/lambda/authorizer/config.test.ts',
  'test/local/local-api.test.ts',
];

type Step =
  | { readonly kind: 'route-line'; readonly lines: string; readonly routes: readonly RouteDeclaration[] }
  | { readonly kind: 'new-file'; readonly file: string; readonly text: string };

/** The Markdown files that may hold the recipe: README.md and docs/**. */
function docFiles(): string[] {
  const docs = path.join(ROOT, 'docs');
  const under = existsSync(docs) ? readdirSync(docs, { recursive: true, encoding: 'utf8' }).map((f) => path.join('docs', f)) : [];
  return ['README.md', ...under.filter((f) => f.endsWith('.md'))];
}

/** The recipe's steps: the ```ts blocks right after the marker, each opened by `// <file>` (a new file) or `// infra/routes.ts: one more line in ROUTES`. */
function recipeSteps(markdown: string): Step[] {
  let rest = markdown.slice(markdown.indexOf(MARKER) + MARKER.length);
  const steps: Step[] = [];
  for (let block = /^\s*```ts\n([\s\S]*?)\n```/.exec(rest); block; block = /^\s*```ts\n([\s\S]*?)\n```/.exec(rest)) {
    rest = rest.slice(block[0].length);
    const [first, ...body] = block[1]!.split('\n');
    const heading = /^\/\/ ([\w./-]+)(: one more line in ROUTES)?$/.exec(first!);
    if (!heading) throw new Error(`a recipe block must open with "// <file>" or "// infra/routes.ts: one more line in ROUTES", not ${JSON.stringify(first)}`);
    if (heading[2]) {
      if (heading[1] !== 'infra/routes.ts') throw new Error(`ROUTES lives in infra/routes.ts, not ${heading[1]}`);
      // The lines are elements of the ROUTES array literal: read as such, they are the routes the recipe adds.
      steps.push({ kind: 'route-line', lines: body.join('\n'), routes: runInNewContext(`[${body.join('\n')}]`) as RouteDeclaration[] });
    } else {
      steps.push({ kind: 'new-file', file: heading[1]!, text: `${body.join('\n')}\n` });
    }
  }
  return steps;
}

function apply(dir: string, step: Step): void {
  if (step.kind === 'new-file') {
    const file = path.join(dir, step.file);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, step.text);
    return;
  }
  const file = path.join(dir, 'infra', 'routes.ts');
  const declares = (line: string, r: RouteDeclaration) => line.includes(`method: '${r.method}'`) && line.includes(`path: '${r.path}'`);
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !step.routes.some((r) => declares(line, r)))
    .join('\n');
  const end = text.indexOf('\n];', text.indexOf('export const ROUTES'));
  if (end < 0) throw new Error('infra/routes.ts has no `export const ROUTES = [ … ];` to add to');
  writeFileSync(file, `${text.slice(0, end)}\n${step.lines}${text.slice(end)}`);
}

/** Runs node with `args` in the copy; resolves with its exit code and everything it printed. */
function run(dir: string, args: string[]): Promise<{ code: number | null; output: string }> {
  // The copy's jest is a run of its own, not a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JEST_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

let copy: ProjectCopy;
let issuer: DevIssuer;
let api: LocalApi;
let added: RouteDeclaration[];

beforeAll(async () => {
  const holders = docFiles().filter((f) => readFileSync(path.join(ROOT, f), 'utf8').includes(MARKER));
  expect(holders).toHaveLength(1);
  const markdown = readFileSync(path.join(ROOT, holders[0]!), 'utf8');
  expect(markdown.split(MARKER)).toHaveLength(2);
  const steps = recipeSteps(markdown);
  expect(steps.map((s) => s.kind).sort()).toEqual(['new-file', 'route-line']);

  copy = projectCopy();
  for (const step of steps) apply(copy.dir, step);
  added = steps.flatMap((s) => (s.kind === 'route-line' ? s.routes : []));

  issuer = await startDevIssuer({ port: 0 });
  const outDir = path.join(copy.dir, '.local', 'test', 'cdk.out');
  await synthesize({ projectDir: copy.dir, outDir, context: { issuer: issuer.issuer, audience: issuer.audience } });
  const logs = collectLogs();
  api = await startLocalApi({ assemblyDir: outDir, port: 0, logRequest: logs.logRequest, logLambda: logs.logLambda });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await issuer?.close();
  copy?.remove();
});

test('the recipe adds one route that requires a token and a scope, with a literal path', () => {
  expect(added).toHaveLength(1);
  const [route] = added;
  expect(route).toMatchObject({ auth: 'required', scopes: expect.arrayContaining([expect.any(String)]) });
  expect(route!.path).not.toMatch(/[{}]/);
  expect(route!.claims ?? {}).toEqual({});
  expect(route!.issuers ?? []).toEqual([]);
});

test('served from the synthesized copy: 200 with the route’s scopes, 403 without them, 401 without a token', async () => {
  const [route] = added;
  const get = async (scope?: string) =>
    request(api.url, route!.path, {
      method: route!.method,
      headers: scope === undefined ? {} : { Authorization: `Bearer ${await issuer.issueToken({ scope, email: 'ada@example.com' })}` },
    });
  const ok = await get(['openid', ...route!.scopes].join(' '));
  expect(ok.status).toBe(200);
  expect(ok.headers['content-type']).toMatch(/^application\/json/);
  expect((await get('openid')).status).toBe(403);
  expect((await get()).status).toBe(401);
});

test('the suites that read the example’s route table pass against the copy', async () => {
  cpSync(path.join(ROOT, 'test'), path.join(copy.dir, 'test'), { recursive: true });
  cpSync(path.join(ROOT, 'jest.config.js'), path.join(copy.dir, 'jest.config.js'));
  const jest = await run(copy.dir, [require.resolve('jest/bin/jest'), '--ci', '--runInBand', ...ROUTE_TABLE_SUITES]);
  if (jest.code !== 0) throw new Error(`jest in the copy exited with ${jest.code}:\n${jest.output}`);
  for (const suite of ROUTE_TABLE_SUITES) expect(jest.output).toContain(`PASS ${suite}`);
}, 300_000);
