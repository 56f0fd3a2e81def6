// JSON proxy responses, including RFC 6750 answers for a handler's own auth re-check, and the CORS
// headers every answer gets for the request's Origin.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuthContext } from './auth-context';
import { corsResponseHeaders, type CorsOrigins } from './cors';
import { meetsClaimRules } from './claims';
import { asksOfToken, type RouteRequirement } from './route-requirement';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The 401/403 a handler answers when its requirement is not met, or undefined when it is. */
export function refuse(requirement: RouteRequirement, auth: AuthContext): APIGatewayProxyResult | undefined {
  const unauthorized = () => json(401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  if (auth.anonymous) return requirement.auth === 'required' || asksOfToken(requirement) ? unauthorized() : undefined;
  if (!auth.hasScopes(...requirement.scopes)) {
    return json(403, { message: 'Forbidden' }, { 'www-authenticate': `Bearer error="insufficient_scope", scope="${requirement.scopes.join(' ')}"` });
  }
  // Claims and issuers are no scope a client could ask for: 403 without one named (RFC 6750 §3.1).
  const issuerOk = requirement.issuers.length === 0 || (auth.issuer !== undefined && requirement.issuers.includes(auth.issuer));
  if (!issuerOk || !meetsClaimRules(requirement.claims, (ref) => auth.claim(ref))) {
    return json(403, { message: 'Forbidden' }, { 'www-authenticate': 'Bearer error="insufficient_scope"' });
  }
  return undefined;
}

/** The request's Origin header (any spelling), or undefined. */
export function requestOrigin(event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) if (name.toLowerCase() === 'origin' && value) return value;
  return undefined;
}

/** `result` with the CORS headers for `origin`; unchanged when CORS is off. A `Vary` the handler set is kept. */
export function withCors(result: APIGatewayProxyResult, cors: CorsOrigins | undefined, origin: string | undefined): APIGatewayProxyResult {
  if (cors === undefined) return result;
  const headers: Record<string, boolean | number | string> = { ...result.headers };
  for (const [name, value] of Object.entries(corsResponseHeaders(cors, origin))) {
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing !== undefined && name === 'Vary') headers[existing] = `${headers[existing]}, ${value}`;
    else headers[existing ?? name] = value;
  }
  return { ...result, headers };
}
