// A handler's own copy of its route's requirement, set from the construct's handlerEnvironment and read once at
// cold start, so the handler re-checks what the authorizer's policy already enforced (defence in depth).
import { parseClaimRules, type ClaimRules } from './claims';
import { ConfigError } from './errors';
import type { AuthMode } from './routes';

export interface RouteRequirement {
  readonly auth: AuthMode;
  readonly scopes: readonly string[];
  /** Claim rules (ROUTE_CLAIMS, JSON): every listed claim must hold one of its values. */
  readonly claims: ClaimRules;
  /** Issuers whose tokens may use the route (ROUTE_ISSUERS, space-delimited); empty for any. */
  readonly issuers: readonly string[];
}

export function readRouteRequirement(env: Readonly<Record<string, string | undefined>>): RouteRequirement {
  const auth = env.ROUTE_AUTH;
  if (auth !== 'optional' && auth !== 'required') {
    throw new ConfigError('ROUTE_AUTH', `must be "optional" or "required" (the OidcAuthorizer's require() or optional() gives it in handlerEnvironment); got ${JSON.stringify(auth)}`);
  }
  const scopes = (env.ROUTE_SCOPES ?? '').split(' ').filter(Boolean);
  let parsed: unknown;
  try {
    parsed = env.ROUTE_CLAIMS?.trim() ? JSON.parse(env.ROUTE_CLAIMS) : undefined;
  } catch {
    throw new ConfigError('ROUTE_CLAIMS', "must be the route's claim rules as JSON (handlerEnvironment gives it)");
  }
  const claims = parseClaimRules(parsed, 'ROUTE_CLAIMS');
  const issuers = (env.ROUTE_ISSUERS ?? '').split(' ').filter(Boolean);
  return Object.freeze({ auth, scopes: Object.freeze(scopes), claims, issuers: Object.freeze(issuers) });
}

/** Whether a token holder must meet anything beyond a valid token (so an anonymous caller is refused). */
export function asksOfToken(r: RouteRequirement): boolean {
  return r.scopes.length > 0 || Object.keys(r.claims).length > 0 || r.issuers.length > 0;
}
