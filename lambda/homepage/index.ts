// Lambda entry for GET /: the route's requirement is read from the environment once, at cold start.
import { routeHandler } from '../shared/route-handler';
import { homepage } from './homepage';

export const handler = routeHandler(homepage);
