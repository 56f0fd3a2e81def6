// A handler's own copy of its route's requirement, set by the stack from infra/routes.ts and read once at
// cold start, so the handler re-checks what the authorizer's policy already enforced (defence in depth).
import type { AuthMode } from './routes';

export interface RouteRequirement {
  readonly auth: AuthMode;
  readonly scopes: readonly string[];
}

export function readRouteRequirement(env: Readonly<Record<string, string | undefined>>): RouteRequirement {
  const auth = env.ROUTE_AUTH;
  if (auth !== 'optional' && auth !== 'required') {
    throw new Error(`ROUTE_AUTH must be "optional" or "required" (the stack sets it from infra/routes.ts); got ${JSON.stringify(auth)}`);
  }
  const scopes = (env.ROUTE_SCOPES ?? '').split(' ').filter(Boolean);
  return Object.freeze({ auth, scopes: Object.freeze(scopes) });
}
