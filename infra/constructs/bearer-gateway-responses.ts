// API Gateway's own error answers, shaped as RFC 6750 bearer-token challenges with static JSON bodies
// (never the authorizer's error text). The authorizer's failures (keys unavailable, a crash) arrive as
// 500s; callers get 503 + Retry-After instead, because they are transient and worth retrying.
import { ResponseType, type RestApiBase } from 'aws-cdk-lib/aws-apigateway';

/** Seconds a client should wait before retrying after the authorizer could not decide. */
export const RETRY_AFTER_SECONDS = 5;

// Printable ASCII without the quote characters: the realm sits in an RFC 7235 quoted-string, itself
// inside a single-quoted API Gateway static mapping value.
const REALM = /^[\x20\x21\x23-\x26\x28-\x5B\x5D-\x7E]+$/;

/** Adds the 401, 403 and 503 gateway responses; `realm` names the protection space in WWW-Authenticate. */
export function addBearerGatewayResponses(api: RestApiBase, realm: string): void {
  if (!REALM.test(realm)) {
    throw new Error(`realm must be printable ASCII without quotes or backslashes, got ${JSON.stringify(realm)}`);
  }
  const json = (message: string) => ({ 'application/json': JSON.stringify({ message }) });
  // API Gateway reads header values as mapping expressions: a literal must be wrapped in single quotes.
  const literal = (value: string) => `'${value}'`;

  // No token on a required route (API Gateway answers itself) or the authorizer threw 'Unauthorized'.
  // API Gateway cannot tell those apart here, so both carry error="invalid_token" (RFC 6750 §3.1).
  api.addGatewayResponse('Unauthorized', {
    type: ResponseType.UNAUTHORIZED,
    statusCode: '401',
    responseHeaders: { 'WWW-Authenticate': literal(`Bearer realm="${realm}", error="invalid_token"`) },
    templates: json('Unauthorized'),
  });
  // A valid token whose policy does not list this route: it lacks the route's scopes. The challenge
  // names no realm: the caller already holds a token for this one and only needs more scope.
  api.addGatewayResponse('AccessDenied', {
    type: ResponseType.ACCESS_DENIED,
    statusCode: '403',
    responseHeaders: { 'WWW-Authenticate': literal('Bearer error="insufficient_scope"') },
    templates: json('Forbidden'),
  });
  for (const [id, type] of [
    ['AuthorizerFailure', ResponseType.AUTHORIZER_FAILURE],
    ['AuthorizerConfigurationError', ResponseType.AUTHORIZER_CONFIGURATION_ERROR],
  ] as const) {
    api.addGatewayResponse(id, {
      type,
      statusCode: '503',
      responseHeaders: { 'Retry-After': literal(String(RETRY_AFTER_SECONDS)) },
      templates: json('Service Unavailable'),
    });
  }
}
