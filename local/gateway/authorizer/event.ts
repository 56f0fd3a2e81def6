// The event a Lambda authorizer receives, shaped as API Gateway's REQUEST and TOKEN authorizer inputs
// for REST APIs. Unlike proxy events, empty maps arrive as {} rather than null.
import type { AuthorizerModel } from '../../template/api-model';
import type { ApiRequest } from '../api-request';
import type { RouteMatch } from '../routing';

export interface AuthorizerEventInput {
  readonly authorizer: AuthorizerModel;
  readonly match: RouteMatch;
  readonly request: ApiRequest;
  readonly methodArn: string;
  readonly path: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly requestContext: Record<string, unknown>;
  /** TOKEN authorizers: the identity source's value. */
  readonly token?: string;
}

export function authorizerEvent(input: AuthorizerEventInput): Record<string, unknown> {
  const { authorizer, match, request } = input;
  if (authorizer.type === 'TOKEN') return { type: 'TOKEN', authorizationToken: input.token ?? '', methodArn: input.methodArn };
  return {
    type: 'REQUEST',
    methodArn: input.methodArn,
    resource: match.method.resourcePath,
    path: input.path,
    httpMethod: request.httpMethod,
    headers: request.headers,
    multiValueHeaders: request.multiValueHeaders,
    queryStringParameters: request.query ?? {},
    multiValueQueryStringParameters: request.multiValueQuery ?? {},
    pathParameters: match.pathParameters ?? {},
    stageVariables: input.stageVariables,
    requestContext: input.requestContext,
  };
}
