// `npm run loadtest`: drives the local API (the real stack served by the emulator, trusting the embedded
// dev issuer) with autocannon for a bounded time, over a mix of valid, insufficient-scope, invalid and
// anonymous requests, and checks every answer. Exits non-zero on any wrong status, any 5xx, any socket
// error or timeout, a token in any log line, or heap/RSS growth over the bounds. Ends by itself.
//
//   LOADTEST_SECONDS          measured duration          @default 10 (CI runs 3)
//   LOADTEST_CONNECTIONS      concurrent connections     @default 16
//   LOADTEST_MAX_HEAP_GROWTH_MB       main-thread heap growth, after a full GC        @default 32
//   LOADTEST_MAX_RSS_GROWTH_MB        RSS growth, the Lambda sandboxes' processes included  @default 512
//   LOADTEST_MAX_RSS_LATE_GROWTH_MB   RSS growth over the last third of runs of 20 s or more  @default 64
// The sandboxes (Node processes, up to 4 per function, each a V8 heap whose young generation grows with
// the allocation rate) take ~10 s under load to reach their steady size: RSS rises, then stays flat.
// A leak keeps it rising to the end, which the last-third bound catches on runs long enough to tell.
import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startDevIssuer, type DevIssuer } from '../local/dev-issuer/issuer';
import { LeakScanner } from './lib/log-audit';
import { parseRequestLine, startLocalStack, type LocalStack } from './lib/local-stack';

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  onResponse?: (status: number) => void;
}
interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number; sent: number };
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no type declarations; the slice used here is typed above.
const autocannon = require('autocannon') as Autocannon;

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
};
const SECONDS = num('LOADTEST_SECONDS', 10);
const CONNECTIONS = Math.round(num('LOADTEST_CONNECTIONS', 16));
const MAX_HEAP_GROWTH_MB = num('LOADTEST_MAX_HEAP_GROWTH_MB', 32);
const MAX_RSS_GROWTH_MB = num('LOADTEST_MAX_RSS_GROWTH_MB', 512);
const MAX_RSS_LATE_GROWTH_MB = num('LOADTEST_MAX_RSS_LATE_GROWTH_MB', 64);
/** Shorter runs end while the sandboxes' heaps are still growing to their steady size. */
const LATE_GROWTH_MIN_SECONDS = 20;
const USERS = 200;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
};
const mb = (bytes: number) => bytes / 1024 / 1024;

/** A `Name:   value` line of /proc/<pid>/status. */
const statusField = (status: string, name: string): string | undefined => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];

/** This process's children, the Lambda sandboxes: how many, and the bytes they hold resident. Undefined without /proc. */
function sandboxProcesses(): { count: number; rss: number } | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const found = { count: 0, rss: 0 };
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (statusField(status, 'PPid') !== String(process.pid)) continue;
      found.count += 1;
      found.rss += Number(statusField(status, 'VmRSS') ?? 0) * 1024;
    } catch {
      // Gone since the directory was read.
    }
  }
  return found;
}

/** Bytes resident in this process and its sandboxes; where there is no /proc, this process only (the report says so). */
const totalRss = (): number => process.memoryUsage().rss + (sandboxProcesses()?.rss ?? 0);
const signed = (n: number, digits: number) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

/** One kind of request in the mix: how often, what it sends, and the one status it must get. */
interface Kind {
  readonly name: string;
  readonly weight: number;
  readonly path: '/' | '/profile';
  readonly tokens: readonly (string | undefined)[];
  readonly expect: number;
}

async function mintKinds(issuer: DevIssuer): Promise<Kind[]> {
  const users = await Promise.all(Array.from({ length: USERS }, (_, i) => issuer.issueToken({ scope: 'openid profile', email: `user-${i}@example.com` })));
  const narrow = await Promise.all(Array.from({ length: 20 }, (_, i) => issuer.issueToken({ scope: 'openid', email: `reader-${i}@example.com` })));
  const forged = (t: string) => `${t.slice(0, t.lastIndexOf('.') + 1)}${Buffer.alloc(64, 7).toString('base64url')}`;
  const invalid = [
    await issuer.issueToken({ expiresInSeconds: -600 }),
    await issuer.issueToken({ audience: 'someone-else' }),
    forged(users[0]!),
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${users[1]!.split('.')[1]}.`,
    'not-a-jwt',
  ];
  return [
    { name: 'valid token, /profile', weight: 4, path: '/profile', tokens: users, expect: 200 },
    { name: 'valid token, homepage', weight: 2, path: '/', tokens: users, expect: 200 },
    { name: 'no profile scope, /profile', weight: 1, path: '/profile', tokens: narrow, expect: 403 },
    { name: 'no profile scope, homepage', weight: 1, path: '/', tokens: narrow, expect: 200 },
    { name: 'invalid token, /profile', weight: 1, path: '/profile', tokens: invalid, expect: 401 },
    { name: 'invalid token, homepage', weight: 1, path: '/', tokens: invalid, expect: 401 },
    { name: 'anonymous, homepage', weight: 2, path: '/', tokens: [undefined], expect: 200 },
    { name: 'anonymous, /profile', weight: 1, path: '/profile', tokens: [undefined], expect: 401 },
  ];
}

interface Tally {
  readonly byKind: Map<string, Map<number, number>>;
  wrong: number;
  serverErrors: number;
  checked: number;
}

/** The autocannon request sequence: every kind as often as its weight, each with its own status check. */
function sequence(kinds: readonly Kind[], tally: Tally): AutocannonRequest[] {
  return kinds.flatMap((kind) =>
    Array.from({ length: kind.weight }, (): AutocannonRequest => ({
      method: 'GET',
      path: kind.path,
      setupRequest: (request) => {
        const token = kind.tokens[Math.floor(Math.random() * kind.tokens.length)];
        const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
        return { ...request, headers };
      },
      onResponse: (status) => {
        tally.checked++;
        const seen = tally.byKind.get(kind.name)!;
        seen.set(status, (seen.get(status) ?? 0) + 1);
        if (status !== kind.expect) tally.wrong++;
        if (status >= 500) tally.serverErrors++;
      },
    })),
  );
}

async function main(): Promise<number> {
  const failures: string[] = [];
  const scanner = new LeakScanner();
  const gatewayStatuses = new Map<number, number>();
  let issuer: DevIssuer | undefined;
  let stack: LocalStack | undefined;
  try {
    issuer = await startDevIssuer({ port: 0 });
    stack = await startLocalStack({
      name: 'loadtest',
      issuer: issuer.issuer,
      audience: issuer.audience,
      maxConcurrency: 4,
      logRequest: (line) => {
        scanner.check(line);
        const status = parseRequestLine(line)?.status ?? 0;
        gatewayStatuses.set(status, (gatewayStatuses.get(status) ?? 0) + 1);
      },
      logLambda: (_name, line) => scanner.check(line),
    });
    if (stack.synthSeconds > 0) process.stderr.write(`loadtest: synthesized the stack in ${stack.synthSeconds.toFixed(1)} s\n`);
    const kinds = await mintKinds(issuer);
    for (const kind of kinds) for (const t of kind.tokens) if (t !== undefined) scanner.watch(t);

    // Warm-up: sandboxes started, keys fetched, caches filled; then the baseline, after a full GC. A sandbox is a
    // process holding tens of MiB before it serves, and on a loaded machine one round may not start them all:
    // rounds repeat (at most 5) until one starts no new sandbox, so the baseline has them.
    const warm: Tally = { byKind: new Map(kinds.map((k) => [k.name, new Map()])), wrong: 0, serverErrors: 0, checked: 0 };
    let sandboxes = sandboxProcesses()?.count;
    for (let round = 0; round < 5; round++) {
      await autocannon({ url: stack.url, connections: CONNECTIONS, duration: Math.min(2, SECONDS), requests: sequence(kinds, warm) });
      const started = sandboxProcesses()?.count;
      if (started === undefined || started === sandboxes) break;
      sandboxes = started;
    }
    if (warm.wrong > 0) failures.push(`${warm.wrong} wrong statuses already during the warm-up`);
    await settle();
    const before = { heapUsed: process.memoryUsage().heapUsed, rss: totalRss() };

    const tally: Tally = { byKind: new Map(kinds.map((k) => [k.name, new Map()])), wrong: 0, serverErrors: 0, checked: 0 };
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(totalRss()), 250);
    const result = await autocannon({ url: stack.url, connections: CONNECTIONS, duration: SECONDS, requests: sequence(kinds, tally) });
    clearInterval(sampler);
    await settle();
    const after = { heapUsed: process.memoryUsage().heapUsed, rss: totalRss() };

    const heapGrowth = mb(after.heapUsed - before.heapUsed);
    const rssGrowth = mb(after.rss - before.rss);
    // The sandboxes' heaps grow to a steady size and stay there; a leak keeps growing to the end.
    const twoThirds = samples[Math.floor((samples.length * 2) / 3)] ?? before.rss;
    const lateGrowth = mb(after.rss - twoThirds);
    const peak = mb(Math.max(...samples, after.rss));
    const cpu = os.cpus();
    const procs = sandboxProcesses();
    const rssScope = procs ? `with its ${procs.count} child processes, the sandboxes` : 'this process only: no /proc to find the sandboxes';
    const lines = [
      `loadtest: ${SECONDS} s, ${CONNECTIONS} connections, against ${stack.url} (emulator, real stack, dev issuer)`,
      `machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
      `requests: ${result.requests.total} answered, ${tally.checked} checked, ${result.requests.average.toFixed(0)} req/s`,
      `latency: p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
      `memory: main-thread heap after GC ${mb(before.heapUsed).toFixed(1)} → ${mb(after.heapUsed).toFixed(1)} MiB (${signed(heapGrowth, 1)}); ` +
        `rss (${rssScope}) ${mb(before.rss).toFixed(0)} → ${mb(after.rss).toFixed(0)} MiB (${signed(rssGrowth, 0)}, ${signed(lateGrowth, 0)} in the last third, peak ${peak.toFixed(0)})`,
      ...kinds.map((k) => `  ${k.name.padEnd(28)} expect ${k.expect}: ${[...tally.byKind.get(k.name)!].map(([s, n]) => `${s}×${n}`).join(' ') || 'none'}`),
      `wrong statuses: ${tally.wrong}, 5xx: ${tally.serverErrors}, socket errors: ${result.errors}, timeouts: ${result.timeouts}, log lines with a token: ${scanner.leaks}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);

    if (tally.checked === 0) failures.push('no request was answered');
    if (tally.checked < result.requests.total) failures.push(`${result.requests.total - tally.checked} answers were not checked`);
    if (tally.wrong > 0) failures.push(`${tally.wrong} answers had the wrong status`);
    if (tally.serverErrors > 0 || [...gatewayStatuses.keys()].some((s) => s >= 500)) failures.push('5xx answers');
    if (result.errors > 0 || result.timeouts > 0) failures.push(`${result.errors} socket errors, ${result.timeouts} timeouts`);
    if (scanner.leaks > 0) failures.push(`${scanner.leaks} log lines hold a token or a signature`);
    if (scanner.lines === 0) failures.push('no log line was seen (is the request log wired?)');
    if (heapGrowth > MAX_HEAP_GROWTH_MB) failures.push(`heap grew ${heapGrowth.toFixed(1)} MiB (bound ${MAX_HEAP_GROWTH_MB})`);
    if (rssGrowth > MAX_RSS_GROWTH_MB) failures.push(`RSS grew ${rssGrowth.toFixed(0)} MiB (bound ${MAX_RSS_GROWTH_MB})`);
    if (SECONDS >= LATE_GROWTH_MIN_SECONDS && lateGrowth > MAX_RSS_LATE_GROWTH_MB) failures.push(`RSS grew ${lateGrowth.toFixed(0)} MiB in the last third of the run (bound ${MAX_RSS_LATE_GROWTH_MB}): still growing`);
  } catch (e) {
    failures.push(`could not run: ${(e as Error).stack ?? e}`);
  } finally {
    await stack?.close();
    await issuer?.close();
  }
  process.stdout.write(failures.length === 0 ? 'loadtest: PASS\n' : `loadtest: FAIL\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  return failures.length === 0 ? 0 : 1;
}

void main().then((code) => process.exit(code));
