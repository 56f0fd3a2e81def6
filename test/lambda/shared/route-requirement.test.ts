import { readRouteRequirement } from '../../../lambda/shared/route-requirement';
import { routeHandler } from '../../../lambda/shared/route-handler';
import { json } from '../../../lambda/shared/respond';

describe('readRouteRequirement', () => {
  it('reads the route requirement the stack sets', () => {
    expect(readRouteRequirement({ ROUTE_AUTH: 'required', ROUTE_SCOPES: 'profile email' })).toEqual({ auth: 'required', scopes: ['profile', 'email'] });
    expect(readRouteRequirement({ ROUTE_AUTH: 'optional' })).toEqual({ auth: 'optional', scopes: [] });
  });

  it('fails at cold start with a message naming the setting', () => {
    expect(() => readRouteRequirement({})).toThrow(/ROUTE_AUTH must be "optional" or "required"/);
    expect(() => routeHandler(() => json(200, {}), { ROUTE_AUTH: 'sometimes' })).toThrow(/ROUTE_AUTH/);
  });
});
