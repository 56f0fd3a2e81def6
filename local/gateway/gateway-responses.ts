// API Gateway's own answers (401, 403, 5xx…) rendered from the template's AWS::ApiGateway::GatewayResponse
// resources: a type not customized falls back to DEFAULT_4XX or DEFAULT_5XX and then to AWS's built-in
// status, headers and `{"message":$context.error.messageString}` body. Header values are mapping
// expressions ('literal', method.request.header.X, context.X, stageVariables.X); templates are rendered
// for their $context and $stageVariables references only (no VTL directives).
import type { GatewayResponseModel } from '../template/api-model';
import type { ApiRequest } from './api-request';
import { addHeader, type HttpAnswer } from './http-answer';
import { mappedValue } from './mapping';
import { contextVariable } from './request-context';

export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'API_CONFIGURATION_ERROR'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

interface BuiltIn {
  readonly status: number;
  readonly errorType: string;
  /** null renders as `{"message": null}`, which is what AWS sends for authorizer errors. */
  readonly message: string | null;
}

const BUILT_IN: Readonly<Record<GatewayResponseType, BuiltIn>> = {
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException', message: 'User is not authorized to access this resource' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, errorType: 'AuthorizerConfigurationException', message: null },
  AUTHORIZER_FAILURE: { status: 500, errorType: 'AuthorizerFailureException', message: null },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException', message: 'Endpoint request timed out' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException', message: 'Request Too Long' },
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, errorType: 'UnsupportedMediaTypeException', message: 'Unsupported Media Type' },
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' },
  DEFAULT_4XX: { status: 400, errorType: 'BadRequestException', message: 'Bad Request' },
  // A Lambda integration's error or malformed answer: 502 through DEFAULT_5XX.
  DEFAULT_5XX: { status: 502, errorType: 'InternalServerErrorException', message: 'Internal server error' },
};

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

export interface GatewayResponseScope {
  /** The request context, as built for the authorizer or integration ($context). */
  readonly context: Record<string, unknown>;
  readonly request: ApiRequest;
  readonly pathParameters?: Readonly<Record<string, string>> | null;
  readonly stageVariables: Readonly<Record<string, string>>;
}

export interface GatewayResponseOptions {
  /** Replaces the built-in message, e.g. the explicit-deny wording of ACCESS_DENIED. */
  readonly message?: string | null;
  /**
   * $context.authorizer (principalId and the answer's context): given only for an ACCESS_DENIED that an
   * explicit Deny caused, the one refusal AWS renders it in. A thrown Unauthorized (UNAUTHORIZED) has none.
   */
  readonly authorizer?: Readonly<Record<string, string | number | boolean>>;
}

function render(template: string, scope: GatewayResponseScope, vars: Record<string, unknown>): string {
  // `$context.x.y` and `${context.x.y}`; a trailing dot is the template's, not the variable's.
  const reference = /\$\{(context|stageVariables)\.([A-Za-z0-9_.]+)\}|\$(context|stageVariables)\.([A-Za-z0-9_.]*[A-Za-z0-9_])/g;
  return template.replace(reference, (_whole, braced: string | undefined, bracedName: string, root: string, name: string) => {
    const [r, n] = braced ? [braced, bracedName] : [root, name];
    return (r === 'context' ? contextVariable(vars, n) : scope.stageVariables[n]) ?? '';
  });
}

export function gatewayResponse(
  models: ReadonlyMap<string, GatewayResponseModel>,
  type: GatewayResponseType,
  scope: GatewayResponseScope,
  options: GatewayResponseOptions = {},
): HttpAnswer {
  const builtIn = BUILT_IN[type];
  const fallbackType = builtIn.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const own = models.get(type);
  const fallback = type === fallbackType ? undefined : models.get(fallbackType);
  const statusCode = own?.statusCode ?? fallback?.statusCode ?? builtIn.status;
  const message = options.message === undefined ? builtIn.message : options.message;
  const vars = {
    ...scope.context,
    ...(options.authorizer !== undefined ? { authorizer: options.authorizer } : {}),
    error: { message: message ?? '', messageString: message === null ? 'null' : JSON.stringify(message), responseType: type, validationErrorString: '' },
  };

  const headers: Record<string, string[]> = {};
  // A customized type is used as written; an uncustomized one takes DEFAULT_4XX/5XX's headers and body.
  const chosen = own ?? fallback;
  const mapping = chosen?.headers ?? {};
  for (const [name, expression] of Object.entries(mapping)) {
    const value = mappedValue(expression, scope, vars);
    if (value !== undefined) addHeader(headers, name, value);
  }
  const templates = chosen?.templates ?? {};
  const contentType = Object.hasOwn(templates, 'application/json') ? 'application/json' : (Object.keys(templates)[0] ?? 'application/json');
  const body = render(templates[contentType] ?? DEFAULT_TEMPLATE, scope, vars);
  headers['Content-Type'] = [contentType];
  headers['x-amzn-ErrorType'] = [builtIn.errorType];
  return { statusCode, headers, body: Buffer.from(body, 'utf8') };
}
