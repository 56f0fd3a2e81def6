import { KeysUnavailableError, FetchError } from '../../../lambda/authorizer/errors';
import type { FetchJson } from '../../../lambda/authorizer/http';
import { KeyStore, type KeyStoreOptions } from '../../../lambda/authorizer/key-store';
import { captureLogger } from '../../helpers/log';
import { makeKey, type TestKey } from '../../helpers/keys';
import type { JWK } from 'jose';

const ISSUER = 'https://issuer.example.com';
const JWKS = 'https://issuer.example.com/keys';
const ALGS = ['RS256', 'ES256'];

/** An in-memory issuer: programmable answers, counted requests, and a manual clock. */
function harness(initialKeys: JWK[]) {
  const state = {
    keys: initialKeys,
    discovery: { issuer: ISSUER, jwks_uri: JWKS } as Record<string, unknown>,
    failWith: undefined as Error | undefined,
    calls: [] as string[],
    allowLoopback: [] as (boolean | undefined)[],
    gate: undefined as Promise<void> | undefined,
    time: 1_000_000,
  };
  const fetchJson: FetchJson = async (url, options) => {
    state.calls.push(url);
    state.allowLoopback.push(options.allowLoopback);
    if (state.gate) await state.gate;
    if (state.failWith) throw state.failWith;
    return url === JWKS ? { keys: state.keys } : state.discovery;
  };
  const logger = captureLogger();
  const make = (over: Partial<KeyStoreOptions> = {}) =>
    new KeyStore({
      issuer: ISSUER,
      algorithms: ALGS,
      maxAgeMs: 600_000,
      maxStaleMs: 86_400_000,
      cooldownMs: 30_000,
      fetchTimeoutMs: 3000,
      fetchMaxBytes: 1 << 20,
      fetchJson,
      now: () => state.time,
      logger,
      ...over,
    });
  return { state, make, logger, jwksCalls: () => state.calls.filter((u) => u === JWKS).length };
}

describe('KeyStore', () => {
  let a: TestKey;
  let b: TestKey;
  beforeAll(async () => {
    a = await makeKey('RS256', 'key-a');
    b = await makeKey('ES256', 'key-b');
  });

  it('discovers jwks_uri from the issuer, then finds keys by kid and alg', async () => {
    const h = harness([a.jwk, b.jwk]);
    const store = h.make();
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1);
    expect(await store.candidates('key-b', 'ES256')).toHaveLength(1);
    expect(await store.candidates('key-a', 'ES256')).toHaveLength(0); // alg does not fit the key
    expect(h.state.calls).toEqual([`${ISSUER}/.well-known/openid-configuration`, JWKS]);
  });

  it('skips discovery when a JWKS URI is configured', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256');
    expect(h.state.calls).toEqual([JWKS]);
  });

  it('refuses a discovery document that names another issuer', async () => {
    const h = harness([a.jwk]);
    h.state.discovery = { issuer: 'https://evil.example.com', jwks_uri: JWKS };
    await expect(h.make().candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(h.logger.lines.some((l) => l.fields.code === 'DISCOVERY_INVALID')).toBe(true);
    expect(h.jwksCalls()).toBe(0);
  });

  it('refuses a discovery document without an issuer, saying so', async () => {
    const h = harness([a.jwk]);
    h.state.discovery = { jwks_uri: JWKS };
    await expect(h.make().candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(h.logger.lines.some((l) => l.fields.code === 'DISCOVERY_INVALID')).toBe(true);
  });

  it('refuses a jwks_uri that is plain http off loopback', async () => {
    const h = harness([a.jwk]);
    h.state.discovery = { issuer: ISSUER, jwks_uri: 'http://issuer.example.com/keys' };
    await expect(h.make().candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
  });

  it.each([
    'http://127.0.0.1:9001/2018-06-01/runtime/invocation/next',
    'https://127.0.0.1/keys',
    'https://127.1/keys',
    'https://0x7f000001/keys',
    'https://2130706433/keys',
    'https://localhost/keys',
    'https://api.localhost/keys',
    'https://[::1]/keys',
    'https://[::ffff:127.0.0.1]/keys',
    'https://0.0.0.0/keys',
    'https://[::ffff:0.0.0.0]:8443/keys',
    'https://[::ffff:0:0]/keys',
    'https://0.1.2.3/keys',
  ])('refuses a discovered jwks_uri on loopback for an https issuer: %s', async (jwksUri) => {
    const h = harness([a.jwk]);
    h.state.discovery = { issuer: ISSUER, jwks_uri: jwksUri };
    await expect(h.make().candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(h.logger.lines.some((l) => l.fields.code === 'DISCOVERY_INVALID')).toBe(true);
    expect(h.state.calls).toEqual([`${ISSUER}/.well-known/openid-configuration`]);
  });

  it('refuses a discovered jwks_uri that carries credentials, and never logs them', async () => {
    const h = harness([a.jwk]);
    h.state.discovery = { issuer: ISSUER, jwks_uri: 'https://user:hunter2@issuer.example.com/keys' };
    await expect(h.make().candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(JSON.stringify(h.logger.lines)).not.toContain('hunter2');
  });

  it('lets key fetches reach loopback only when the configured issuer or JWKS URI is loopback', async () => {
    const h = harness([a.jwk]);
    await h.make({ jwksUri: JWKS }).candidates('key-a', 'RS256');
    await h.make({ issuer: 'http://127.0.0.1:3001', jwksUri: 'http://127.0.0.1:3001/keys' }).candidates('key-a', 'RS256').catch(() => undefined);
    expect(h.state.allowLoopback).toEqual([false, true]);
  });

  it('retries soon while it holds no keys at all: a failed prefetch does not lock the container out', async () => {
    const h = harness([a.jwk]);
    h.state.failWith = new FetchError('FETCH_TIMEOUT', 'slow first connection');
    const store = h.make({ jwksUri: JWKS });
    store.prefetch();
    await new Promise((r) => setImmediate(r));
    expect(h.jwksCalls()).toBe(1);
    h.state.time += 500;
    await expect(store.candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(h.jwksCalls()).toBe(1); // within the first backoff: no fetch
    // The backoff doubles from 1 s while the issuer keeps failing...
    const attempts: number[] = [];
    for (let t = 500; t <= 70_000; t += 250) {
      h.state.time += 250;
      const before = h.jwksCalls();
      await store.candidates('key-a', 'RS256').catch(() => undefined);
      if (h.jwksCalls() > before) attempts.push(t + 250);
    }
    expect(attempts.slice(0, 5)).toEqual([1_000, 3_000, 7_000, 15_000, 31_000]);
    expect(attempts[5]! - attempts[4]!).toBe(30_000); // ...up to the cooldown
    // ...and the first success ends it.
    h.state.failWith = undefined;
    h.state.time += 30_000;
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1);
  });

  it('shares one fetch among concurrent callers (single flight)', async () => {
    const h = harness([a.jwk]);
    let open!: () => void;
    h.state.gate = new Promise((r) => (open = r));
    const store = h.make({ jwksUri: JWKS });
    const waits = Array.from({ length: 20 }, () => store.candidates('key-a', 'RS256'));
    open();
    const results = await Promise.all(waits);
    expect(results.every((r) => r.length === 1)).toBe(true);
    expect(h.jwksCalls()).toBe(1);
  });

  it('refetches once for an unknown kid (rotation), and not again within the cooldown', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256');
    h.state.time += 31_000;
    h.state.keys = [a.jwk, b.jwk]; // the issuer rotates a new key in
    expect(await store.candidates('key-b', 'ES256')).toHaveLength(1);
    expect(h.jwksCalls()).toBe(2);
    h.state.time += 1_000;
    expect(await store.candidates('key-c', 'RS256')).toEqual([]); // another unknown kid, inside the cooldown
    expect(h.jwksCalls()).toBe(2);
  });

  it('answers a random kid "no such key" (401) after a refetch, and inside the cooldown from the current set without one', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256');
    h.state.time += 30_000; // a refetch is allowed: the first random kid makes it, and the set lacks the kid
    expect(await store.candidates('random-x', 'RS256')).toEqual([]);
    expect(h.jwksCalls()).toBe(2);
    // Inside the cooldown: no fetch, and the current set answers for every kid, new or seen before.
    h.state.time += 1_000;
    for (let i = 0; i < 50; i++) expect(await store.candidates(`random-${i}`, 'RS256')).toEqual([]);
    expect(await store.candidates('random-x', 'RS256')).toEqual([]);
    expect(h.jwksCalls()).toBe(2);
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1); // known keys unaffected
  });

  it('refuses a key signed with before it was published for at most one cooldown, then finds it', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256'); // fetched: the cooldown starts
    h.state.keys = [a.jwk, b.jwk]; // a second later the issuer rotates key-b in and signs with it
    h.state.time += 1_000;
    expect(await store.candidates('key-b', 'ES256')).toEqual([]); // inside the cooldown: 401
    expect(h.jwksCalls()).toBe(1);
    h.state.time += 29_000; // the cooldown has passed: the next request looks, and finds it
    expect(await store.candidates('key-b', 'ES256')).toHaveLength(1);
    expect(h.jwksCalls()).toBe(2);
  });

  it('answers a kid that arrives while a fetch is in flight from that fetch, without starting another', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256');
    h.state.time += 600_000; // stale: the next request refreshes
    let open!: () => void;
    h.state.gate = new Promise((r) => (open = r));
    const refreshing = store.candidates('key-a', 'RS256'); // the fetch starts; the issuer answers with key-a only
    const rotated = store.candidates('key-b', 'ES256'); // key-b is published and used a moment later
    open();
    expect(await refreshing).toHaveLength(1);
    expect(await rotated).toEqual([]); // the shared fetch lacks it: 401, never 503
    expect(h.jwksCalls()).toBe(2);
    h.state.keys = [a.jwk, b.jwk];
    h.state.time += 30_000;
    expect(await store.candidates('key-b', 'ES256')).toHaveLength(1); // the next fetch looks, and finds it
    expect(h.jwksCalls()).toBe(3);
  });

  it('does not let an earlier probe of a kid make a key rotated in later look absent', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256');
    h.state.time += 30_000;
    expect(await store.candidates('key-b', 'ES256')).toEqual([]); // a junk token naming the issuer's next kid
    expect(h.jwksCalls()).toBe(2);
    // Later the issuer rotates key-b in: a real token with it is looked for, not answered from the probe.
    h.state.keys = [a.jwk, b.jwk];
    h.state.time += 30_000;
    expect(await store.candidates('key-b', 'ES256')).toHaveLength(1);
    expect(h.jwksCalls()).toBe(3);
  });

  it('holds at most one fetch per cooldown under a flood of random kids, each answered "no such key"', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256');
    for (let second = 1; second <= 120; second++) {
      h.state.time += 1_000;
      for (let i = 0; i < 50; i++) expect(await store.candidates(`flood-${second}-${i}`, 'RS256')).toEqual([]);
    }
    expect(h.jwksCalls()).toBe(1 + 4); // 120 s of flood, a 30 s cooldown
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1); // known keys unaffected
  });

  it('holds one fetch per cooldown under a concurrent flood of random kids, all joining it', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    await store.candidates('key-a', 'RS256');
    h.state.time += 30_000;
    let open!: () => void;
    h.state.gate = new Promise((r) => (open = r));
    const flood = Array.from({ length: 200 }, (_, i) => store.candidates(`burst-${i}`, 'RS256'));
    open();
    expect(await Promise.all(flood)).toEqual(flood.map(() => []));
    expect(h.jwksCalls()).toBe(2);
  });

  it('refreshes stale keys before use, and a key that left the set is gone', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    const [keyA] = await store.candidates('key-a', 'RS256');
    h.state.keys = [b.jwk];
    h.state.time += 599_000;
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1); // still fresh
    expect(store.vouchesFor('key-a', 'RS256', keyA!.key)).toBe(true);
    expect(h.jwksCalls()).toBe(1);
    h.state.time += 1_000;
    expect(store.vouchesFor('key-a', 'RS256', keyA!.key)).toBe(false); // stale: vouches for nothing until refreshed
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(0); // refreshed, key-a retired
    expect(store.vouchesFor('key-a', 'RS256', keyA!.key)).toBe(false);
    const [keyB] = await store.candidates('key-b', 'ES256');
    expect(store.vouchesFor('key-b', 'ES256', keyB!.key)).toBe(true);
    expect(h.jwksCalls()).toBe(2);
  });

  it('keeps verifying with stale keys while the issuer fails, up to the max stale age, and warns', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS, maxStaleMs: 3_600_000 });
    await store.candidates('key-a', 'RS256');
    h.state.failWith = new FetchError('FETCH_STATUS', 'HTTP 500');
    h.state.time += 600_000;
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1);
    expect(h.logger.lines.some((l) => l.level === 'WARN' && l.fields.code === 'FETCH_STATUS')).toBe(true);
    h.state.time += 3_599_000;
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1);
    h.state.time += 1_000;
    await expect(store.candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    // Recovery as soon as the issuer is back (after the cooldown of the last attempt).
    h.state.failWith = undefined;
    h.state.time += 30_000;
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1);
  });

  it('does not remember a failed cold fetch: the next request after the cooldown tries again', async () => {
    const h = harness([a.jwk]);
    h.state.failWith = new FetchError('FETCH_TIMEOUT', 'slow');
    const store = h.make({ jwksUri: JWKS });
    await expect(store.candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(store.candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(h.jwksCalls()).toBe(1); // within the cooldown: fail fast, no second fetch
    h.state.failWith = undefined;
    h.state.time += 30_000;
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1);
    expect(h.jwksCalls()).toBe(2);
  });

  it('answers an unknown kid "no such key" (401) while the issuer fails and usable keys are held; 503 only past the max stale age', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS, maxStaleMs: 3_600_000 });
    await store.candidates('key-a', 'RS256');
    h.state.failWith = new FetchError('FETCH_STATUS', 'HTTP 503');
    h.state.time += 31_000; // fresh keys, a refetch allowed: it fails, the last good set answers
    expect(await store.candidates('rotated-during-outage', 'RS256')).toEqual([]);
    expect(await store.candidates('rotated-during-outage', 'RS256')).toEqual([]); // in the cooldown
    expect(h.jwksCalls()).toBe(2);
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1); // known keys keep working
    h.state.time += 600_000; // stale, within the max stale age: still answered from the stale keys
    expect(await store.candidates('other', 'RS256')).toEqual([]);
    h.state.time += 3_600_000; // past the max stale age: no keys to judge by
    await expect(store.candidates('other', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(store.candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
  });

  it('makes one round of fetches per request: a stale refresh is also the look for an unknown kid', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS, cooldownMs: 1 });
    await store.candidates('key-a', 'RS256');
    h.state.time += 600_000;
    expect(await store.candidates('unknown', 'RS256')).toHaveLength(0);
    expect(h.jwksCalls()).toBe(2);
  });

  it('treats a set with no usable key as a failed fetch', async () => {
    const h = harness([{ ...a.jwk, use: 'enc' }]);
    await expect(h.make({ jwksUri: JWKS }).candidates('key-a', 'RS256')).rejects.toBeInstanceOf(KeysUnavailableError);
    expect(h.logger.lines.some((l) => l.fields.code === 'JWKS_INVALID')).toBe(true);
  });

  it('vouches only for the very key objects of the current set: new material under an old kid is another key', async () => {
    const h = harness([a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    const [before] = await store.candidates('key-a', 'RS256');
    const replacement = await makeKey('RS256', 'key-a'); // the issuer reuses the kid for a new key
    h.state.keys = [replacement.jwk];
    h.state.time += 600_000;
    const [after] = await store.candidates('key-a', 'RS256');
    expect(after).toBeDefined();
    expect(store.vouchesFor('key-a', 'RS256', after!.key)).toBe(true);
    expect(store.vouchesFor('key-a', 'RS256', before!.key)).toBe(false);
    // Only for the kid and alg it was verified under.
    expect(store.vouchesFor('key-b', 'RS256', after!.key)).toBe(false);
    expect(store.vouchesFor('key-a', 'PS256', after!.key)).toBe(false);
  });

  it('without a kid, uses the one key fitting the alg, and refuses to guess among several', async () => {
    const a2 = await makeKey('RS256', 'key-a2');
    const h = harness([a.jwk, b.jwk]);
    const store = h.make({ jwksUri: JWKS });
    expect(await store.candidates(undefined, 'ES256')).toHaveLength(1);
    h.state.keys = [a.jwk, a2.jwk, b.jwk];
    h.state.time += 600_000;
    expect(await store.candidates(undefined, 'RS256')).toHaveLength(2);
  });

  it('keeps at most 3 keys per kid, skipping the rest with a logged reason: a forged token costs 3 verifications, not 20', async () => {
    const shared = await Promise.all(Array.from({ length: 20 }, () => makeKey('ES256', 'shared')));
    const h = harness([...shared.map((k) => k.jwk), a.jwk]);
    const store = h.make({ jwksUri: JWKS });
    const found = await store.candidates('shared', 'ES256');
    expect(found).toHaveLength(3);
    // The first three published, in order, are the ones kept.
    const kept = await Promise.all(found.map((f) => crypto.subtle.exportKey('jwk', f.key)));
    expect(kept.map((k) => k.x)).toEqual(shared.slice(0, 3).map((k) => k.jwk.x));
    expect(await store.candidates(undefined, 'ES256')).toHaveLength(3); // skipped keys are out of the set entirely
    expect(await store.candidates('key-a', 'RS256')).toHaveLength(1); // other kids unaffected
    const fetched = h.logger.lines.find((l) => l.fields.event === 'jwks_fetch' && l.fields.outcome === 'ok')!;
    expect(fetched.fields.keys).toBe(4);
    expect(String(fetched.fields.skipped).split('; ')).toEqual(Array.from({ length: 17 }, () => 'shared: more than 3 keys share this kid'));
  });

  it('prefetch during init never throws, even when the issuer is down', async () => {
    const h = harness([a.jwk]);
    h.state.failWith = new FetchError('FETCH_NETWORK', 'ECONNREFUSED');
    const store = h.make({ jwksUri: JWKS });
    expect(() => store.prefetch()).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(h.logger.lines.some((l) => l.level === 'ERROR' && l.fields.why === 'prefetch')).toBe(true);
  });
});
