// JSON proxy responses, including RFC 6750 answers for a handler's own auth re-check.
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { AuthContext } from './auth-context';
import type { RouteRequirement } from './route-requirement';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The 401/403 a handler answers when its requirement is not met, or undefined when it is. */
export function refuse(requirement: RouteRequirement, auth: AuthContext): APIGatewayProxyResult | undefined {
  if (requirement.auth === 'required' && auth.anonymous) {
    return json(401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  if (!auth.anonymous && !auth.hasScopes(...requirement.scopes)) {
    return json(403, { message: 'Forbidden' }, { 'www-authenticate': `Bearer error="insufficient_scope", scope="${requirement.scopes.join(' ')}"` });
  }
  if (auth.anonymous && requirement.scopes.length > 0) {
    return json(401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  return undefined;
}
