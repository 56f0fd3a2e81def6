// API Gateway's own error answers, shaped as RFC 6750 bearer-token challenges with static JSON bodies
// (never the authorizer's error text). The authorizer's failures (keys unavailable, a crash) arrive as
// 500s; callers get 503 + Retry-After instead, because they are transient and worth retrying. With CORS on,
// these and every other API Gateway answer (DEFAULT_4XX/5XX: Missing Authentication Token, throttling…)
// carry the CORS headers, so a browser app can read the challenge. On an API with methods that take DPoP
// proofs, the 401 also challenges for DPoP (RFC 9449 §7.1) with the algorithms proofs may use: API Gateway's
// gateway responses see no per-request context, so the challenge is the same for every 401 of the API.
import { ResponseType, type RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import type { CorsOrigins } from '../../lambda/shared/cors';
import { gatewayResponseCorsHeaders } from './cors';

/** Seconds a client should wait before retrying after the authorizer could not decide. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The RFC 6750 §3 `error_description` of each challenge: fixed text, never a value from the token. One text
 * per status, not one per reason code, because that is all API Gateway can carry:
 * - 401 (UNAUTHORIZED) is reached by a thrown `Unauthorized` or a missing identity source, and its gateway
 *   response sees no `$context.authorizer`: the authorizer's reason cannot reach it. (API Gateway's result
 *   cache keeps the decision per Authorization value anyway.)
 * - 403 (ACCESS_DENIED) sees `$context.authorizer.*` after an explicit Deny, but a header mapping is one
 *   expression, a literal or one variable: a challenge taken from the context would vanish on every implicit
 *   deny (a route the token's Allow leaves out), and the context is one per token, cached and reused on every
 *   route, so it cannot name the scope one route lacks. The log's reason code says which rule failed.
 * Each is an RFC 6750 quoted-string value: %x20-21 / %x23-5B / %x5D-7E, and no `'` (the mapping's own quote).
 */
export const ERROR_DESCRIPTIONS = Object.freeze({
  invalid_token: 'The access token is missing, malformed, expired or not valid for this API',
  insufficient_scope: 'The access token does not meet the scope, claim or issuer requirements of this route',
});

// Printable ASCII without the quote characters: the realm sits in an RFC 7235 quoted-string, itself
// inside a single-quoted API Gateway static mapping value.
const REALM = /^[\x20\x21\x23-\x26\x28-\x5B\x5D-\x7E]+$/;

// JWS algorithm names, as the authorizer's parser admits them (algorithms.ts).
const ALG = /^[A-Za-z0-9]+$/;

/**
 * Adds the 401, 403 and 503 gateway responses; `realm` names the protection space in WWW-Authenticate.
 * With `cors`, they and DEFAULT_4XX/DEFAULT_5XX also carry static CORS headers. With `dpopAlgorithms`, the 401
 * challenges for DPoP beside Bearer.
 */
export function addBearerGatewayResponses(api: RestApiBase, realm: string, cors?: CorsOrigins, dpopAlgorithms?: readonly string[]): void {
  if (!REALM.test(realm)) {
    throw new Error(`realm must be printable ASCII without quotes or backslashes, got ${JSON.stringify(realm)}`);
  }
  if (dpopAlgorithms !== undefined && (dpopAlgorithms.length === 0 || !dpopAlgorithms.every((a) => ALG.test(a)))) {
    throw new Error(`dpopAlgorithms must be JWS algorithm names, got ${JSON.stringify(dpopAlgorithms)}`);
  }
  const json = (message: string) => ({ 'application/json': JSON.stringify({ message }) });
  // API Gateway reads header values as mapping expressions: a literal must be wrapped in single quotes.
  const literal = (value: string) => `'${value}'`;
  const corsHeaders = cors ? gatewayResponseCorsHeaders(cors) : {};

  // No token on a required route (API Gateway answers itself) or the authorizer threw 'Unauthorized'.
  // API Gateway cannot tell those apart here, so both carry error="invalid_token" (RFC 6750 §3.1); nor a bad
  // proof from a bad token, so the DPoP challenge names no error (RFC 9449 §7.1 makes it optional).
  const dpop = dpopAlgorithms ? `, DPoP realm="${realm}", algs="${dpopAlgorithms.join(' ')}"` : '';
  api.addGatewayResponse('Unauthorized', {
    type: ResponseType.UNAUTHORIZED,
    statusCode: '401',
    responseHeaders: { 'WWW-Authenticate': literal(`Bearer realm="${realm}", error="invalid_token", error_description="${ERROR_DESCRIPTIONS.invalid_token}"${dpop}`), ...corsHeaders },
    templates: json('Unauthorized'),
  });
  // A valid token whose policy does not list this route (it lacks the route's scopes, claims or issuer), or
  // is an explicit Deny (it lacks a scope every route requires). The challenge names no realm: the caller
  // already holds a token for this one and only needs more scope. On an API taking proofs the caller may have
  // come with the DPoP scheme, so the same error is given in a DPoP challenge too (RFC 9449 §7.1).
  const dpop403 = dpopAlgorithms ? `, DPoP error="insufficient_scope", algs="${dpopAlgorithms.join(' ')}"` : '';
  api.addGatewayResponse('AccessDenied', {
    type: ResponseType.ACCESS_DENIED,
    statusCode: '403',
    responseHeaders: { 'WWW-Authenticate': literal(`Bearer error="insufficient_scope", error_description="${ERROR_DESCRIPTIONS.insufficient_scope}"${dpop403}`), ...corsHeaders },
    templates: json('Forbidden'),
  });
  for (const [id, type] of [
    ['AuthorizerFailure', ResponseType.AUTHORIZER_FAILURE],
    ['AuthorizerConfigurationError', ResponseType.AUTHORIZER_CONFIGURATION_ERROR],
  ] as const) {
    api.addGatewayResponse(id, {
      type,
      statusCode: '503',
      responseHeaders: { 'Retry-After': literal(String(RETRY_AFTER_SECONDS)), ...corsHeaders },
      templates: json('Service Unavailable'),
    });
  }
  if (!cors) return;
  // Types not customized above take these headers, with their own status and API Gateway's default body.
  api.addGatewayResponse('Default4xx', { type: ResponseType.DEFAULT_4XX, responseHeaders: corsHeaders });
  api.addGatewayResponse('Default5xx', { type: ResponseType.DEFAULT_5XX, responseHeaders: corsHeaders });
}
