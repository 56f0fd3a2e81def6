// Lambda proxy events as API Gateway builds them after the authorizer, with its context stringified.
import type { APIGatewayProxyEvent } from 'aws-lambda';

export function proxyEvent(resource: string, authorizer: Record<string, string> | null): APIGatewayProxyEvent {
  return {
    resource,
    path: resource,
    httpMethod: 'GET',
    headers: { Host: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com' },
    multiValueHeaders: { Host: ['a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      authorizer: authorizer ? { ...authorizer, integrationLatency: 7 } : null,
      httpMethod: 'GET',
      identity: { sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/prod${resource}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1795771800000,
      resourceId: 'x1y2z3',
      resourcePath: resource,
      stage: 'prod',
    },
  };
}

export const USER = { principalId: 'user-123', sub: 'user-123', username: 'alice@example.com', scopes: 'openid profile authenticated', anonymous: 'false' };
export const ANONYMOUS = { principalId: 'anonymous', anonymous: 'true', scopes: '' };
