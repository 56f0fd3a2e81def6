// The request context API Gateway hands to authorizers and integrations ($context), and the methodArn.
// Stage, API and resource ids come from the template (ids are stable stand-ins); the rest from the request.
import type { ApiModel, MethodModel } from '../template/api-model';
import type { ApiRequest } from './api-request';
import { headerValue } from './api-request';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `27/Nov/2026:09:25:44 +0000`, as $context.requestTime. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** `arn:aws:execute-api:region:account:apiId/stage/GET/items/42`: the request's path, not the resource's. */
export function methodArn(api: ApiModel, request: ApiRequest): string {
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stageName}/${request.httpMethod}/${request.rawPath.replace(/^\//, '')}`;
}

/** The path as the event's `path`: decoded, without the stage. */
export function eventPath(request: ApiRequest): string {
  try {
    return decodeURIComponent(request.rawPath);
  } catch {
    return request.rawPath;
  }
}

/** `method` is undefined when no route matched (the context of a Missing Authentication Token answer). */
export function requestContext(api: ApiModel, method: MethodModel | undefined, request: ApiRequest): Record<string, unknown> {
  // The host as the client called it, port included: with the path below, what the authorizer rebuilds a DPoP
  // proof's htu from (http://127.0.0.1:3000/profile), as it does from a custom domain's name when deployed.
  const domainName = headerValue(request, 'host') ?? '127.0.0.1';
  return {
    resourceId: method?.resourceId ?? null,
    resourcePath: method?.resourcePath ?? null,
    httpMethod: request.httpMethod,
    extendedRequestId: request.requestId,
    requestTime: requestTime(request.receivedAt),
    // The path as the client called it: on the execute-api endpoint that starts with the stage; locally the URL
    // has none, as on a custom domain whose base path mapping is empty.
    path: eventPath(request),
    accountId: api.accountId,
    protocol: request.protocol,
    stage: api.stageName,
    domainPrefix: domainName.replace(/:\d+$/, '').split('.')[0],
    requestTimeEpoch: request.receivedAt,
    requestId: request.requestId,
    identity: {
      cognitoIdentityPoolId: null,
      accountId: null,
      cognitoIdentityId: null,
      caller: null,
      sourceIp: request.sourceIp,
      principalOrgId: null,
      accessKey: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
      userArn: null,
      userAgent: headerValue(request, 'user-agent') ?? null,
      user: null,
    },
    domainName,
    apiId: api.apiId,
  };
}

/** `$context.<name>` by dotted name, for identity sources and gateway response mappings. */
export function contextVariable(context: Record<string, unknown>, name: string): string | undefined {
  let value: unknown = context;
  for (const part of name.split('.')) value = (value as Record<string, unknown> | null | undefined)?.[part];
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}
