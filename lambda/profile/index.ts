// Lambda entry for GET /profile: the route's requirement is read from the environment once, at cold start.
import { routeHandler } from '../shared/route-handler';
import { profile } from './profile';

export const handler = routeHandler(profile);
