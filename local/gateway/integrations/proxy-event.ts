// The event a Lambda proxy integration receives (REST API, payload format 1.0). Authorizer output is in
// requestContext.authorizer with every context value stringified, as AWS does for proxy integrations.
import type { ApiModel } from '../../template/api-model';
import { headerValue, type ApiRequest } from '../api-request';
import type { AuthorizerAnswer } from '../authorizer/answer';
import { matchesMediaType } from '../media-type';
import type { RouteMatch } from '../routing';

export interface Authorization {
  readonly answer: AuthorizerAnswer;
  /** How long the authorizer took (0 for a cached answer), milliseconds. */
  readonly latencyMs: number;
}

/** requestContext.authorizer: principalId, the context values as strings, and integrationLatency. */
export function authorizerContext(auth: Authorization): Record<string, unknown> {
  const context = Object.fromEntries(Object.entries(auth.answer.context).map(([k, v]) => [k, String(v)]));
  return { ...context, principalId: auth.answer.principalId, integrationLatency: auth.latencyMs };
}

export function proxyEvent(
  api: ApiModel,
  match: RouteMatch,
  request: ApiRequest,
  path: string,
  requestContext: Record<string, unknown>,
  auth: Authorization | undefined,
): Record<string, unknown> {
  const binary = matchesMediaType(api.binaryMediaTypes, headerValue(request, 'content-type'));
  const hasStageVariables = Object.keys(api.stageVariables).length > 0;
  return {
    resource: match.method.resourcePath,
    path,
    httpMethod: request.httpMethod,
    headers: request.headers,
    multiValueHeaders: request.multiValueHeaders,
    queryStringParameters: request.query,
    multiValueQueryStringParameters: request.multiValueQuery,
    pathParameters: match.pathParameters,
    stageVariables: hasStageVariables ? api.stageVariables : null,
    requestContext: auth ? { ...requestContext, authorizer: authorizerContext(auth) } : requestContext,
    body: request.body.length === 0 ? null : request.body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary && request.body.length > 0,
  };
}
