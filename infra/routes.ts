// The one declaration of the API's routes. The stack builds API methods, the authorizer's route table
// (OIDC_ROUTES) and each handler's own check (ROUTE_SCOPES, ROUTE_CLAIMS, ROUTE_ISSUERS) from this list;
// README documents it.
import type { ClaimRules } from '../lambda/shared/claims';
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
  /**
   * Claims the token must hold, beside the scopes: each listed claim must hold at least one of its values,
   * exactly and of the same type (a string claim equals one, an array claim contains one; only `scope` and `scp`
   * are split on spaces). Keys are claim names as written (`cognito:groups`, `https://example.com/roles`) or JSON
   * Pointers for nested claims (`/realm_access/roles`).
   * @default {} (none)
   */
  readonly claims?: ClaimRules;
  /** Only tokens of these configured issuers may use the route. @default [] (every configured issuer) */
  readonly issuers?: readonly string[];
}

export const ROUTES: readonly RouteDeclaration[] = [
  { method: 'GET', path: '/', handler: 'homepage', auth: 'optional', scopes: [] },
  { method: 'GET', path: '/profile', handler: 'profile', auth: 'required', scopes: ['profile'] },
];
