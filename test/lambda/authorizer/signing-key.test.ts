// A JWK of the issuer's set, imported by jose: which algorithms it may serve is jose's call, asked per alg.
import { generateKeyPairSync } from 'node:crypto';
import { DEFAULT_ALGORITHMS } from '../../../lambda/authorizer/algorithms';
import { isRejection, SigningKey } from '../../../lambda/authorizer/signing-key';
import { makeKey } from '../../helpers/keys';

const ALL = DEFAULT_ALGORITHMS;

async function imported(jwk: unknown, allowed: readonly string[] = ALL) {
  const r = await SigningKey.import(jwk, allowed);
  if (isRejection(r)) throw new Error(r.reason);
  return r;
}

/** The algorithms `key` fits, asked one by one as tokens would. */
async function fitting(key: SigningKey, algs: readonly string[] = ALL): Promise<string[]> {
  const out: string[] = [];
  for (const alg of algs) if (await key.fit(alg)) out.push(alg);
  return out;
}

describe('SigningKey', () => {
  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'])('imports a %s key bound to its alg', async (alg) => {
    const k = await makeKey(alg);
    const key = await imported(k.jwk);
    expect(await fitting(key)).toEqual([alg]);
    expect(key.kid).toBe(k.kid);
  });

  it('binds an RSA key without alg to every allowed RSA algorithm, and nothing else', async () => {
    const { alg: _alg, ...jwk } = (await makeKey('RS256')).jwk;
    expect((await fitting(await imported(jwk))).sort()).toEqual(['PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512']);
  });

  it('binds an EC key without alg to the algorithm of its curve only', async () => {
    const { alg: _alg, ...jwk } = (await makeKey('ES384')).jwk;
    expect(await fitting(await imported(jwk))).toEqual(['ES384']);
  });

  it('fits no algorithm off the configured allowlist, even one jose supports', async () => {
    const { alg: _alg, ...jwk } = (await makeKey('RS256')).jwk;
    const key = await imported(jwk, ['PS256']);
    expect(await fitting(key, [...ALL, 'HS256'])).toEqual(['PS256']);
  });

  it('knows a fit without a promise once it was asked (the hot path)', async () => {
    const key = await imported((await makeKey('ES256')).jwk);
    expect(key.fitNow('ES256')).toMatchObject({ alg: 'ES256' }); // imported at import time
    expect(key.fitNow('RS256')).toBeUndefined(); // never asked
    await key.fit('RS256');
    expect(key.fitNow('RS256')).toBeNull();
  });

  it.each([
    ['use enc', { use: 'enc' }, /no allowed algorithm fits it \(kty "RSA", alg "RS256", use "enc"\)/],
    ['key_ops without verify', { key_ops: ['encrypt'] }, /no allowed algorithm fits it/],
    ['alg off the allowlist', { alg: 'HS256' }, /not allowed/],
    ['alg of another family', { alg: 'ES256' }, /no allowed algorithm fits it/],
    ['kid not a string', { kid: 42 }, /kid/],
    ['symmetric key', { kty: 'oct', k: 'c2VjcmV0', alg: undefined }, /no allowed algorithm fits it \(kty "oct"/],
  ])('rejects a key with %s', async (_name, patch, reason) => {
    const k = await makeKey('RS256');
    const r = await SigningKey.import({ ...k.jwk, ...patch }, ALL);
    expect(isRejection(r) && r.reason).toMatch(reason);
  });

  it('rejects an RSA key under 2048 bits', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const r = await SigningKey.import({ ...publicKey.export({ format: 'jwk' }), kid: 'small', alg: 'RS256' }, ALL);
    expect(isRejection(r) && r.reason).toMatch(/2048/);
  });

  it('rejects a key whose algorithms are all off the configured allowlist', async () => {
    const k = await makeKey('ES256');
    expect(isRejection(await SigningKey.import(k.jwk, ['RS256']))).toBe(true);
  });

  it('refuses a key that publishes private material, as jose does: such an issuer has leaked its key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const r = await SigningKey.import({ ...privateKey.export({ format: 'jwk' }), kid: 'leaky', alg: 'ES256' }, ALL);
    expect(isRejection(r) && r.reason).toMatch(/private/);
  });

  it('rejects malformed key material, saying jose could not import it', async () => {
    const r = await SigningKey.import({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'bad', alg: 'ES256' }, ALL);
    expect(isRejection(r) && r.reason).toMatch(/import failed/);
  });

  it('rejects what is not a JWK at all', async () => {
    for (const jwk of [null, 'x', [1], 42]) expect(isRejection(await SigningKey.import(jwk, ALL))).toBe(true);
  });
});
