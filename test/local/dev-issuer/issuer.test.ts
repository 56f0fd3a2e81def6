import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type JSONWebKeySet } from 'jose';
import { startDevIssuer, type DevIssuer } from '../../../local/dev-issuer/issuer';
import { request } from '../support/http';

let issuer: DevIssuer;
const NOW = 1_800_000_000;

beforeAll(async () => {
  issuer = await startDevIssuer({ port: 0, nowSeconds: () => NOW });
});
afterAll(() => issuer.close());

const jwks = async (): Promise<JSONWebKeySet> => (await request(issuer.issuer, '/.well-known/jwks.json')).json();
const verify = async (token: string) => jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: issuer.issuer, audience: 'local-dev-api', currentDate: new Date(NOW * 1000) });

describe('dev OIDC issuer', () => {
  test('serves discovery naming itself exactly, and a JWKS', async () => {
    const discovery = await request(issuer.issuer, '/.well-known/openid-configuration');
    expect(discovery.headers['content-type']).toBe('application/json');
    expect(discovery.json()).toMatchObject({ issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/.well-known/jwks.json` });
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { keys } = await jwks();
    expect(keys.map((k) => [k.kty, k.alg, k.use, typeof k.kid])).toEqual([
      ['EC', 'ES256', 'sig', 'string'],
      ['EC', 'ES256', 'sig', 'string'],
    ]);
    expect(keys.some((k) => 'd' in k)).toBe(false);
  });

  test('mints RFC 9068 access tokens with the claims the authorizer reads', async () => {
    const token = await issuer.issueToken({ scope: 'openid profile', email: 'bob@example.com' });
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: issuer.kid });
    expect(payload).toMatchObject({ iss: issuer.issuer, aud: 'local-dev-api', scope: 'openid profile', email: 'bob@example.com', client_id: 'local-dev', iat: NOW, exp: NOW + 3600 });
    expect(payload.sub).toMatch(/^dev-[0-9a-f]{16}$/);
    const again = await verify(await issuer.issueToken({ email: 'bob@example.com' }));
    expect(again.payload.sub).toBe(payload.sub);
  });

  test('can mint an already-expired token, to see it refused', async () => {
    const token = await issuer.issueToken({ expiresInSeconds: -300 });
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  test('a planned rotation signs with the pre-published key and keeps the old one published', async () => {
    const before = (await jwks()).keys.map((k) => k.kid);
    const oldKid = issuer.kid;
    const newKid = await issuer.rotate();
    expect(newKid).not.toBe(oldKid);
    expect(before).toContain(newKid);
    const after = (await jwks()).keys.map((k) => k.kid);
    expect(after).toHaveLength(3);
    expect(after).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect(decodeProtectedHeader(await issuer.issueToken()).kid).toBe(newKid);
  });

  describe('/dev endpoints', () => {
    const post = (path: string, body: unknown, secret = issuer.secret) =>
      request(issuer.issuer, path, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    test('mint a token for the holder of the secret', async () => {
      const res = await post('/dev/token', { scope: 'openid', email: 'carol@example.com', expiresInSeconds: 60 });
      expect(res.status).toBe(200);
      const { payload } = await verify(res.json().access_token);
      expect([payload.scope, payload.email, payload.exp]).toEqual(['openid', 'carol@example.com', NOW + 60]);
    });

    test('mint a DPoP-bound token for a public key: cnf.jkt is its RFC 7638 thumbprint, token_type DPoP', async () => {
      const { publicKey } = await generateKeyPair('ES256');
      const jwk = await exportJWK(publicKey);
      const res = await post('/dev/token', { dpopJwk: jwk });
      expect(res.json().token_type).toBe('DPoP');
      const { payload } = await verify(res.json().access_token);
      expect(payload.cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
      expect((await post('/dev/token', {})).json().token_type).toBe('Bearer');
    });

    test('refuse to bind a private, symmetric or malformed key, or a cnf claim set by hand', async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const refused = async (body: unknown) => {
        const res = await post('/dev/token', body);
        expect(res.status).toBe(400);
        return res.json().error_description as string;
      };
      expect(await refused({ dpopJwk: await exportJWK(privateKey) })).toMatch(/private key members \(d\)/);
      expect(await refused({ dpopJwk: { kty: 'oct', k: 'c2VjcmV0' } })).toMatch(/EC, RSA or OKP/);
      expect(await refused({ dpopJwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } })).toMatch(/not a usable public key/);
      expect(await refused({ claims: { cnf: { jkt: 'x' } } })).toMatch(/may not set cnf/);
    });

    test('refuse anyone without the secret', async () => {
      expect((await post('/dev/token', {}, 'guess')).status).toBe(401);
      expect((await post('/dev/rotate', {}, 'guess')).status).toBe(401);
    });

    test('refuse a malformed request with a reason', async () => {
      const res = await post('/dev/token', { scope: 'openid "quoted"' });
      expect(res.status).toBe(400);
      expect(res.json().error_description).toMatch(/scope/);
      expect((await post('/dev/token', { admin: true })).json().error_description).toMatch(/unknown token request field "admin"/);
    });

    test('refuse a Host that is not loopback (DNS rebinding)', async () => {
      const res = await request(issuer.issuer, '/.well-known/jwks.json', { headers: { host: 'evil.example:80' } });
      expect(res.status).toBe(421);
    });
  });
});
