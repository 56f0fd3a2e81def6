import { generateKeyPairSync } from 'node:crypto';
import { importVerificationKey, isRejection } from '../../../lambda/authorizer/jwk';
import { DEFAULT_ALGORITHMS } from '../../../lambda/authorizer/algorithms';
import { makeKey } from '../../helpers/keys';

const ALL = DEFAULT_ALGORITHMS;

describe('importVerificationKey', () => {
  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'])('imports a %s key bound to its alg', async (alg) => {
    const k = await makeKey(alg);
    const r = await importVerificationKey(k.jwk, ALL);
    if (isRejection(r)) throw new Error(r.reason);
    expect([...r.algorithms]).toEqual([alg]);
    expect(r.kid).toBe(k.kid);
  });

  it('binds an RSA key without alg to every allowed RSA algorithm, and nothing else', async () => {
    const { alg: _alg, ...jwk } = (await makeKey('RS256')).jwk;
    const r = await importVerificationKey(jwk, ALL);
    if (isRejection(r)) throw new Error(r.reason);
    expect([...r.algorithms].sort()).toEqual(['PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512']);
  });

  it('binds an EC key without alg to the algorithm of its curve only', async () => {
    const { alg: _alg, ...jwk } = (await makeKey('ES384')).jwk;
    const r = await importVerificationKey(jwk, ALL);
    if (isRejection(r)) throw new Error(r.reason);
    expect([...r.algorithms]).toEqual(['ES384']);
  });

  it.each([
    ['use enc', { use: 'enc' }, /use/],
    ['key_ops without verify', { key_ops: ['encrypt'] }, /key_ops/],
    ['alg off the allowlist', { alg: 'HS256' }, /not allowed/],
    ['alg of another family', { alg: 'ES256' }, /not allowed/],
    ['kid not a string', { kid: 42 }, /kid/],
    ['symmetric key', { kty: 'oct', k: 'c2VjcmV0' }, /kty/],
  ])('rejects a key with %s', async (_name, patch, reason) => {
    const k = await makeKey('RS256');
    const r = await importVerificationKey({ ...k.jwk, ...patch }, ALL);
    expect(isRejection(r) && r.reason).toMatch(reason);
  });

  it('rejects an RSA key under 2048 bits', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const r = await importVerificationKey({ ...publicKey.export({ format: 'jwk' }), kid: 'small', alg: 'RS256' }, ALL);
    expect(isRejection(r) && r.reason).toMatch(/2048/);
  });

  it('rejects a key whose algorithms are all off the configured allowlist', async () => {
    const k = await makeKey('ES256');
    const r = await importVerificationKey(k.jwk, ['RS256']);
    expect(isRejection(r)).toBe(true);
  });

  it('never holds private material a careless issuer publishes', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const r = await importVerificationKey({ ...privateKey.export({ format: 'jwk' }), kid: 'leaky', alg: 'ES256' }, ALL);
    if (isRejection(r)) throw new Error(r.reason);
    expect(r.key.type).toBe('public');
  });

  it('rejects malformed key material', async () => {
    const r = await importVerificationKey({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'bad', alg: 'ES256' }, ALL);
    expect(isRejection(r)).toBe(true);
  });
});
