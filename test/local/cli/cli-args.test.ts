import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDuration } from '../../../local/cli/duration';
import { isLocalError } from '../../../local/errors';
import { parseStartOptions } from '../../../local/cli/start-options';
import { parseTokenArgs } from '../../../local/cli/token-args';
import { tempDir } from '../support/temp-dir';

const usageError = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isLocalError(e, 'USAGE') ? e.message : `not a usage error: ${e}`;
  }
  return undefined;
};

describe('parseDuration', () => {
  test.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['2d', 172800],
    ['-5m', -300],
  ])('%s is %i seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  test('refuses what is not a duration', () => expect(usageError(() => parseDuration('1 hour'))).toMatch(/not a duration/));
});

describe('parseTokenArgs', () => {
  test('the documented form, and --name=value', () => {
    expect(parseTokenArgs(['--scope', 'openid  profile', '--email', 'a@b.c', '--expires', '1h'])).toEqual({
      help: false,
      request: { scope: 'openid profile', email: 'a@b.c', expiresInSeconds: 3600 },
    });
    expect(parseTokenArgs(['--expires=-5m', '--audience=other', '--sub=s'])).toEqual({ help: false, request: { expiresInSeconds: -300, audience: 'other', sub: 's' } });
    expect(parseTokenArgs([])).toEqual({ help: false, request: {} });
    expect(parseTokenArgs(['--help'])).toEqual({ help: true });
    expect(parseTokenArgs(['--port', '4000'])).toEqual({ help: false, port: 4000, request: {} });
    expect(usageError(() => parseTokenArgs(['--port', 'four']))).toMatch(/--port must be the PORT of a running npm start/);
  });

  test('--claim adds claims, repeatable, JSON values typed and anything else as text', () => {
    expect(parseTokenArgs(['--claim', 'cognito:groups=["admins","staff"]', '--claim=tenant_id=acme', '--claim', 'realm_access={"roles":["manager"]}', '--claim', 'level=3'])).toEqual({
      help: false,
      request: { claims: { 'cognito:groups': ['admins', 'staff'], tenant_id: 'acme', realm_access: { roles: ['manager'] }, level: 3 } },
    });
    expect(usageError(() => parseTokenArgs(['--claim', 'no-equals']))).toMatch(/--claim needs name=value/);
  });

  test('unknown or incomplete arguments are usage errors', () => {
    expect(usageError(() => parseTokenArgs(['--scopes', 'x']))).toMatch(/unknown argument "--scopes": did you mean --scope\?/);
    expect(usageError(() => parseTokenArgs(['--expire=1h']))).toMatch(/^unknown argument "--expire=1h": did you mean --expires\?/);
    expect(usageError(() => parseTokenArgs(['--banana']))).toMatch(/^unknown argument "--banana"\n/);
    expect(usageError(() => parseTokenArgs(['--email']))).toMatch(/--email needs a value/);
  });
});

describe('parseStartOptions', () => {
  test('defaults: port 3000, the issuer on the next port, synth when changed', () => {
    expect(parseStartOptions([], {})).toEqual({ port: 3000, issuerPort: 3001, synth: 'auto', envOverrides: {}, watch: false, verbose: false, metrics: false, help: false });
    expect(parseStartOptions(['--no-synth'], { PORT: '8080' })).toMatchObject({ port: 8080, issuerPort: 8081, synth: 'skip' });
    expect(parseStartOptions(['--synth'], { PORT: '8080', ISSUER_PORT: '9000' })).toMatchObject({ issuerPort: 9000, synth: 'force' });
  });

  test('--sender-constraint (or SENDER_CONSTRAINT) goes to the synth as senderConstraint, one of off, allowed, required', () => {
    expect(parseStartOptions(['--sender-constraint', 'allowed'], {})).toMatchObject({ senderConstraint: 'allowed' });
    expect(parseStartOptions([], { SENDER_CONSTRAINT: 'required' })).toMatchObject({ senderConstraint: 'required' });
    expect(parseStartOptions([], {})).not.toHaveProperty('senderConstraint');
    expect(usageError(() => parseStartOptions(['--sender-constraint=dpop'], {}))).toMatch(/must be one of off, allowed, required, got "dpop"/);
    expect(usageError(() => parseStartOptions(['--sender-constraint', 'allowed', '--no-synth'], {}))).toMatch(/needs a synth/);
  });

  test('--port, as npm run token takes it, and before PORT', () => {
    expect(parseStartOptions(['--port', '4000'], {})).toMatchObject({ port: 4000, issuerPort: 4001 });
    expect(parseStartOptions(['--port=4000'], { PORT: '5000' })).toMatchObject({ port: 4000, issuerPort: 4001 });
    expect(parseStartOptions(['--port', '4000'], { ISSUER_PORT: '9000' })).toMatchObject({ port: 4000, issuerPort: 9000 });
    expect(usageError(() => parseStartOptions(['--port'], {}))).toMatch(/^--port needs a value/);
  });

  test('--issuers entries are checked by the authorizer’s own parser, named at the index they were given', () => {
    const issuers = (entries: unknown) => usageError(() => parseStartOptions(['--issuers', JSON.stringify(entries)], {}));
    expect(issuers([{ issuer: 'https://idp.example.com/?x=1', audience: 'a' }])).toBe('--issuers (or ISSUERS) issuers[0].issuer must not carry a query, fragment or credentials, and "https://idp.example.com/?x=1" has a query');
    expect(issuers([{ issuer: 'https://a.example.com/', audience: 'a' }, { issuer: 'https://b.example.com/', audiance: 'b' }])).toMatch(/^--issuers \(or ISSUERS\) issuers\[1\] has the unknown setting "audiance"/);
    expect(issuers([{ issuer: 'https://a.example.com/' }])).toMatch(/^--issuers \(or ISSUERS\) issuers\[0\]\.audience is required/);
    expect(usageError(() => parseStartOptions(['--issuers', 'not json'], {}))).toMatch(/^--issuers \(or ISSUERS\) is not valid JSON/);
    expect(usageError(() => parseStartOptions([], { ISSUERS: '  ' }))).toBeUndefined();
    expect(usageError(() => parseStartOptions(['--issuers', ' '], {}))).toMatch(/^--issuers \(or ISSUERS\) must be a JSON array/);
    const many = Array.from({ length: 20 }, (_, i) => ({ issuer: `https://i${i}.example.com/`, audience: 'a' }));
    expect(issuers(many)).toMatch(/names 20 issuers; at most 19 beside the one npm start trusts/);
    expect(parseStartOptions(['--issuers', JSON.stringify(many.slice(1))], {}).moreIssuers).toHaveLength(19);
  });

  test('your own issuer needs its audience too', () => {
    expect(parseStartOptions(['--issuer', 'https://idp.example.com/', '--audience=api'], {})).toMatchObject({ issuer: 'https://idp.example.com/', audience: 'api' });
    expect(parseStartOptions([], { OIDC_ISSUER: 'https://idp.example.com/', OIDC_AUDIENCE: 'api' })).toMatchObject({ issuer: 'https://idp.example.com/' });
    expect(usageError(() => parseStartOptions([], { OIDC_ISSUER: 'https://idp.example.com/' }))).toMatch(/both your issuer and its audience/);
  });

  test('bad ports and arguments are usage errors', () => {
    expect(usageError(() => parseStartOptions([], { PORT: 'http' }))).toMatch(/PORT must be a port number/);
    expect(usageError(() => parseStartOptions(['--wach'], {}))).toMatch(/^unknown argument "--wach": did you mean --watch\?\n/);
    expect(usageError(() => parseStartOptions(['--isuer', 'https://idp.example.com/'], {}))).toMatch(/^unknown argument "--isuer": did you mean --issuer\?\n/);
    expect(usageError(() => parseStartOptions(['--isuers=[]'], {}))).toMatch(/^unknown argument "--isuers=\[\]": did you mean --issuers\?\n/);
    expect(usageError(() => parseStartOptions(['--nosynth'], {}))).toMatch(/did you mean --no-synth\?/);
    expect(usageError(() => parseStartOptions(['--banana'], {}))).toMatch(/^unknown argument "--banana"\n/);
    expect(usageError(() => parseStartOptions(['--port', '70000'], {}))).toMatch(/--port must be a port number/);
    expect(usageError(() => parseStartOptions(['--watch', '--no-synth'], {}))).toMatch(/--watch re-synthesizes/);
  });

  test('--metrics prints the metrics the Lambdas write; without it they are not shown', () => {
    expect(parseStartOptions(['--metrics'], {})).toMatchObject({ metrics: true });
    expect(parseStartOptions(['--watch'], {})).toMatchObject({ metrics: false });
  });

  test('--watch and --verbose', () => {
    expect(parseStartOptions(['--watch', '--verbose'], {})).toMatchObject({ watch: true, verbose: true });
  });

  test('--cors or CORS_ORIGINS turns CORS on for the synth, checked by the stack’s parser', () => {
    expect(parseStartOptions(['--cors', 'http://localhost:5173, https://app.example.com'], {}).corsOrigins).toBe('http://localhost:5173,https://app.example.com');
    expect(parseStartOptions(['--cors=*'], {}).corsOrigins).toBe('*');
    expect(parseStartOptions([], { CORS_ORIGINS: 'http://localhost:5173' }).corsOrigins).toBe('http://localhost:5173');
    expect(parseStartOptions(['--cors', 'http://localhost:5174'], { CORS_ORIGINS: 'http://localhost:5173' }).corsOrigins).toBe('http://localhost:5174');
    expect(parseStartOptions([], {})).not.toHaveProperty('corsOrigins');
    expect(usageError(() => parseStartOptions(['--cors', 'http://localhost:5173/'], {}))).toMatch(/^--cors \(or CORS_ORIGINS\): "http:\/\/localhost:5173\/" ends with a slash/);
    expect(usageError(() => parseStartOptions(['--cors', '*', '--no-synth'], {}))).toMatch(/needs a synth: drop --no-synth/);
  });

  test('--output places the cloud assembly elsewhere, never in the project folder itself', () => {
    expect(parseStartOptions(['--output', '/tmp/x/cdk.out'], {}).output).toBe('/tmp/x/cdk.out');
    expect(usageError(() => parseStartOptions(['--output', '.'], {}))).toMatch(/--output must name a directory/);
  });

  describe('--app serves another CDK app', () => {
    const temp = tempDir('start-app');
    const shop = path.join(temp.path, 'shop');
    mkdirSync(path.join(shop, 'handlers'), { recursive: true });
    writeFileSync(path.join(shop, 'cdk.json'), '{"app": "node app.js"}');
    afterAll(() => temp.remove());

    test('the folder holding its cdk.json, absolute, resolved from where npm start was typed (INIT_CWD)', () => {
      expect(parseStartOptions(['--app', shop], {}).app).toBe(shop);
      expect(parseStartOptions(['--app=shop'], { INIT_CWD: temp.path }).app).toBe(shop);
      expect(parseStartOptions(['--app', '..'], { INIT_CWD: path.join(shop, 'handlers') }).app).toBe(shop);
      expect(parseStartOptions([], {})).not.toHaveProperty('app');
    });

    test('combines with the other options: --watch, --output, your own issuer', () => {
      expect(parseStartOptions(['--app', shop, '--watch', '--output', '/tmp/x/cdk.out'], {})).toMatchObject({ app: shop, watch: true, output: '/tmp/x/cdk.out' });
      expect(parseStartOptions(['--app', shop, '--issuer', 'https://idp.example.com/', '--audience', 'shop'], {})).toMatchObject({ app: shop, issuer: 'https://idp.example.com/', audience: 'shop' });
    });

    test('a folder without cdk.json, a missing one, or no value are usage errors', () => {
      expect(usageError(() => parseStartOptions(['--app', path.join(shop, 'handlers')], {}))).toMatch(/^--app .*handlers: .*handlers holds no cdk\.json; name the folder of a CDK app/);
      expect(usageError(() => parseStartOptions(['--app', 'nowhere'], { INIT_CWD: temp.path }))).toMatch(/^--app nowhere: .*nowhere does not exist/);
      expect(usageError(() => parseStartOptions(['--app'], {}))).toMatch(/^--app needs a value/);
    });

    test('--output may not be the app folder itself', () => {
      expect(usageError(() => parseStartOptions(['--app', shop, '--output', shop], {}))).toMatch(/--output must name a directory for the cloud assembly/);
      expect(parseStartOptions(['--app', shop, '--output', path.join(shop, 'cdk.local')], {}).output).toBe(path.join(shop, 'cdk.local'));
    });
  });

  test('--rest-api (or REST_API) names the RestApi to serve, the flag first', () => {
    expect(parseStartOptions(['--rest-api', 'AdminApi'], {}).restApi).toBe('AdminApi');
    expect(parseStartOptions([], { REST_API: 'ShopApi' }).restApi).toBe('ShopApi');
    expect(parseStartOptions(['--rest-api=AdminApi'], { REST_API: 'ShopApi' }).restApi).toBe('AdminApi');
    expect(parseStartOptions([], { REST_API: ' ' })).not.toHaveProperty('restApi');
  });
});
