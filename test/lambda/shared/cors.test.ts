import { corsResponseHeaders, parseCorsOrigins, readCorsOrigins } from '../../../lambda/shared/cors';
import { routeHandler } from '../../../lambda/shared/route-handler';
import { homepage } from '../../../lambda/homepage/homepage';
import { profile } from '../../../lambda/profile/profile';
import { ANONYMOUS, proxyEvent, USER } from '../../helpers/proxy-events';

const parse = (v: string) => parseCorsOrigins(v, 'corsOrigins');
const withOrigin = (e: ReturnType<typeof proxyEvent>, origin: string, name = 'Origin') => ({ ...e, headers: { ...e.headers, [name]: origin } });
const TWO = 'https://app.example.com,http://localhost:5173';

describe('parseCorsOrigins', () => {
  test('a list of origins, trimmed, in order; * alone', () => {
    expect(parse(' https://app.example.com , http://localhost:5173,http://[::1]:8080')).toEqual({
      any: false,
      origins: ['https://app.example.com', 'http://localhost:5173', 'http://[::1]:8080'],
    });
    expect(parse('*')).toEqual({ any: true });
  });

  test.each([
    ['https://app.example.com/', /ends with a slash.*write https:\/\/app\.example\.com$/],
    ['https://app.example.com/app', /has more than an origin \(a path/],
    ['https://app.example.com?x=1', /has more than an origin/],
    ['https://user@app.example.com', /has more than an origin/],
    ['https://*.example.com', /has a wildcard; browsers send one exact origin/],
    ['https://app.*', /has a wildcard/],
    ['app.example.com', /is not an origin; write scheme:\/\/host\[:port\]/],
    ['ftp://app.example.com', /is not an http or https origin/],
    ['https://App.Example.com', /write https:\/\/app\.example\.com$/],
    ['https://app.example.com:443', /no default port\); write https:\/\/app\.example\.com$/],
    ['null', /opaque origin .* cannot be allowed/],
    ['https://a.example.com,,https://b.example.com', /must be \* or comma-separated origins/],
    ['*,https://app.example.com', /\* already allows every origin/],
    ['https://a.example.com,https://a.example.com', /https:\/\/a\.example\.com is listed twice/],
  ])('%s is refused with a message naming the setting', (value, message) => {
    expect(() => parse(value)).toThrow(message);
    expect(() => parse(value)).toThrow(/^corsOrigins/);
  });

  test('the Lambda reads it once from CORS_ALLOWED_ORIGINS; unset or blank is off', () => {
    expect(readCorsOrigins({})).toBeUndefined();
    expect(readCorsOrigins({ CORS_ALLOWED_ORIGINS: ' ' })).toBeUndefined();
    expect(readCorsOrigins({ CORS_ALLOWED_ORIGINS: '*' })).toEqual({ any: true });
    expect(() => readCorsOrigins({ CORS_ALLOWED_ORIGINS: 'https://x.example.com/' })).toThrow(/^CORS_ALLOWED_ORIGINS \(set by the stack from the CDK context value corsOrigins\)/);
  });
});

describe('corsResponseHeaders', () => {
  test('an allowed origin is echoed, with Vary and the exposed challenge headers', () => {
    expect(corsResponseHeaders(parse(TWO), 'http://localhost:5173')).toEqual({
      'Access-Control-Allow-Origin': 'http://localhost:5173',
      'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After',
      Vary: 'Origin',
    });
  });

  test('an origin not listed, or none, gets no Access-Control-Allow-Origin, only Vary', () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.example', 'HTTPS://APP.EXAMPLE.COM', undefined]) {
      expect(corsResponseHeaders(parse(TWO), origin)).toEqual({ Vary: 'Origin' });
    }
  });

  test('* answers * to anyone, without Vary', () => {
    expect(corsResponseHeaders(parse('*'), 'https://anyone.example')).toEqual({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After' });
  });
});

describe('route Lambdas answer with CORS headers from their configuration', () => {
  const cors = { CORS_ALLOWED_ORIGINS: TWO };

  test('200, and the handler’s own 401 and 403, carry the echoed origin for an allowed Origin', async () => {
    const home = routeHandler(homepage, { ROUTE_AUTH: 'optional', ...cors });
    const prof = routeHandler(profile, { ROUTE_AUTH: 'required', ROUTE_SCOPES: 'profile', ...cors });
    const answers = [
      await home(withOrigin(proxyEvent('/', ANONYMOUS), 'http://localhost:5173')),
      await prof(withOrigin(proxyEvent('/profile', ANONYMOUS), 'http://localhost:5173', 'origin')),
      await prof(withOrigin(proxyEvent('/profile', { ...USER, scopes: 'openid authenticated' }), 'http://localhost:5173')),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 403]);
    for (const a of answers) {
      expect(a.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'http://localhost:5173', 'Access-Control-Expose-Headers': 'WWW-Authenticate, Retry-After', Vary: 'Origin' });
      expect(a.headers!['content-type']).toBe('application/json');
    }
    expect(answers[2]!.headers!['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="profile"');
  });

  test('a disallowed origin gets the same answer without Access-Control-Allow-Origin', async () => {
    const home = routeHandler(homepage, { ROUTE_AUTH: 'optional', ...cors });
    const r = await home(withOrigin(proxyEvent('/', ANONYMOUS), 'https://evil.example.com'));
    expect(r.statusCode).toBe(200);
    expect(r.headers).toEqual({ 'content-type': 'application/json', Vary: 'Origin' });
  });

  test('without CORS_ALLOWED_ORIGINS the answers are as before', async () => {
    const r = await routeHandler(homepage, { ROUTE_AUTH: 'optional' })(withOrigin(proxyEvent('/', ANONYMOUS), 'http://localhost:5173'));
    expect(r.headers).toEqual({ 'content-type': 'application/json' });
  });

  test('a malformed setting fails the cold start, not a request', () => {
    expect(() => routeHandler(homepage, { ROUTE_AUTH: 'optional', CORS_ALLOWED_ORIGINS: 'https://*.example.com' })).toThrow(/CORS_ALLOWED_ORIGINS .* has a wildcard/);
  });

  test('a Vary the handler set is kept and extended', async () => {
    const r = await routeHandler(() => ({ statusCode: 200, headers: { vary: 'Accept' }, body: '' }), { ROUTE_AUTH: 'optional', ...cors })(proxyEvent('/', ANONYMOUS));
    expect(r.headers).toEqual({ vary: 'Accept, Origin' });
  });
});
