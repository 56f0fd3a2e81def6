// GET /profile : the user, their scopes, the issuer that vouched and the claims handed on (typed as the
// token had them). The route's scopes (`profile`) are re-checked by routeHandler,
// as the original's @requires did, in case the authorizer is ever misconfigured.
import { json } from '../shared/respond';
import type { RouteLogic } from '../shared/route-handler';

export const profile: RouteLogic = (auth) =>
  json(200, { user: { username: auth.username, sub: auth.sub }, auth: { scopes: [...auth.scopes], issuer: auth.issuer, claims: auth.claims } });
