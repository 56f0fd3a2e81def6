// Wraps a route's logic with its own requirement check: read once at cold start, enforced on every call.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readAuthContext, type AuthContext } from './auth-context';
import { refuse } from './respond';
import { readRouteRequirement } from './route-requirement';

export type RouteLogic = (auth: AuthContext, event: APIGatewayProxyEvent) => APIGatewayProxyResult | Promise<APIGatewayProxyResult>;

export function routeHandler(logic: RouteLogic, env: Readonly<Record<string, string | undefined>> = process.env) {
  const requirement = readRouteRequirement(env);
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const auth = readAuthContext(event);
    return refuse(requirement, auth) ?? logic(auth, event);
  };
}
