// Wraps a route's logic with its own requirement check and the CORS headers of its answers: both read
// once at cold start, applied on every call.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readAuthContext, type AuthContext } from './auth-context';
import { readCorsOrigins } from './cors';
import { refuse, requestOrigin, withCors } from './respond';
import { readRouteRequirement } from './route-requirement';

export type RouteLogic = (auth: AuthContext, event: APIGatewayProxyEvent) => APIGatewayProxyResult | Promise<APIGatewayProxyResult>;

export function routeHandler(logic: RouteLogic, env: Readonly<Record<string, string | undefined>> = process.env) {
  const requirement = readRouteRequirement(env);
  const cors = readCorsOrigins(env);
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const auth = readAuthContext(event);
    const result = refuse(requirement, auth) ?? (await logic(auth, event));
    return withCors(result, cors, requestOrigin(event));
  };
}
