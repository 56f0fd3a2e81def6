import type { GatewayResponseModel } from '../../../local/template/api-model';
import type { ApiRequest } from '../../../local/gateway/api-request';
import { gatewayResponse } from '../../../local/gateway/gateway-responses';

const request: ApiRequest = {
  requestId: 'req-1',
  receivedAt: 0,
  httpMethod: 'GET',
  rawPath: '/x',
  headers: { 'X-Trace': 't-1' },
  multiValueHeaders: { 'X-Trace': ['t-1'] },
  query: null,
  multiValueQuery: null,
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
};
const scope = { context: { requestId: 'req-1', stage: 'prod' }, request, stageVariables: { env: 'dev' } };
const models = (...list: GatewayResponseModel[]) => new Map(list.map((m) => [m.type, m]));
const render = (m: Map<string, GatewayResponseModel>, type: Parameters<typeof gatewayResponse>[1], options = {}) => {
  const a = gatewayResponse(m, type, scope, options);
  return { status: a.statusCode, headers: a.headers, body: a.body.toString('utf8') };
};

describe('gatewayResponse', () => {
  test("AWS's built-in answers when the template customizes nothing", () => {
    expect(render(models(), 'UNAUTHORIZED')).toEqual({
      status: 401,
      headers: { 'Content-Type': ['application/json'], 'x-amzn-ErrorType': ['UnauthorizedException'] },
      body: '{"message":"Unauthorized"}',
    });
    expect(render(models(), 'MISSING_AUTHENTICATION_TOKEN')).toMatchObject({ status: 403, body: '{"message":"Missing Authentication Token"}' });
    expect(render(models(), 'AUTHORIZER_CONFIGURATION_ERROR')).toMatchObject({ status: 500, body: '{"message":null}' });
    expect(render(models(), 'ACCESS_DENIED', { message: 'User is not authorized to access this resource with an explicit deny' }).body).toBe(
      '{"message":"User is not authorized to access this resource with an explicit deny"}',
    );
  });

  test('a customized type: its status, mapped headers (literal, request header, context, stage variable) and template', () => {
    const m = models({
      type: 'AUTHORIZER_CONFIGURATION_ERROR',
      statusCode: 503,
      headers: { 'Retry-After': "'5'", 'X-Trace': 'method.request.header.x-trace', 'X-Req': 'context.requestId', 'X-Env': 'stageVariables.env', 'X-Missing': 'method.request.header.nope' },
      templates: { 'application/json': '{"message":"Service Unavailable","type":"$context.error.responseType","id":"${context.requestId}","m":$context.error.messageString}' },
    });
    expect(render(m, 'AUTHORIZER_CONFIGURATION_ERROR')).toEqual({
      status: 503,
      headers: {
        'Retry-After': ['5'],
        'X-Trace': ['t-1'],
        'X-Req': ['req-1'],
        'X-Env': ['dev'],
        'Content-Type': ['application/json'],
        'x-amzn-ErrorType': ['AuthorizerConfigurationException'],
      },
      body: '{"message":"Service Unavailable","type":"AUTHORIZER_CONFIGURATION_ERROR","id":"req-1","m":null}',
    });
  });

  test('an uncustomized type falls back to DEFAULT_4XX / DEFAULT_5XX, whose status code then applies to the whole class', () => {
    const m = models(
      { type: 'DEFAULT_4XX', headers: { 'Access-Control-Allow-Origin': "'*'" }, templates: {} },
      { type: 'DEFAULT_5XX', statusCode: 599, headers: {}, templates: { 'application/json': '{"oops":true}' } },
    );
    expect(render(m, 'MISSING_AUTHENTICATION_TOKEN')).toMatchObject({ status: 403, headers: { 'Access-Control-Allow-Origin': ['*'] }, body: '{"message":"Missing Authentication Token"}' });
    expect(render(m, 'AUTHORIZER_FAILURE')).toMatchObject({ status: 599, body: '{"oops":true}' });
  });
});
