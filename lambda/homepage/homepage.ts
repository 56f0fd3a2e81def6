// GET / : anonymous callers are welcome; a caller with a valid token is named.
import { json } from '../shared/respond';
import type { RouteLogic } from '../shared/route-handler';

export const homepage: RouteLogic = (auth) => (auth.anonymous ? json(200, { anonymous: true }) : json(200, { username: auth.username, anonymous: false }));
