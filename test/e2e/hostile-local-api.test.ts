// The hostile-input table (attacks.ts) over real HTTP, through the local emulator serving the real stack:
// the bundled authorizer in its own sandbox, API Gateway's own 401, and the emulator's per-request log as
// the witness that no request reached a Lambda (a line carries a reason exactly when API Gateway answered
// itself). The authorizer runs on the real clock here, so the time rows keep 5 s clear of each limit.
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startIssuer, type TestIssuer } from '../helpers/issuer';
import { ISSUER_AUDIENCE } from '../helpers/keys';
import { parseRequestLine, startLocalStack, type LocalStack, type RequestLine } from '../../scripts/lib/local-stack';
import { auditLogsAtEnd, LogAudit } from '../../scripts/lib/log-audit';
import { attackKeys, ATTACKS, CONTROLS, valid, type AttackContext } from './attacks';

/** Node's HTTP server refuses request heads over 16 KiB with 431 before any handler runs. */
const NODE_MAX_HEADER_BYTES = 16 * 1024;

const audit = new LogAudit();
const lines: RequestLine[] = [];
let issuer: TestIssuer;
let stack: LocalStack;
let context: Omit<AttackContext, 'now'>;
const attackerHits: string[] = [];
const attackerHost = createServer((req, res) => {
  attackerHits.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});

function get(path: string, authorization: string | string[]): Promise<number> {
  // A flat list, so a repeated header goes out twice as written (Node then adds no Host of its own).
  const headers = ['Host', new URL(stack.url).host, ...[authorization].flat().flatMap((v) => ['Authorization', v])];
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${stack.url}${path}`, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

const contextNow = (): AttackContext => ({ ...context, now: Math.floor(Date.now() / 1000) });

beforeAll(async () => {
  const keys = await attackKeys();
  issuer = await startIssuer([...keys.published]);
  await new Promise<void>((resolve) => attackerHost.listen(0, '127.0.0.1', resolve));
  stack = await startLocalStack({
    name: 'e2e',
    issuer: issuer.url,
    audience: ISSUER_AUDIENCE,
    // Below Node's 16 KiB request-head limit, so an oversized token reaches the authorizer's own check.
    // A cooldown longer than the suite, so that no unpublished kid makes a refetch: each is 401 from the first keys.
    authorizerEnv: { OIDC_FETCH_TIMEOUT_MS: '300', OIDC_MAX_TOKEN_BYTES: '8192', OIDC_JWKS_COOLDOWN_SECONDS: '600' },
    logRequest: (line) => {
      audit.write(line);
      const parsed = parseRequestLine(line);
      if (parsed) lines.push(parsed);
    },
    logLambda: (name, line) => audit.write(`[${name}] ${line}`),
  });
  context = { keys, issuer: issuer.url, audience: ISSUER_AUDIENCE, margin: 5, attackerUrl: `http://127.0.0.1:${(attackerHost.address() as AddressInfo).port}` };
  // Keys fetched before the first attack: every unpublished kid then arrives inside the cooldown.
  expect(await get('/profile', await CONTROLS[0]![1](contextNow()))).toBe(200);
}, 90_000);
afterAll(async () => {
  await stack?.close();
  await issuer?.close();
  attackerHost.closeAllConnections();
  await new Promise((resolve) => attackerHost.close(resolve));
});

describe('every attack, over HTTP through the emulated API Gateway, ends in 401 and reaches no Lambda', () => {
  it.each(ATTACKS)('%s', async (_name, make) => {
    const authorization = await make(contextNow());
    for (const v of [authorization].flat()) audit.watch(v.replace(/^\s*bearer\s+/i, ''));
    const oversized = [authorization].flat().join('').length > NODE_MAX_HEADER_BYTES;
    for (const path of ['/', '/profile']) {
      const before = lines.length;
      const status = await get(path, authorization);
      if (oversized) {
        // Refused by the HTTP layer before API Gateway's logic runs: no request line, no Lambda.
        expect([401, 431]).toContain(status);
        expect(lines.slice(before).every((l) => l.status === 401 && l.reason !== undefined)).toBe(true);
        continue;
      }
      expect(status).toBe(401);
      expect(lines.slice(before)).toEqual([expect.objectContaining({ path, status: 401, reason: expect.stringMatching(/Unauthorized|identity source/) })]);
    }
  });
});

describe('just inside every limit, the same request reaches the Lambda', () => {
  it.each(CONTROLS)('%s', async (_name, make) => {
    const authorization = await make(contextNow());
    for (const v of [authorization].flat()) audit.watch(v.replace(/^\s*bearer\s+/i, ''));
    for (const path of ['/', '/profile']) {
      const before = lines.length;
      expect(await get(path, authorization)).toBe(200);
      expect(lines.slice(before)).toEqual([expect.objectContaining({ path, status: 200 })]);
      expect(lines.at(-1)!.reason).toBeUndefined();
    }
  });
});

it('refuses, in the authorizer, a genuinely signed token over its size limit that HTTP lets through', async () => {
  const c = contextNow();
  const big = audit.watch(await valid(c, { pad: 'x'.repeat(9000) }));
  expect(big.length).toBeGreaterThan(8192);
  for (const path of ['/', '/profile']) {
    expect(await get(path, `Bearer ${big}`)).toBe(401);
    expect(lines.at(-1)).toMatchObject({ path, status: 401, authorizer: 'invoked', reason: expect.stringMatching(/Unauthorized/) });
  }
});

it('fetched nothing from any URL a token named, and the issuer keys once: no kid made it refetch in the cooldown', () => {
  expect(attackerHits).toEqual([]);
  expect(issuer.hits.jwks).toBe(1);
});

auditLogsAtEnd(audit, ATTACKS.length);
