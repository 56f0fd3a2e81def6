// `npm start --watch` on a throwaway copy of the project: the real synth, the real local API, real file
// edits. Each check waits for file events, so it polls for the new answer within a generous bound and
// never asserts a tight time; the reload times are reported with SHOW_TIMINGS=1 (docs/local.md quotes them).
import * as path from 'node:path';
import { startDevIssuer, type DevIssuer } from '../../../local/dev-issuer/issuer';
import { startLocalApi, type LocalApi } from '../../../local/server';
import { synthesize } from '../../../local/template/synth';
import { startWatch, type Watcher } from '../../../local/watch/watch';
import { request, type Reply } from '../support/http';
import { collectLogs, type Logs } from '../support/logs';
import { projectCopy, type ProjectCopy } from '../support/project-copy';

const BOUND_MS = 10_000; // a reload is expected within 2 s; this bound is for a loaded CI machine
const SYNTH_BOUND_MS = 60_000;
let copy: ProjectCopy;
let issuer: DevIssuer;
let api: LocalApi;
let watcher: Watcher;
let logs: Logs;
const watchLines: string[] = [];
const timings: string[] = [];

beforeAll(async () => {
  copy = projectCopy();
  issuer = await startDevIssuer({ port: 0 });
  const outDir = path.join(copy.dir, '.local', 'test', 'cdk.out');
  const synth = () => synthesize({ projectDir: copy.dir, outDir, context: { issuer: issuer.issuer, audience: issuer.audience } });
  await synth();
  logs = collectLogs();
  api = await startLocalApi({ assemblyDir: outDir, port: 0, logRequest: logs.logRequest, logLambda: logs.logLambda });
  watcher = await startWatch({ projectDir: copy.dir, assemblyDir: outDir, api, synth, log: (line) => watchLines.push(line) });
}, 90_000);

afterAll(async () => {
  if (process.env.SHOW_TIMINGS) console.info(timings.join('\n'));
  await watcher?.close();
  await api?.close();
  await issuer?.close();
  copy?.remove();
});

const get = (p: string, token?: string) => request(api.url, p, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });

/** Polls until `ok(reply)`, within `boundMs`; returns the reply and how long it took. */
async function until(p: string, ok: (r: Reply) => boolean, boundMs: number, token?: string): Promise<{ reply: Reply; ms: number }> {
  const started = performance.now();
  for (;;) {
    const reply = await get(p, token);
    const ms = performance.now() - started;
    if (ok(reply)) return { reply, ms };
    if (ms > boundMs) throw new Error(`no matching answer on ${p} within ${boundMs} ms; last ${reply.status} ${reply.text}; watch said:\n${watchLines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function untilLogged(pattern: RegExp, boundMs: number): Promise<string> {
  const started = performance.now();
  for (;;) {
    const line = watchLines.find((l) => pattern.test(l));
    if (line) return line;
    if (performance.now() - started > boundMs) throw new Error(`the watcher never logged ${pattern}; it said:\n${watchLines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a handler edit is served within the bound, and a token minted before the reload still works', async () => {
  const token = await issuer.issueToken({ scope: 'openid profile', email: 'ada@example.com' });
  expect((await get('/profile', token)).json().edited).toBeUndefined();
  copy.edit('lambda/profile/profile.ts', 'json(200, { user:', 'json(200, { edited: 1, user:');
  const { reply, ms } = await until('/profile', (r) => r.status === 200 && r.json().edited === 1, BOUND_MS, token);
  expect(reply.json().user.username).toBe('ada@example.com');
  expect(await untilLogged(/^reloaded GetProfileHandler in \d+\.\d\d s \(lambda\/profile\/profile\.ts\)$/, BOUND_MS)).toBeDefined();
  timings.push(`Lambda change served over HTTP after ${Math.round(ms)} ms (${watchLines.find((l) => l.startsWith('reloaded GetProfileHandler'))})`);

  // Saved again the way editors save atomically (a new file renamed over the old one): still seen.
  copy.edit('lambda/profile/profile.ts', 'edited: 1', 'edited: 2', { atomic: true });
  await until('/profile', (r) => r.json().edited === 2, BOUND_MS, token);
});

test('a request already running when the code changes finishes on the old code; the next one gets the new', async () => {
  copy.edit('lambda/homepage/homepage.ts', 'export const homepage: RouteLogic = (auth) =>', 'export const homepage: RouteLogic = async (auth) => (await new Promise((r) => setTimeout(r, 1500)), { ...');
  copy.edit('lambda/homepage/homepage.ts', "anonymous: false }));", "anonymous: false })), headers: { 'x-version': 'slow' } });");
  await until('/', (r) => r.headers['x-version'] === 'slow', BOUND_MS);
  const inflight = get('/');
  await new Promise((resolve) => setTimeout(resolve, 300)); // the request is inside the handler's wait
  const reloads = watchLines.length;
  copy.edit('lambda/homepage/homepage.ts', "'x-version': 'slow'", "'x-version': 'new'");
  copy.edit('lambda/homepage/homepage.ts', 'setTimeout(r, 1500)', 'setImmediate(r)');
  await until('/', (r) => r.headers['x-version'] === 'new', BOUND_MS);
  expect(watchLines.length).toBeGreaterThan(reloads);
  const old = await inflight;
  expect(old.status).toBe(200);
  expect(old.headers['x-version']).toBe('slow');
});

test('an infra change re-synthesizes and swaps the API; a failing one keeps the last good API serving', async () => {
  const token = await issuer.issueToken({ scope: 'openid profile' });
  expect((await get('/hello')).status).toBe(403); // no such route yet: MISSING_AUTHENTICATION_TOKEN
  const declared = "  { method: 'GET', path: '/profile', handler: 'profile', auth: 'required', scopes: ['profile'] },\n";
  copy.edit('infra/routes.ts', declared, `${declared}  { method: 'GET', path: '/hello', handler: 'homepage', auth: 'optional', scopes: [] },\n`);
  const { ms } = await until('/hello', (r) => r.status === 200, SYNTH_BOUND_MS);
  timings.push(`infra change served over HTTP after ${Math.round(ms)} ms (${await untilLogged(/^re-synthesized and reloaded in/, BOUND_MS)})`);
  expect((await get('/profile', token)).status).toBe(200); // the dev issuer and its key outlive the reload

  // A route declared twice: the synth fails, the error is printed once, and the API that was served still is.
  copy.edit('infra/routes.ts', "path: '/hello'", "path: '/profile'");
  const failure = await untilLogged(/^re-synth failed after/, SYNTH_BOUND_MS);
  expect(failure).toMatch(/\(infra\/routes\.ts\); still serving the last good API:\ncdk synth exited with 1:\ninfra\/routes\.ts: route GET \/profile is declared twice$/);
  expect(failure.match(/declared twice/g)).toHaveLength(1);
  expect((await get('/hello')).status).toBe(200);
  expect((await get('/profile', token)).status).toBe(200);
}, 120_000);
