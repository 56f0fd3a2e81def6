// The hostile-input table (attacks.ts) through the request path of the deployed API, in-process: each
// attack must end in 401 on the anonymous-friendly homepage and on /profile, and never reach a Lambda.
// The issuer is a loopback server found by discovery; a second loopback server plays the attacker's
// key host and must never be asked for anything.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader } from 'jose';
import { readConfig } from '../../lambda/authorizer/config';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import { authorizerEnv } from '../helpers/config';
import { GatewayHarness } from '../helpers/gateway-harness';
import { startIssuer, type TestIssuer } from '../helpers/issuer';
import { ISSUER_AUDIENCE } from '../helpers/keys';
import { auditLogsAtEnd, LogAudit } from '../../scripts/lib/log-audit';
import { attackKeys, ATTACKS, CONTROLS, UNPUBLISHED_KID_ATTACKS, valid, type AttackContext } from './attacks';
import { captureMetrics } from '../helpers/metrics';

const NOW_MS = 1_800_000_000_000;
/** The authorizer's default refetch cooldown. */
const COOLDOWN_MS = 10_000;
let clock = NOW_MS;
const audit = new LogAudit();
let issuer: TestIssuer;
let gateway: GatewayHarness;
let context: AttackContext;
const attackerHits: string[] = [];
const attackerHost = createServer((req, res) => {
  attackerHits.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});

const credentials = (authorization: string | string[]) => {
  for (const v of [authorization].flat()) audit.watch(v.replace(/^\s*bearer\s+/i, ''));
  return authorization;
};

beforeAll(async () => {
  const keys = await attackKeys();
  issuer = await startIssuer([...keys.published]);
  await new Promise<void>((resolve) => attackerHost.listen(0, '127.0.0.1', resolve));
  const config = readConfig(authorizerEnv(issuer.url, { OIDC_FETCH_TIMEOUT_MS: '300' }));
  gateway = new GatewayHarness(createAuthorizer(config, { now: () => clock, logger: audit.logger, metrics: captureMetrics(() => clock, audit.write).metrics }).handler);
  context = {
    keys,
    issuer: issuer.url,
    audience: ISSUER_AUDIENCE,
    now: NOW_MS / 1000,
    margin: 0,
    attackerUrl: `http://127.0.0.1:${(attackerHost.address() as AddressInfo).port}`,
  };
});
afterAll(async () => {
  await issuer.close();
  attackerHost.closeAllConnections();
  await new Promise((resolve) => attackerHost.close(resolve));
});

describe('the attack table', () => {
  it('holds at least 40 distinct named attacks', () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ATTACKS.map(([name]) => name)).size).toBe(ATTACKS.length);
    for (const name of UNPUBLISHED_KID_ATTACKS) expect(ATTACKS.map(([n]) => n)).toContain(name);
  });
});

describe('every attack ends in 401 and reaches no Lambda', () => {
  beforeAll(async () => {
    // Keys fetched before the first attack, so that every unpublished kid arrives inside the cooldown.
    const [, valid] = CONTROLS[0]!;
    expect(await gateway.request({ path: '/profile', authorization: credentials(await valid(now())) })).toMatchObject({ status: 200 });
  });
  const now = (): AttackContext => ({ ...context, now: Math.floor(clock / 1000) });
  /** Unpublished kids met before: the first meeting of each is also tried after a cooldown, with a refetch. */
  const lookedFor = new Set<string>();

  it.each(ATTACKS)('%s', async (name, make) => {
    const authorization = credentials(await make(now()));
    const before = gateway.downstreamCalls;
    const kid = UNPUBLISHED_KID_ATTACKS.has(name) ? (decodeProtectedHeader([authorization].flat()[0]!.replace(/^Bearer /, '')).kid as string) : undefined;
    if (kid !== undefined && !lookedFor.has(kid)) {
      lookedFor.add(kid);
      // Inside the cooldown no fetch is allowed: the current set lacks the kid, so the token is invalid (401).
      const fetches = issuer.hits.jwks;
      for (const path of ['/', '/profile']) expect(await gateway.request({ path, authorization })).toEqual({ status: 401 });
      expect(issuer.hits.jwks).toBe(fetches);
      // A cooldown later, the next request refetches once, does not find it: still invalid (401), and stays so.
      clock += COOLDOWN_MS;
      for (const path of ['/', '/profile', '/']) expect(await gateway.request({ path, authorization })).toEqual({ status: 401 });
      expect(issuer.hits.jwks).toBe(fetches + 1);
    } else {
      for (const path of ['/', '/profile']) expect(await gateway.request({ path, authorization })).toEqual({ status: 401 });
    }
    expect(gateway.downstreamCalls).toBe(before);
  });
});

describe('just inside every limit, the same request is served', () => {
  it.each(CONTROLS)('%s', async (_name, make) => {
    const authorization = credentials(await make({ ...context, now: Math.floor(clock / 1000) }));
    const before = gateway.downstreamCalls;
    for (const path of ['/', '/profile']) expect(await gateway.request({ path, authorization })).toMatchObject({ status: 200, principalId: 'user-123' });
    expect(gateway.downstreamCalls).toBe(before + 2);
  });
});

describe('what the attacks made the authorizer fetch', () => {
  it('nothing from any URL a token named, and only discovery and the JWKS from the issuer', () => {
    expect(attackerHits).toEqual([]);
    expect(issuer.hits.discovery).toBeGreaterThanOrEqual(1);
    // The cold fetch, then one refetch per cooldown the clock moved on: one per distinct unpublished kid
    // (the jku and x5u attacks share theirs).
    expect(issuer.hits.jwks).toBe(1 + UNPUBLISHED_KID_ATTACKS.size - 1);
  });
});

describe('the log audit every e2e suite ends with', () => {
  it('finds a token, its signature or its signing input written anywhere in a line (so its silence means something)', async () => {
    const token = await make();
    const [h, p, sig] = token.split('.');
    for (const leaked of [token, sig!, `${h}.${p}`]) {
      const probe = new LogAudit();
      probe.watch(token);
      probe.logger.log('INFO', 'deny', { event: 'decision', detail: `header was Bearer ${leaked}!` });
      expect(probe.leaks().length).toBeGreaterThan(0);
    }
    const clean = new LogAudit();
    clean.watch(token);
    clean.logger.log('INFO', 'deny', { event: 'decision', reason: 'SIGNATURE_INVALID', kid: 'rsa-1' });
    expect(clean.leaks()).toEqual([]);
  });

  it('finds what a sender planted in a header (a crit entry, a JWT in it, a parameter), but not the kid a decision names', async () => {
    const [, crit] = ATTACKS.find(([name]) => name.startsWith('crit entry a whole JWT'))!;
    const token = ((await crit(context)) as string).replace(/^Bearer /, '');
    const planted = (decodeProtectedHeader(token).crit as string[])[0]!;
    const tagged = await valid(context, {}, { kid: 'rsa-1', 'x-tag': ['a value of the sender'], 'https://example.com/ext': 1 });
    for (const leaked of [planted, planted.split('.')[2]!, planted.split('.').slice(0, 2).join('.'), 'a value of the sender', 'https://example.com/ext']) {
      const probe = new LogAudit();
      probe.watch(token);
      probe.watch(tagged);
      probe.logger.log('INFO', 'deny', { event: 'decision', detail: `Extension Header Parameter "${leaked}" is not recognized` });
      expect(probe.leaks().length).toBeGreaterThan(0);
    }
    const clean = new LogAudit();
    clean.watch(token);
    clean.watch(tagged);
    clean.logger.log('INFO', 'allow', { event: 'decision', reason: 'TOKEN_VALID', kid: 'rsa-1', iss: context.issuer, sub: 'user-123' });
    expect(clean.leaks()).toEqual([]);
  });
  const make = async () => ((await CONTROLS[0]![1](context)) as string).replace(/^Bearer /, '');
});

auditLogsAtEnd(audit, ATTACKS.length);
