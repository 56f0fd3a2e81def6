// `apigw-oidc-authorizer/runtime`: what a handler behind the authorizer needs. Its route's requirement is
// re-checked from the environment `oidc.require(...).handlerEnvironment` gave it; refusals are RFC 6750 answers.
export { readAuthContext, type AuthContext } from './shared/auth-context';
export { routeHandler, type RouteLogic } from './shared/route-handler';
export { readRouteRequirement, type RouteRequirement } from './shared/route-requirement';
export { json, refuse } from './shared/respond';
export { meetsClaimRules, type ClaimRules } from './shared/claims';
