// Turns the route declaration (infra/routes.ts) into the authorizer's route table and stable construct IDs.
import { parseRouteTable, type RouteRule } from '../lambda/shared/routes';
import type { RouteDeclaration } from './routes';

/**
 * The OIDC_ROUTES rules for `routes`, checked by the same parser the authorizer runs at cold start,
 * so a malformed or duplicated route fails `cdk synth` instead of every request.
 */
export function routeRules(routes: readonly RouteDeclaration[]): readonly RouteRule[] {
  const rules = routes.map(({ method, path, auth, scopes, claims, issuers }) => ({ method, resourcePath: path, auth, scopes, claims, issuers }));
  return parseRouteTable(JSON.stringify(rules), 'infra/routes.ts');
}

/** A construct ID derived from method and path (GET /profile -> GetProfile, GET / -> GetRoot), stable across edits to other routes. */
export function routeConstructId(route: Pick<RouteDeclaration, 'method' | 'path'>): string {
  const words = [route.method, ...route.path.split('/')].flatMap((part) => part.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  const id = words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('');
  return route.path === '/' ? `${id}Root` : id;
}
