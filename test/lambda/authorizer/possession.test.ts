// Proof of possession end to end through the handler: a real issuer that binds tokens (oidc-provider with DPoP
// and mutual-TLS certificate binding), proofs made by panva's `dpop` library, the replay store on a real
// DynamoDB-compatible server (dynalite) on loopback. The authorizer's clock is injected; proofs and tokens carry
// the real time, and the authorizer's clock is moved to make them stale or early.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { generateKeyPair as generateDpopKey, generateProof, type KeyPair } from 'dpop';
import { exportJWK, SignJWT, type JWK } from 'jose';
import { readConfig } from '../../../lambda/authorizer/config';
import { createAuthorizer } from '../../../lambda/authorizer/handler';
import { bindingOf, requestUri } from '../../../lambda/authorizer/possession';
import { NO_METRICS } from '../../../lambda/authorizer/metrics';
import type { ReplayStore } from '../../../lambda/authorizer/replay-store';
import { selfSignedCertificate } from '../../helpers/certificates';
import { clientConfigFor, startReplayTable, startSilentServer, type ReplayTable } from '../../helpers/dynalite';
import { DynamoReplayStore } from '../../../lambda/authorizer/replay-store';
import { authorizerEvent } from '../../helpers/events';
import { makeKey, type TestKey } from '../../helpers/keys';
import { captureLogger } from '../../helpers/log';
import { startProvider, type RealProvider } from '../../helpers/oidc-provider';

const API = 'https://api.example.com';
const EXECUTE_API = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const ROUTES = [
  { method: 'GET', resourcePath: '/bearer', auth: 'required' },
  { method: 'GET', resourcePath: '/either', auth: 'required', senderConstraint: 'allowed' },
  { method: 'GET', resourcePath: '/bound', auth: 'required', senderConstraint: 'required' },
  { method: 'POST', resourcePath: '/bound', auth: 'required', senderConstraint: 'required' },
];
/** clockToleranceSeconds, as configured below. */
const TOLERANCE = 5;
/** How old a proof may be: dpopProofMaxAgeSeconds + clockToleranceSeconds, as configured below. */
const WINDOW = 60 + TOLERANCE;

let provider: RealProvider;
let issuerKey: TestKey;
let replay: ReplayTable;
let clientKey: KeyPair;
/** A DPoP-bound token (cnf.jkt = clientKey's thumbprint), another bound to the same key, and a plain one. */
let bound: string;
let otherBound: string;
let plain: string;
/** Added to the real clock by the authorizer. */
let skew = 0;

function authorizer(options: { store?: ReplayStore } = {}) {
  const logger = captureLogger();
  const config = readConfig({
    OIDC_ISSUER: provider.issuer,
    OIDC_AUDIENCE: API,
    OIDC_REQUIRED_SCOPES: '',
    OIDC_CLOCK_TOLERANCE_SECONDS: '5',
    OIDC_ROUTES: JSON.stringify(ROUTES),
    OIDC_DPOP_REPLAY_TABLE: replay.table,
  });
  const a = createAuthorizer(config, { now: () => Date.now() + skew * 1000, logger, metrics: NO_METRICS, replayStore: options.store ?? replay.store() });
  return Object.assign(a, { logger, reason: () => logger.lines.filter((l) => l.fields.event === 'decision').at(-1)?.fields.reason });
}

interface Call {
  method?: string;
  path?: string;
  authorization?: string;
  dpop?: string | string[];
  domainName?: string;
  /** The path as the client called it (requestContext.path). @default `/prod${path}` */
  calledPath?: string;
  cert?: string;
}

function event(call: Call): APIGatewayRequestAuthorizerEvent {
  const path = call.path ?? '/bound';
  const e = authorizerEvent({ method: call.method ?? 'GET', resource: path, authorization: call.authorization ?? null });
  e.requestContext.domainName = call.domainName ?? EXECUTE_API;
  e.requestContext.path = call.calledPath ?? `/prod${path}`;
  if (call.dpop !== undefined) {
    const values = typeof call.dpop === 'string' ? [call.dpop] : call.dpop;
    e.headers!.DPoP = values.at(-1)!;
    e.multiValueHeaders!.DPoP = values;
  }
  if (call.cert) (e.requestContext.identity as { clientCert: unknown }).clientCert = { clientCertPem: call.cert, subjectDN: 'CN=client', issuerDN: 'CN=client', serialNumber: '1', validity: { notBefore: '', notAfter: '' } };
  return e;
}

const htu = (path = '/bound', host = EXECUTE_API, stage = '/prod') => `https://${host}${stage}${path}`;
const proof = (options: { key?: KeyPair; url?: string; method?: string; token?: string } = {}) =>
  generateProof(options.key ?? clientKey, options.url ?? htu(), options.method ?? 'GET', undefined, options.token ?? bound);

async function allowed(a: ReturnType<typeof authorizer>, call: Call) {
  const answer = await a.handler(event(call));
  expect(answer.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  return answer;
}

async function refused(a: ReturnType<typeof authorizer>, call: Call, reason: string, answer = 'Unauthorized') {
  await expect(a.handler(event(call))).rejects.toThrow(answer);
  expect(a.reason()).toBe(reason);
}

const resources = (answer: { policyDocument: { Statement: unknown[] } }) => (answer.policyDocument.Statement[0] as { Resource: string[] }).Resource;

/** A proof JWT with any header, signed by `sign` (jose for real algorithms, by hand for HS256 and none). */
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (token = bound) => ({ htm: 'GET', htu: htu(), iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') });
let clientJwk: JWK;
/** A proof by the client's key (non-extractable, as the library made it) whose iat is `offset` seconds from now. */
const proofAt = (offset: number) =>
  new SignJWT({ ...claims(), iat: Math.floor(Date.now() / 1000) + offset }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: clientJwk }).sign(clientKey.privateKey);

beforeAll(async () => {
  issuerKey = await makeKey('ES256', 'issuer-key');
  [provider, replay, clientKey] = await Promise.all([
    startProvider({ keys: [issuerKey], resources: { [API]: { scope: 'api:read', alg: 'ES256' } }, accounts: {}, senderConstrained: true }),
    startReplayTable(),
    generateDpopKey('ES256'),
  ]);
  clientJwk = await exportJWK(clientKey.publicKey);
  const dpop = (url: string, method: string) => generateProof(clientKey, url, method);
  [bound, otherBound, plain] = await Promise.all([
    provider.clientCredentials({ resource: API, scope: 'api:read', dpop }),
    provider.clientCredentials({ resource: API, scope: 'api:read', dpop }),
    provider.clientCredentials({ resource: API, scope: 'api:read' }),
  ]);
});

afterAll(async () => {
  await Promise.all([provider?.close(), replay?.close()]);
});

afterEach(() => {
  skew = 0;
});

describe('DPoP (RFC 9449) with a real issuer and library-made proofs', () => {
  it('the issuer binds the token to the client key: cnf.jkt is its thumbprint', async () => {
    const payload = JSON.parse(Buffer.from(bound.split('.')[1]!, 'base64url').toString()) as { cnf?: { jkt?: string } };
    const { calculateThumbprint } = await import('dpop');
    expect(payload.cnf?.jkt).toBe(await calculateThumbprint(clientKey.publicKey));
  });

  it('allows a bound token with its proof, at the execute-api URL (with the stage)', async () => {
    const a = authorizer();
    const answer = await allowed(a, { authorization: `DPoP ${bound}`, dpop: await proof() });
    expect(a.reason()).toBe('TOKEN_VALID');
    // A decision with a proof covers only routes that take one (and API Gateway never caches it: TTL 0).
    expect(resources(answer)).toEqual(expect.arrayContaining([expect.stringMatching(/\/GET\/bound$/), expect.stringMatching(/\/GET\/either$/)]));
    expect(resources(answer).some((r) => r.endsWith('/GET/bearer'))).toBe(false);
  });

  it('allows the custom-domain form: htu carries the base path mapping, not the stage', async () => {
    const url = htu('/bound', 'api.example.com', '/v1');
    await allowed(authorizer(), { authorization: `dpop ${bound}`, dpop: await proof({ url }), domainName: 'api.example.com', calledPath: '/v1/bound' });
  });

  it('allows http:// for a loopback domainName only (the emulator)', async () => {
    const local = await proof({ url: 'http://127.0.0.1:3000/bound' });
    await allowed(authorizer(), { authorization: `DPoP ${bound}`, dpop: local, domainName: '127.0.0.1:3000', calledPath: '/bound' });
    const plainHttp = await proof({ url: `http://${EXECUTE_API}/prod/bound` });
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: plainHttp }, 'DPOP_PROOF_INVALID');
  });

  it('refuses a proof replayed to the same container', async () => {
    const a = authorizer();
    const p = await proof();
    await allowed(a, { authorization: `DPoP ${bound}`, dpop: p });
    await refused(a, { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_REPLAY');
  });

  it('refuses a proof replayed to another container sharing the table', async () => {
    const p = await proof();
    await allowed(authorizer(), { authorization: `DPoP ${bound}`, dpop: p });
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_REPLAY');
  });

  it('checks the proof on a verified-token cache hit too', async () => {
    const a = authorizer();
    await allowed(a, { authorization: `DPoP ${bound}`, dpop: await proof() });
    await refused(a, { authorization: `DPoP ${bound}`, dpop: await proof({ method: 'POST' }) }, 'DPOP_PROOF_INVALID');
    expect(a.logger.lines.filter((l) => l.fields.event === 'decision').map((l) => l.fields.cached)).toEqual([false, undefined]);
    expect(a.tokenCache.size).toBe(1);
  });

  it('refuses a proof for another method (htm)', async () => {
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proof({ method: 'POST' }) }, 'DPOP_PROOF_INVALID');
  });

  it('refuses a proof for another URL (htu)', async () => {
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proof({ url: htu('/either') }) }, 'DPOP_PROOF_INVALID');
  });

  it('refuses a proof whose htu carries a query', async () => {
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proof({ url: `${htu()}?a=1` }) }, 'DPOP_PROOF_INVALID');
  });

  it('refuses a stale proof (iat older than the window)', async () => {
    const p = await proof();
    skew = WINDOW + 1;
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_PROOF_INVALID');
  });

  it('accepts a proof at the edge of the window: up to the window old, up to the tolerance ahead', async () => {
    await allowed(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proofAt(-(WINDOW - 1)) });
    await allowed(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proofAt(TOLERANCE - 1) });
  });

  it('refuses a proof from the future (iat beyond the clock tolerance), so none can be made ahead of use', async () => {
    // The token's own clock is left alone: only the proof says it is from the future.
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proofAt(TOLERANCE + 2) }, 'DPOP_PROOF_INVALID');
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proofAt(WINDOW - 1) }, 'DPOP_PROOF_INVALID');
  });

  it('refuses a proof whose ath is the hash of another token', async () => {
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proof({ token: otherBound }) }, 'DPOP_BINDING_MISMATCH');
  });

  it('refuses a proof made with another key than the one the token is bound to', async () => {
    const thief = await generateDpopKey('ES256');
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: await proof({ key: thief }) }, 'DPOP_BINDING_MISMATCH');
  });

  it('refuses a proof whose jwk carries the private key', async () => {
    const { privateKey } = await generateDpopKey('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const p = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(privateKey);
    const a = authorizer();
    await refused(a, { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_PROOF_INVALID');
    // Refused before jose imports it (jose would too): the private members are never read as a key.
    expect(a.logger.lines.at(-1)?.fields.detail).toBe('the proof jwk is not a public key');
    expect(a.logger.text()).not.toContain(jwk.d);
  });

  it('refuses alg none', async () => {
    const p = `${b64({ alg: 'none', typ: 'dpop+jwt', jwk: clientJwk })}.${b64(claims())}.`;
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_PROOF_INVALID');
  });

  it('refuses alg HS256 keyed with the public key it embeds', async () => {
    const input = `${b64({ alg: 'HS256', typ: 'dpop+jwt', jwk: clientJwk })}.${b64(claims())}`;
    const p = `${input}.${createHmac('sha256', JSON.stringify(clientJwk)).update(input).digest('base64url')}`;
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_PROOF_INVALID');
  });

  it('refuses a proof whose typ is not dpop+jwt', async () => {
    const { privateKey, publicKey } = await generateDpopKey('ES256');
    const p = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: await exportJWK(publicKey) }).sign(privateKey);
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_PROOF_INVALID');
  });

  it('refuses two DPoP headers', async () => {
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: [await proof(), await proof()] }, 'DPOP_PROOF_INVALID');
  });

  it('refuses a bound token without a proof', async () => {
    await refused(authorizer(), { authorization: `DPoP ${bound}` }, 'DPOP_PROOF_MISSING');
  });

  it("refuses a proof signed by the token issuer's key", async () => {
    const p = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: issuerKey.jwk.kty!, crv: issuerKey.jwk.crv!, x: issuerKey.jwk.x!, y: issuerKey.jwk.y! } }).sign(issuerKey.privateKey);
    await refused(authorizer(), { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_BINDING_MISMATCH');
  });

  it('refuses a bound token sent as Bearer, where proofs are allowed or required', async () => {
    const a = authorizer();
    await refused(a, { path: '/either', authorization: `Bearer ${bound}` }, 'BEARER_NOT_ALLOWED');
    await refused(a, { path: '/bound', authorization: `Bearer ${bound}`, dpop: await proof() }, 'BEARER_NOT_ALLOWED');
  });

  it('refuses a plain bearer token on a route that requires a proof', async () => {
    await refused(authorizer(), { path: '/bound', authorization: `Bearer ${plain}` }, 'BEARER_NOT_ALLOWED');
  });

  it('refuses the DPoP scheme with a token that is not bound', async () => {
    const p = await proof({ token: plain });
    await refused(authorizer(), { authorization: `DPoP ${plain}`, dpop: p }, 'DPOP_BINDING_MISMATCH');
  });

  it("allows a plain bearer token where proofs are allowed, in a policy that leaves out routes requiring one", async () => {
    const answer = await allowed(authorizer(), { path: '/either', authorization: `Bearer ${plain}` });
    expect(resources(answer).some((r) => r.endsWith('/GET/either'))).toBe(true);
    expect(resources(answer).some((r) => r.endsWith('/bound'))).toBe(false);
  });

  it('keeps an off route Bearer only, and refuses a DPoP-bound token there, since other routes take proofs (RFC 9449 §7.2)', async () => {
    const a = authorizer();
    const answer = await allowed(a, { path: '/bearer', authorization: `Bearer ${plain}` });
    expect(resources(answer).some((r) => r.endsWith('/bound'))).toBe(false);
    await refused(a, { path: '/bearer', authorization: `Bearer ${bound}` }, 'BEARER_NOT_ALLOWED');
    await refused(a, { path: '/bearer', authorization: `DPoP ${bound}`, dpop: await proof({ url: htu('/bearer') }) }, 'TOKEN_MALFORMED');
  });

  it('answers 503 when the replay store is down, never an allow', async () => {
    const down = await startReplayTable('down');
    const a = authorizer({ store: down.store() });
    await down.close();
    await refused(a, { authorization: `DPoP ${bound}`, dpop: await proof() }, 'REPLAY_STORE_UNAVAILABLE', 'Authorizer unavailable');
  });

  it('answers 503 when the replay store does not answer in time', async () => {
    const silent = await startSilentServer();
    try {
      const a = authorizer({ store: new DynamoReplayStore('dpop-replay', clientConfigFor(silent.endpoint), 200) });
      await refused(a, { authorization: `DPoP ${bound}`, dpop: await proof() }, 'REPLAY_STORE_UNAVAILABLE', 'Authorizer unavailable');
    } finally {
      await silent.close();
    }
  });

  it('never logs the token or the proof', async () => {
    const a = authorizer();
    const p = await proof();
    await allowed(a, { authorization: `DPoP ${bound}`, dpop: p });
    await refused(a, { authorization: `DPoP ${bound}`, dpop: p }, 'DPOP_REPLAY');
    for (const secret of [bound, p, bound.split('.')[2]!, p.split('.')[2]!]) expect(a.logger.text()).not.toContain(secret);
  });
});

describe('certificate-bound tokens (RFC 8705) from the same issuer', () => {
  let cert: string;
  let certBound: string;

  beforeAll(async () => {
    cert = selfSignedCertificate('client');
    certBound = await provider.clientCredentials({ resource: API, scope: 'api:read', certificate: cert });
  });

  it('allows the token with the certificate it is bound to', async () => {
    const payload = JSON.parse(Buffer.from(certBound.split('.')[1]!, 'base64url').toString()) as { cnf?: Record<string, string> };
    expect(payload.cnf?.['x5t#S256']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await allowed(authorizer(), { path: '/bound', authorization: `Bearer ${certBound}`, cert });
  });

  it('refuses it with another certificate', async () => {
    await refused(authorizer(), { path: '/bound', authorization: `Bearer ${certBound}`, cert: selfSignedCertificate('client') }, 'CERT_BINDING_MISMATCH');
  });

  it('refuses it without a certificate', async () => {
    await refused(authorizer(), { path: '/either', authorization: `Bearer ${certBound}` }, 'CERT_BINDING_MISMATCH');
  });

  it('refuses it on a route that takes no proofs, even with its certificate: the cached authorizer cannot check one', async () => {
    await refused(authorizer(), { path: '/bearer', authorization: `Bearer ${certBound}`, cert }, 'BEARER_NOT_ALLOWED');
  });
});

describe('requestUri and bindingOf', () => {
  it('rebuilds the URL as the client called it, http only on loopback', () => {
    expect(requestUri({ domainName: EXECUTE_API, path: '/prod/items/1' })).toBe(`https://${EXECUTE_API}/prod/items/1`);
    expect(requestUri({ domainName: 'api.example.com', path: '/v1/items/1' })).toBe('https://api.example.com/v1/items/1');
    expect(requestUri({ domainName: 'localhost:3000', path: '/items' })).toBe('http://localhost:3000/items');
    expect(requestUri({ domainName: '[::1]:3000', path: '/items' })).toBe('http://[::1]:3000/items');
    expect(requestUri({ domainName: '127.0.0.1.example.com', path: '/items' })).toBe('https://127.0.0.1.example.com/items');
    expect(requestUri({ domainName: undefined, path: '/items' })).toBeUndefined();
    expect(requestUri({ domainName: 'api.example.com', path: 'items' })).toBeUndefined();
  });

  it("reads a token's cnf: jkt, x5t#S256, or a binding nothing can prove", () => {
    expect(bindingOf({})).toBeUndefined();
    expect(bindingOf({ cnf: { jkt: 'abc' } })).toEqual({ jkt: 'abc' });
    expect(bindingOf({ cnf: { 'x5t#S256': 'def', kid: 'x' } })).toEqual({ x5t: 'def' });
    expect(bindingOf({ cnf: 'abc' })).toEqual({});
    expect(bindingOf({ cnf: { jkt: 7 } })).toEqual({});
  });
});
