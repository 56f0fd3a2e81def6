// The one declaration of the API's routes. The stack builds API methods, the authorizer's route table
// (OIDC_ROUTES) and each handler's own scope check (ROUTE_SCOPES) from this list; README documents it.
import type { AuthMode, HttpMethod } from '../lambda/shared/routes';

export interface RouteDeclaration {
  /** HTTP method, or ANY; the type is the route parser's own list. */
  readonly method: HttpMethod;
  /** API Gateway resource path. */
  readonly path: string;
  /** Handler folder under lambda/ (its index.ts exports `handler`). */
  readonly handler: string;
  /** `optional` lets anonymous callers through (a presented token must still be valid); `required` does not. */
  readonly auth: AuthMode;
  /** Scopes the token must hold for this route, beyond the globally required ones (`openid`). */
  readonly scopes: readonly string[];
}

export const ROUTES: readonly RouteDeclaration[] = [
  { method: 'GET', path: '/', handler: 'homepage', auth: 'optional', scopes: [] },
  { method: 'GET', path: '/profile', handler: 'profile', auth: 'required', scopes: ['profile'] },
];
