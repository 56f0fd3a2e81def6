// A REQUEST authorizer event as API Gateway sends it for `GET /profile` (headers as captured).
// No runtime imports: the cold-start child uses this and must load nothing the contenders would load.
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';

/** A REQUEST authorizer event shaped like one API Gateway sends for `GET /profile` (headers as captured). */
export function authorizerEvent(token: string): APIGatewayRequestAuthorizerEvent {
  const authorization = `Bearer ${token}`;
  const host = 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: authorization,
    'CloudFront-Forwarded-Proto': 'https',
    Host: host,
    'User-Agent': 'curl/8.5.0',
    'X-Amzn-Trace-Id': 'Root=1-6747a1b2-0123456789abcdef01234567',
    'X-Forwarded-For': '203.0.113.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  return asLambdaGivesIt({
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/profile',
    resource: '/profile',
    path: '/profile',
    httpMethod: 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: {},
    stageVariables: null,
    requestContext: {
      resourceId: 'x1y2z3',
      resourcePath: '/profile',
      httpMethod: 'GET',
      extendedRequestId: 'CmGq1FhLDoEFxyw=',
      requestTime: '27/Nov/2026:09:30:00 +0000',
      path: '/prod/profile',
      accountId: '123456789012',
      protocol: 'HTTP/1.1',
      stage: 'prod',
      domainPrefix: 'a1b2c3d4e5',
      requestTimeEpoch: 1795771800000,
      requestId: '7c1c5e0e-6a43-4f0c-9d3e-3b8f5d6a2c11',
      identity: { sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
      domainName: host,
      apiId: 'a1b2c3d4e5',
    },
  });
}

/**
 * The event as the Lambda runtime hands it to a handler: parsed from the invoke's JSON, so every string is a
 * flat one. (Built with a template literal instead, `Authorization` would be a cons string that the handler's
 * first read flattens into a fresh copy hung off the long-lived event, which V8 then promotes: about 640 B of
 * old space per event that no deployed authorizer pays.)
 */
function asLambdaGivesIt(event: object): APIGatewayRequestAuthorizerEvent {
  return JSON.parse(JSON.stringify(event)) as APIGatewayRequestAuthorizerEvent;
}
