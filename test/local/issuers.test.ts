// `npm start --issuers`: the embedded dev issuer stands for one issuer, a loopback test issuer (ES256, by
// JWKS URI) for another, both served by the real synthesized stack through the emulator.
import * as path from 'node:path';
import { banner } from '../../local/cli/banner';
import { parseStartOptions, trustContext } from '../../local/cli/start-options';
import { startDevIssuer, type DevIssuer } from '../../local/dev-issuer/issuer';
import { startLocalApi, type LocalApi } from '../../local/server';
import { synthesize } from '../../local/template/synth';
import { startIssuer, type TestIssuer } from '../helpers/issuer';
import { makeKey, signToken, type TestKey } from '../helpers/keys';
import { request } from './support/http';
import { tempDir } from './support/temp-dir';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = tempDir('local-issuers');
let dev: DevIssuer;
let partner: TestIssuer;
let key: TestKey;
let api: LocalApi;

beforeAll(async () => {
  [dev, key] = await Promise.all([startDevIssuer({ port: 0 }), makeKey('ES256', 'partner-1')]);
  partner = await startIssuer([key.jwk]);
  const options = parseStartOptions(['--issuers', JSON.stringify([{ issuer: partner.url, audience: 'partner-api', jwksUri: partner.jwksUri, requiredScopes: [] }])], {});
  const outDir = path.join(dir.path, 'cdk.out');
  await synthesize({ projectDir: ROOT, outDir, context: trustContext({ issuer: dev.issuer, audience: dev.audience }, options.moreIssuers) });
  api = await startLocalApi({ assemblyDir: outDir, port: 0, logRequest: () => undefined, logLambda: () => undefined });
}, 60000);
afterAll(async () => {
  await api?.close();
  await Promise.all([dev?.close(), partner?.close()]);
  dir.remove();
});

const get = (p: string, token: string) => request(api.url, p, { headers: { Authorization: `Bearer ${token}` } });

test('the authorizer trusts the dev issuer and the other one, each under its own audience and rules', async () => {
  const fromDev = await get('/profile', await dev.issueToken({ scope: 'openid profile' }));
  expect(fromDev.status).toBe(200);
  expect(fromDev.json().auth.issuer).toBe(dev.issuer);
  const partnerToken = (claims: Record<string, unknown>) => signToken(key, partner.url, { claims: { aud: 'partner-api', ...claims } });
  const fromPartner = await get('/', await partnerToken({ scope: undefined })); // the partner requires no scope
  expect(fromPartner.status).toBe(200);
  expect((await get('/', await partnerToken({ aud: dev.audience }))).status).toBe(401); // the dev issuer's audience
  expect((await get('/', await signToken(key, 'https://stranger.example.com', { claims: { aud: 'partner-api' } }))).status).toBe(401);
  expect(partner.hits.discovery).toBe(0);
});

test('the banner names the other trusted issuer beside the dev issuer, as the served template says', () => {
  const text = banner({ model: api.model, apiUrl: api.url, assemblyNote: 'synthesized', lambdaNodes: new Map(), issuer: dev.issuer, audience: dev.audience, devIssuer: true });
  const lines = text.split('\n');
  const devLine = lines.findIndex((l) => l.startsWith(`Dev OIDC issuer ${dev.issuer}`));
  expect(devLine).toBeGreaterThan(0);
  expect(lines[devLine + 1]).toBe(`Also trusted: ${partner.url} (audience partner-api); get tokens from it`);
  expect(lines.filter((l) => l.startsWith('Also trusted:'))).toHaveLength(1);
});

test('--issuers is checked before anything starts', () => {
  expect(() => parseStartOptions(['--issuers', '{}'], {})).toThrow(/--issuers \(or ISSUERS\) must be a non-empty JSON array/);
  expect(() => parseStartOptions(['--issuers', '[{"issuer":"x"}]', '--no-synth'], {})).toThrow(/needs a synth/);
  expect(trustContext({ issuer: 'https://a/', audience: 'x' }, undefined)).toEqual({ issuer: 'https://a/', audience: 'x' });
});
