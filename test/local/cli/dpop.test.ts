// `npm run token -- --dpop` and `npm run dpop`: a token bound to a new key, saved with it, and proofs for it
// made by panva's dpop package, checked here with jose as the authorizer would (RFC 9449 §4.3).
import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { dpopProof, parseDpopArgs } from '../../../local/cli/dpop';
import { dpopKeyFileOf, readDpopKeyFile } from '../../../local/cli/dpop-key';
import { parseTokenArgs } from '../../../local/cli/token-args';
import { requestDpopToken } from '../../../local/cli/token';
import { startDevIssuer, type DevIssuer } from '../../../local/dev-issuer/issuer';
import type { DevIssuerState } from '../../../local/dev-issuer/state';
import { isLocalError } from '../../../local/errors';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('dpop-cli');
const stateFile = path.join(dir.path, 'dev-issuer.json');
const keyFile = dpopKeyFileOf(stateFile);
let issuer: DevIssuer;
let state: DevIssuerState;
let saved: { token: string; instructions: string };

beforeAll(async () => {
  issuer = await startDevIssuer({ port: 0 });
  state = { issuer: issuer.issuer, audience: issuer.audience, secret: issuer.secret, apiUrl: 'http://127.0.0.1:3000', pid: process.pid };
  saved = await requestDpopToken(state, { scope: 'openid profile' }, keyFile);
});
afterAll(async () => {
  await issuer.close();
  dir.remove();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const usageError = async (f: () => Promise<unknown> | unknown): Promise<string> => {
  try {
    await f();
  } catch (e) {
    return isLocalError(e, 'USAGE') ? e.message : `not a usage error: ${e}`;
  }
  return 'no error';
};
/** Verifies `proof` with the key it embeds, as a resource server does first. */
const verifyProof = (proof: string) => jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });

describe('token --dpop', () => {
  test('is parsed as a flag beside the other options', () => {
    expect(parseTokenArgs(['--dpop', '--scope', 'openid'])).toEqual({ help: false, dpop: true, request: { scope: 'openid' } });
    expect(parseTokenArgs(['--scope', 'openid'])).toEqual({ help: false, request: { scope: 'openid' } });
  });

  test('gets a token whose cnf.jkt is the thumbprint of the saved key, kept in a 0600 file beside the state', async () => {
    const file = readDpopKeyFile(keyFile);
    expect(file.token).toBe(saved.token);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const { d, ...publicJwk } = file.privateJwk;
    expect(typeof d).toBe('string');
    const claims = decodeJwt(saved.token);
    expect(claims.cnf).toEqual({ jkt: await calculateJwkThumbprint(publicJwk as JWK) });
    expect(claims).toMatchObject({ iss: issuer.issuer, scope: 'openid profile' });
  });

  test('says how to use it: the private key and a curl command with a proof from npm run dpop', () => {
    expect(saved.instructions).toContain(JSON.stringify(readDpopKeyFile(keyFile).privateJwk));
    expect(saved.instructions).toContain('curl -H "Authorization: DPoP $TOKEN" -H "DPoP: $(npm run -s dpop -- GET http://127.0.0.1:3000/profile)" http://127.0.0.1:3000/profile');
    expect(saved.instructions).not.toContain(saved.token);
  });

  test('with --port, the commands it suggests name that instance', async () => {
    const { instructions } = await requestDpopToken(state, {}, path.join(dir.path, 'port', 'dpop-key.json'), 4000);
    expect(instructions).toContain('TOKEN=$(npm run -s token -- --dpop --port 4000)');
    expect(instructions).toContain('$(npm run -s dpop -- GET http://127.0.0.1:3000/profile --port 4000)');
  });

  test('each run binds a new key', async () => {
    const other = path.join(dir.path, 'other', 'dpop-key.json');
    const again = await requestDpopToken(state, {}, other);
    expect(decodeJwt(again.token).cnf).not.toEqual(decodeJwt(saved.token).cnf);
  });
});

describe('npm run dpop', () => {
  const proofFor = (argv: string[]) => dpopProof(argv, { DPOP_KEY_FILE: keyFile }, dir.path);

  test('prints a proof the saved key signed, for the method, the URL without query or fragment, and the saved token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const proof = (await proofFor(['get', 'http://127.0.0.1:3000/profile?x=1#top']))!;
    const { payload, protectedHeader } = await verifyProof(proof);
    expect(payload).toMatchObject({ htm: 'GET', htu: 'http://127.0.0.1:3000/profile', ath: sha256(saved.token) });
    expect(typeof payload.jti).toBe('string');
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(protectedHeader.jwk).not.toHaveProperty('d');
    expect(await calculateJwkThumbprint(protectedHeader.jwk!)).toBe((decodeJwt(saved.token).cnf as { jkt: string }).jkt);
  });

  test('a new jti each time: a proof is for one request', async () => {
    const [a, b] = await Promise.all([proofFor(['GET', 'http://127.0.0.1:3000/profile']), proofFor(['GET', 'http://127.0.0.1:3000/profile'])]);
    expect(decodeJwt(a!).jti).not.toBe(decodeJwt(b!).jti);
  });

  test('--token names another token (its ath); --key another key file', async () => {
    expect(decodeJwt((await proofFor(['POST', 'https://api.example.com/v1/items', '--token', 'other-token']))!)).toMatchObject({ htm: 'POST', htu: 'https://api.example.com/v1/items', ath: sha256('other-token') });
    const proof = (await dpopProof(['GET', 'http://127.0.0.1:3000/', `--key=${keyFile}`], {}, dir.path))!;
    expect(decodeProtectedHeader(proof)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
  });

  test('finds the key beside the dev issuer state', async () => {
    expect(await dpopProof(['GET', 'http://127.0.0.1:3000/'], { DEV_ISSUER_STATE: stateFile }, dir.path)).toMatch(/^ey/);
  });

  test('refuses what it cannot make a proof for, saying what to do', async () => {
    expect(await usageError(() => parseDpopArgs(['GET']))).toMatch(/METHOD and URL/);
    expect(await usageError(() => parseDpopArgs(['GET', 'http://x/', '--nonce', 'n']))).toMatch(/unknown argument "--nonce"/);
    expect(await usageError(() => proofFor(['GET', '/profile']))).toMatch(/not an absolute URL/);
    expect(await usageError(() => proofFor(['GET', 'ftp://127.0.0.1/x']))).toMatch(/http or https/);
    expect(await usageError(() => proofFor(['GE T', 'http://127.0.0.1/x']))).toMatch(/not an HTTP method/);
    expect(await usageError(() => dpopProof(['GET', 'http://127.0.0.1/'], { DPOP_KEY_FILE: path.join(dir.path, 'none.json') }, dir.path))).toMatch(/token -- --dpop/);
    const damaged = path.join(dir.path, 'damaged.json');
    writeFileSync(damaged, JSON.stringify({ token: 't', privateJwk: { kty: 'EC' } }));
    expect(await usageError(() => dpopProof(['GET', 'http://127.0.0.1/'], { DPOP_KEY_FILE: damaged }, dir.path))).toMatch(/holds no DPoP key/);
  });
});
