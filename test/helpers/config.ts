// The authorizer environment the stack would set, pointed at a test issuer.
import { ROUTES } from '../../infra/routes';
import { ISSUER_AUDIENCE } from './keys';

export const ROUTE_TABLE_JSON = JSON.stringify(ROUTES.map((r) => ({ method: r.method, resourcePath: r.path, auth: r.auth, scopes: r.scopes })));

export function authorizerEnv(issuer: string, extra: Record<string, string> = {}): Record<string, string> {
  return { OIDC_ISSUER: issuer, OIDC_AUDIENCE: ISSUER_AUDIENCE, OIDC_ROUTES: ROUTE_TABLE_JSON, ...extra };
}
