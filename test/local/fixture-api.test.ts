// The emulator over real HTTP, against a fixture CDK app synthesized here by aws-cdk-lib: authorizer
// caching and policy evaluation, every kind of authorizer failure, gateway responses and proxy answers.
import * as path from 'node:path';
import { startLocalApi, type LocalApi } from '../../local/server';
import { synthFixtureAssembly } from './fixtures/fixture-app';
import { request } from './support/http';
import { collectLogs, type Logs } from './support/logs';
import { tempDir } from './support/temp-dir';

const dir = tempDir('local-fixture');
let api: LocalApi;
let logs: Logs;
let now = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  synthFixtureAssembly(dir.path);
  logs = collectLogs();
  api = await startLocalApi({ assemblyDir: dir.path, port: 0, now: () => now, logRequest: logs.logRequest, logLambda: logs.logLambda });
}, 30000);
afterAll(async () => {
  // SHOW_LOCAL_LOGS=1 prints what the local API logged, for debugging a failure.
  if (process.env.SHOW_LOCAL_LOGS) console.log([...logs.requests, ...logs.lambda].join('\n'));
  await api?.close();
  dir.remove();
});

const get = (p: string, authorization?: string) => request(api.url, p, authorization === undefined ? {} : { headers: { Authorization: authorization } });

describe('Lambda authorizer', () => {
  test('a missing identity source is 401 without invoking the authorizer', async () => {
    const before = logs.lambda.length;
    const res = await get('/items/1');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="fixture", error="invalid_token"');
    expect(res.json()).toEqual({ message: 'Unauthorized' });
    expect(logs.lastAuthorizer()).toBe('skipped');
    expect(logs.lambda.length).toBe(before);
  });

  test('a cached policy is reused across routes within the TTL, and evaluated against each methodArn', async () => {
    const token = 'allow-items k1';
    expect((await get('/items/1', token)).status).toBe(200);
    expect(logs.lastAuthorizer()).toBe('invoked');

    const second = await get('/items/2', token);
    expect(second.status).toBe(200);
    expect(logs.lastAuthorizer()).toBe('cached');
    // The context handed on is the cached one: the authorizer ran once.
    expect(second.json().event.requestContext.authorizer.mode).toBe('allow-items');

    // Same cached answer on another route that its policy does not cover: 403, as on AWS.
    const other = await get('/other', token);
    expect(other.status).toBe(403);
    expect(other.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
    expect(other.json()).toEqual({ message: 'User is not authorized to access this resource', mode: '' });
    // An implicit deny: AWS renders no $context.authorizer, so the mapped headers are left out.
    expect(other.headers['x-mode']).toBeUndefined();
    expect(other.headers['x-principal']).toBeUndefined();
    expect(logs.lastAuthorizer()).toBe('cached');

    now += 299_000;
    await get('/items/3', token);
    expect(logs.lastAuthorizer()).toBe('cached');
    now += 1_000;
    expect((await get('/items/3', token)).status).toBe(200);
    expect(logs.lastAuthorizer()).toBe('invoked');
  });

  test('another identity-source value is another cache entry', async () => {
    await get('/items/1', 'allow-all k2');
    expect(logs.lastAuthorizer()).toBe('invoked');
    await get('/items/1', 'allow-all k3');
    expect(logs.lastAuthorizer()).toBe('invoked');
  });

  test('an explicit Deny beats an Allow with wildcards', async () => {
    const denied = await get('/other', 'deny-other k4');
    expect(denied.status).toBe(403);
    // An explicit Deny: the gateway response may read the answer's principal and context.
    expect(denied.json()).toEqual({ message: 'User is not authorized to access this resource with an explicit deny', mode: 'deny-other' });
    expect(denied.headers).toMatchObject({ 'x-mode': 'deny-other', 'x-principal': 'user-1' });
    expect((await get('/items/9', 'deny-other k4')).status).toBe(200);
  });

  test('exactly "Unauthorized" is 401, and is not cached', async () => {
    const refused = await get('/items/1', 'unauthorized k5');
    expect(refused.status).toBe(401);
    expect(refused.headers['x-mode']).toBeUndefined(); // no $context.authorizer on a thrown Unauthorized
    await get('/items/1', 'unauthorized k5');
    expect(logs.lastAuthorizer()).toBe('invoked');
  });

  test.each([
    ['no principalId', 'no-principal', /PRINCIPAL_MISSING/],
    ['an object in context', 'object-context', /CONTEXT_INVALID/],
    ['any other error', 'crash', /keys unavailable/],
  ])('%s is 500 AUTHORIZER_CONFIGURATION_ERROR, mapped by the gateway response to 503', async (_name, mode, reason) => {
    const res = await get('/items/1', `${mode} k6`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['x-request-id']).toBe(res.headers['x-amzn-requestid']);
    expect(res.headers['x-amzn-errortype']).toBe('AuthorizerConfigurationException');
    expect(res.json()).toEqual({ message: 'Service Unavailable', type: 'AUTHORIZER_CONFIGURATION_ERROR' });
    expect(logs.requests.at(-1)).toMatch(reason);
    // A failure is not cached either.
    await get('/items/1', `${mode} k6`);
    expect(logs.lastAuthorizer()).toBe('invoked');
  });

  test('an authorizer that outlives its Lambda timeout is a 503 too, and the next request gets a fresh sandbox', async () => {
    const res = await get('/items/1', 'hang k7');
    expect(res.status).toBe(503);
    expect(logs.requests.at(-1)).toMatch(/Sandbox\.Timedout: .*Task timed out after 1\.00 seconds/);
    expect((await get('/items/1', 'allow-all k8')).status).toBe(200);
  });

  test('without identity sources the authorizer runs on every request (TTL 0)', async () => {
    expect((await get('/open')).status).toBe(200);
    expect(logs.lastAuthorizer()).toBe('invoked');
    const again = await get('/open');
    expect(logs.lastAuthorizer()).toBe('invoked');
    expect(again.json().event.requestContext.authorizer.mode).toBe('anonymous');
  });

  test('warm sandboxes keep module state between invocations', async () => {
    const first = Number((await get('/open')).json().event.requestContext.authorizer.invocations);
    const second = Number((await get('/open')).json().event.requestContext.authorizer.invocations);
    expect(second).toBe(first + 1);
  });
});

describe('events', () => {
  const headers = ['Authorization', 'echo-event k9', 'X-Multi', 'a', 'x-multi', 'b', 'User-Agent', 'fixture-test'];

  test('the REQUEST authorizer event: methodArn, resource, headers, query, path parameters, stage variables, requestContext', async () => {
    const res = await request(api.url, '/items/a%2Fb?x=1&x=2&flag', { headers });
    expect(res.status).toBe(200);
    const { event: proxied } = res.json();
    const event = JSON.parse(proxied.requestContext.authorizer.event);
    const { apiId } = api.model;
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:us-east-1:123456789012:${apiId}/test/GET/items/a%2Fb`,
      resource: '/items/{id}',
      path: '/items/a/b',
      httpMethod: 'GET',
      headers: { Authorization: 'echo-event k9', 'X-Multi': 'b', 'User-Agent': 'fixture-test' },
      multiValueHeaders: { Authorization: ['echo-event k9'], 'X-Multi': ['a', 'b'] },
      queryStringParameters: { x: '2', flag: '' },
      multiValueQueryStringParameters: { x: ['1', '2'], flag: [''] },
      pathParameters: { id: 'a/b' },
      stageVariables: { color: 'blue' },
      requestContext: {
        stage: 'test',
        resourcePath: '/items/{id}',
        httpMethod: 'GET',
        // As the client called it (no stage in a local URL), with the host and port: what htu is rebuilt from.
        path: '/items/a/b',
        domainName: new URL(api.url).host,
        apiId,
        accountId: '123456789012',
        requestId: res.headers['x-amzn-requestid'],
        identity: { sourceIp: '127.0.0.1', userAgent: 'fixture-test' },
      },
    });
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.requestContext.requestTime).toMatch(/^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  test('the proxy event: the same request, and the authorizer output with every value a string', async () => {
    const res = await request(api.url, '/items/7?x=1', { headers: ['Authorization', 'allow-all k10', 'X-Multi', 'a', 'X-Multi', 'b'] });
    const { event } = res.json();
    expect(event).toMatchObject({
      resource: '/items/{id}',
      path: '/items/7',
      httpMethod: 'GET',
      multiValueHeaders: { 'X-Multi': ['a', 'b'] },
      queryStringParameters: { x: '1' },
      pathParameters: { id: '7' },
      stageVariables: { color: 'blue' },
      body: null,
      isBase64Encoded: false,
      requestContext: { stage: 'test', resourcePath: '/items/{id}', requestId: res.headers['x-amzn-requestid'] },
    });
    expect(event.requestContext.authorizer).toEqual({ principalId: 'user-1', mode: 'allow-all', invocations: expect.stringMatching(/^\d+$/), flag: 'true', integrationLatency: expect.any(Number) });
  });

  test('a proxy event without query or path parameters carries null for them; a binary body is base64', async () => {
    const { event } = (await request(api.url, '/files/x', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: Buffer.from([0, 1, 2, 255]) })).json();
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect([event.body, event.isBase64Encoded]).toEqual([Buffer.from([0, 1, 2, 255]).toString('base64'), true]);
    const open = (await get('/open')).json().event;
    expect(open.pathParameters).toBeNull();
  });
});

describe('routing and gateway responses', () => {
  test('an unknown path or method is 403 Missing Authentication Token, through the DEFAULT_4XX fallback', async () => {
    for (const res of [await get('/nowhere'), await request(api.url, '/items/1', { method: 'POST' })]) {
      expect(res.status).toBe(403);
      expect(res.json()).toEqual({ message: 'Missing Authentication Token' });
      expect(res.headers['x-fallback']).toBe('4xx');
      expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    }
  });

  test('ANY on a {proxy+} resource, without an authorizer', async () => {
    const res = await request(api.url, '/files/a/b%20c.txt', { method: 'PUT', body: 'hello' });
    expect(res.status).toBe(200);
    const { event } = res.json();
    expect([event.httpMethod, event.resource, event.path, event.pathParameters, event.body, event.isBase64Encoded]).toEqual(['PUT', '/files/{proxy+}', '/files/a/b c.txt', { proxy: 'a/b c.txt' }, 'hello', false]);
    expect(event.requestContext.authorizer).toBeUndefined();
  });
});

describe('Lambda proxy integration', () => {
  test('headers and multiValueHeaders of the answer are merged', async () => {
    const res = await get('/files/x');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-echo']).toBe('one, two');
    expect(res.headers['content-type']).toBe('application/json');
  });

  test.each([
    ['an object body', 'object-body'],
    ['no statusCode', 'no-status'],
    ['a thrown error', 'throw'],
    ['a runtime that exits', 'exit'],
  ])('%s is 502 Internal server error', async (_name, shape) => {
    const res = await get(`/broken?shape=${shape}`);
    expect(res.status).toBe(502);
    expect(res.json()).toEqual({ message: 'Internal server error' });
  });

  test('a good answer after a crashed runtime comes from a fresh sandbox', async () => {
    await get('/broken?shape=exit');
    const res = await get('/broken');
    expect([res.status, res.text, res.headers['content-type']]).toEqual([201, 'created', 'text/plain']);
  });

  test('a base64 body is decoded only for a client that accepts a binary media type', async () => {
    const asText = await get('/broken?shape=base64');
    expect(asText.text).toBe(Buffer.from('PNG!').toString('base64'));
    const asBytes = await request(api.url, '/broken?shape=base64', { headers: { Accept: 'image/png' } });
    expect(asBytes.body.toString('utf8')).toBe('PNG!');
  });

  test('each function runs on the Node its runtime gets: nodejs24.x on the installed Node 24, nodejs22.x (no binary here) on this one', async () => {
    const node24 = api.lambdaNodes.get('nodejs24.x')!;
    expect([node24.matches, node24.version.split('.')[0]]).toEqual([true, '24']);
    expect((await get('/files/node')).json().node).toBe(node24.version);
    expect(api.lambdaNodes.get('nodejs22.x')!.version).toBe(process.versions.node);
    expect((await get('/broken?shape=node')).text).toBe(process.versions.node);
  });

  test('each function has its own environment, as its own container would', async () => {
    await get('/broken');
    const { env } = (await get('/files/env')).json();
    expect(env).toEqual({ FIXTURE_VAR: 'echo', AWS_REGION: 'us-east-1', OTHER: null });
  });
});

test('sanity: the assembly was synthesized into the temp dir', () => {
  expect(path.isAbsolute(api.model.functions.values().next().value!.assetDir)).toBe(true);
  expect(api.model.stageName).toBe('test');
});

describe('MOCK integrations', () => {
  const preflight = (origin: string | undefined) =>
    request(api.url, '/items/1', { method: 'OPTIONS', headers: { ...(origin ? { Origin: origin } : {}), 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });

  test('the CORS preflight is answered without the authorizer: 204, the methods, headers and max age, the listed origin echoed', async () => {
    const before = logs.lambda.length;
    const res = await preflight('http://other.test');
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'http://other.test',
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'Authorization, Content-Type, DPoP',
      'access-control-max-age': '60',
      vary: 'Origin',
    });
    expect(logs.lastAuthorizer()).toBe('none');
    expect(logs.lambda.length).toBe(before);
  });

  test('an origin not listed, or none, gets the same 204 without Access-Control-Allow-Origin', async () => {
    for (const origin of ['http://evil.test', undefined]) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBe('GET');
    }
  });

  test('a Content-Type without a request template is 415 when passthrough is NEVER', async () => {
    const res = await request(api.url, '/items/1', { method: 'OPTIONS', headers: { Origin: 'http://app.test', 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.json()).toEqual({ message: 'Unsupported Media Type' });
  });

  test('the request template picks the status; the default response maps declared headers and renders its template', async () => {
    const res = await request(api.url, '/mock/200');
    expect(res.status).toBe(200);
    expect(res.headers['x-mock']).toBe('yes');
    expect(res.headers['x-stage']).toBe('blue');
    expect(res.headers['x-undeclared']).toBeUndefined();
    expect(res.json()).toEqual({ requestId: res.headers['x-amzn-requestid'], color: 'blue' });
  });

  test('a selection pattern picks another response, whose template may override the status', async () => {
    const res = await request(api.url, '/mock/404');
    expect(res.status).toBe(410);
    expect(res.json()).toEqual({ gone: true });
  });
});
