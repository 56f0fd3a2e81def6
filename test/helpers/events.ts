// REQUEST authorizer events shaped like the captured one in test/events, for any route and header set.
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import captured from '../events/authorizer-request.json';

export function authorizerEvent(
  options: { method?: string; resource?: string; authorization?: string | string[] | null } = {},
): APIGatewayRequestAuthorizerEvent {
  const method = options.method ?? 'GET';
  const resource = options.resource ?? '/profile';
  const event = structuredClone(captured) as unknown as APIGatewayRequestAuthorizerEvent & Record<string, any>;
  event.httpMethod = method;
  event.resource = resource;
  event.path = resource;
  event.methodArn = `arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/${method}${resource}`;
  event.requestContext.resourcePath = resource;
  event.requestContext.httpMethod = method;
  delete event.headers!.Authorization;
  delete event.multiValueHeaders!.Authorization;
  const auth = options.authorization;
  if (typeof auth === 'string') {
    event.headers!.Authorization = auth;
    event.multiValueHeaders!.Authorization = [auth];
  } else if (Array.isArray(auth)) {
    event.headers!.Authorization = auth[auth.length - 1]!;
    event.multiValueHeaders!.Authorization = auth;
  }
  return event;
}
