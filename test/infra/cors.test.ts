// The template a browser app needs, with CORS on and off: preflights, gateway responses, Lambda environment.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ContextError, readConfig } from '../../infra/config';
import { preflightMethods } from '../../infra/constructs/cors';
import { formatFindings, nagFindings } from '../../infra/nag';
import { ROUTES, type RouteDeclaration } from '../../infra/routes';
import { BASE_CONTEXT, synth } from './synth';

const TWO = 'https://app.example.com,http://localhost:5173';
const from = (context: Record<string, unknown>) => readConfig({ tryGetContext: (key) => context[key] });

const optionsMethods = (t: Template) => Object.values(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } })).map((m) => m.Properties);
const gatewayResponses = (t: Template) => Object.values(t.findResources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
const functionEnvironments = (t: Template) =>
  Object.values(t.findResources('AWS::Lambda::Function')).map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, unknown>);

describe('CORS off (corsOrigins unset)', () => {
  const { template } = synth();

  test('no OPTIONS methods, no CORS headers on gateway responses, no CORS variable on any Lambda', () => {
    expect(optionsMethods(template)).toEqual([]);
    expect(gatewayResponses(template)).toHaveLength(4);
    expect(JSON.stringify(gatewayResponses(template))).not.toContain('Access-Control');
    for (const env of functionEnvironments(template)) expect(env).not.toHaveProperty('CORS_ALLOWED_ORIGINS');
  });
});

describe('CORS on, several origins', () => {
  const { stack, template } = synth({ ...BASE_CONTEXT, corsOrigins: TWO });

  test('every declared resource answers OPTIONS from a MOCK integration, with no authorizer', () => {
    const methods = optionsMethods(template);
    const resources = methods.map((m) => JSON.stringify(m.ResourceId)).sort();
    const declared = [...new Set(ROUTES.map((r) => r.path))].map((p) => stack.api.root.resourceForPath(p).resourceId);
    expect(resources).toEqual(declared.map((id) => JSON.stringify(stack.resolve(id))).sort());
    for (const m of methods) {
      expect(m).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK', PassthroughBehavior: 'NEVER', RequestTemplates: { 'application/json': '{"statusCode": 204}' } } });
      expect(m).not.toHaveProperty('AuthorizerId');
    }
  });

  test('the preflight lists the resource’s methods, Authorization and Content-Type, the max age, and Vary', () => {
    // Which methods each resource lists is the 'routes and preflights' tests' subject; here, that the example's do.
    const listed = new Map([...preflightMethods(ROUTES)].map(([p, methods]) => [JSON.stringify(stack.resolve(stack.api.root.resourceForPath(p).resourceId)), methods]));
    for (const m of optionsMethods(template)) {
      const [response] = m.Integration.IntegrationResponses;
      expect(response.StatusCode).toBe('204');
      expect(response.ResponseParameters).toEqual({
        'method.response.header.Access-Control-Allow-Methods': `'${listed.get(JSON.stringify(m.ResourceId))!.join(', ')}'`,
        'method.response.header.Access-Control-Allow-Headers': "'Authorization, Content-Type, DPoP'",
        'method.response.header.Access-Control-Max-Age': "'600'",
        'method.response.header.Vary': "'Origin'",
      });
      expect(m.MethodResponses).toEqual([{ StatusCode: '204', ResponseParameters: expect.objectContaining({ 'method.response.header.Access-Control-Allow-Origin': true }) }]);
    }
  });

  test('Access-Control-Allow-Origin is set only by the template, only for a listed origin', () => {
    const template_ = optionsMethods(template)[0]!.Integration.IntegrationResponses[0].ResponseTemplates['application/json'] as string;
    expect(template_).toContain("#if($origin == 'https://app.example.com' || $origin == 'http://localhost:5173')");
    expect(template_).toContain('#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)');
    expect(template_).toContain("$input.params().header.get('Origin')");
  });

  test('every gateway response (401, 403, 503 and the 4XX/5XX defaults) carries * and exposes the challenge headers', () => {
    const responses = gatewayResponses(template);
    expect(responses.map((r) => r.ResponseType).sort()).toEqual(['ACCESS_DENIED', 'AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE', 'DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED']);
    for (const r of responses) {
      expect(r.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
        'gatewayresponse.header.Access-Control-Expose-Headers': "'WWW-Authenticate, Retry-After'",
      });
    }
    // The defaults keep each type's own status and API Gateway's body.
    for (const r of responses.filter((x) => x.ResponseType.startsWith('DEFAULT_'))) {
      expect(r.StatusCode).toBeUndefined();
      expect(r.ResponseTemplates).toBeUndefined();
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.WWW-Authenticate': Match.stringLikeRegexp('^\'Bearer realm="OidcApi", error="invalid_token"') }),
    });
  });

  test('the route Lambdas get the origins; the authorizer does not', () => {
    const envs = functionEnvironments(template);
    expect(envs.filter((e) => e.CORS_ALLOWED_ORIGINS === TWO)).toHaveLength(ROUTES.length);
    expect(envs.filter((e) => e.OIDC_ISSUER !== undefined).every((e) => e.CORS_ALLOWED_ORIGINS === undefined)).toBe(true);
  });

  test('cdk-nag: the preflights are acknowledged with reasons, nothing else is reported', () => {
    expect(formatFindings(nagFindings(stack))).toEqual([]);
  });
});

describe('CORS on, one origin or any', () => {
  test('one origin: gateway responses name it exactly; the preflight template checks it', () => {
    const { template } = synth({ ...BASE_CONTEXT, corsOrigins: 'https://app.example.com' });
    for (const r of gatewayResponses(template)) expect(r.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
    expect(optionsMethods(template)[0]!.Integration.IntegrationResponses[0].ResponseTemplates['application/json']).toContain("#if($origin == 'https://app.example.com')");
  });

  test('*: a static * on the preflight, no template and no Vary', () => {
    const { template } = synth({ ...BASE_CONTEXT, corsOrigins: '*', corsMaxAgeSeconds: '7200' });
    for (const m of optionsMethods(template)) {
      const [response] = m.Integration.IntegrationResponses;
      expect(response.ResponseParameters).toMatchObject({ 'method.response.header.Access-Control-Allow-Origin': "'*'", 'method.response.header.Access-Control-Max-Age': "'7200'" });
      expect(response.ResponseParameters).not.toHaveProperty('method.response.header.Vary');
      expect(response.ResponseTemplates).toBeUndefined();
    }
    for (const env of functionEnvironments(template).filter((e) => e.ROUTE_AUTH)) expect(env.CORS_ALLOWED_ORIGINS).toBe('*');
  });
});

describe('routes and preflights', () => {
  const routes: RouteDeclaration[] = [
    { method: 'GET', path: '/items/{id}', handler: 'profile', auth: 'required', scopes: ['profile'] },
    { method: 'DELETE', path: '/items/{id}', handler: 'profile', auth: 'required', scopes: ['profile'] },
    { method: 'HEAD', path: '/', handler: 'homepage', auth: 'optional', scopes: [] },
    { method: 'ANY', path: '/files/{proxy+}', handler: 'profile', auth: 'required', scopes: ['profile'] },
  ];

  test('HEAD and ANY routes are declared as the parser accepts them; a preflight lists each resource’s methods, ANY as all', () => {
    const { stack, template } = synth({ ...BASE_CONTEXT, corsOrigins: TWO }, { routes });
    const allowed = (path: string) => {
      const id = JSON.stringify(stack.resolve(stack.api.root.resourceForPath(path).resourceId));
      const m = optionsMethods(template).find((x) => JSON.stringify(x.ResourceId) === id)!;
      return m.Integration.IntegrationResponses[0].ResponseParameters['method.response.header.Access-Control-Allow-Methods'];
    };
    expect(allowed('/items/{id}')).toBe("'DELETE, GET'");
    expect(allowed('/')).toBe("'HEAD'");
    expect(allowed('/files/{proxy+}')).toBe("'DELETE, GET, HEAD, PATCH, POST, PUT'");
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'ANY', AuthorizationType: 'CUSTOM' });
  });

  test('an OPTIONS route is accepted without CORS and refused with it', () => {
    const withOptions: RouteDeclaration[] = [{ method: 'OPTIONS', path: '/', handler: 'homepage', auth: 'optional', scopes: [] }];
    synth(BASE_CONTEXT, { routes: withOptions }).template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS', AuthorizationType: 'CUSTOM' });
    expect(() => synth({ ...BASE_CONTEXT, corsOrigins: TWO }, { routes: withOptions })).toThrow(/API Gateway answers OPTIONS \/ as the CORS preflight; remove the OPTIONS route/);
  });
});

describe('configuration', () => {
  test('corsMaxAgeSeconds defaults to 600 and is bounded', () => {
    expect(from({ ...BASE_CONTEXT, corsOrigins: TWO }).cors).toEqual({ origins: { any: false, origins: TWO.split(',') }, maxAgeSeconds: 600 });
    expect(from({ ...BASE_CONTEXT, corsOrigins: TWO, corsMaxAgeSeconds: 0 }).cors?.maxAgeSeconds).toBe(0);
    expect(() => from({ ...BASE_CONTEXT, corsOrigins: TWO, corsMaxAgeSeconds: 86401 })).toThrow(/corsMaxAgeSeconds must be 0 to 86400/);
    expect(() => from({ ...BASE_CONTEXT, corsOrigins: TWO, corsMaxAgeSeconds: '10m' })).toThrow(/corsMaxAgeSeconds must be a whole number/);
  });

  test('corsMaxAgeSeconds without corsOrigins is contradictory', () => {
    expect(() => from({ ...BASE_CONTEXT, corsMaxAgeSeconds: 60 })).toThrow(/corsMaxAgeSeconds is set but corsOrigins is not/);
  });

  test('unset, blank or null corsOrigins is no CORS; cdk.json may give a list', () => {
    for (const corsOrigins of [undefined, '', null]) expect(from({ ...BASE_CONTEXT, corsOrigins }).cors).toBeUndefined();
    expect(from({ ...BASE_CONTEXT, corsOrigins: ['https://a.example.com', 'https://b.example.com'] }).cors?.origins).toEqual({ any: false, origins: ['https://a.example.com', 'https://b.example.com'] });
  });

  test.each([
    ['https://app.example.com/', 'ends with a slash'],
    ['https://app.example.com/spa', 'has more than an origin'],
    ['https://*.example.com', 'has a wildcard'],
  ])('a malformed origin (%s) fails the synth with a ConfigError naming the context value', (corsOrigins, why) => {
    expect(() => from({ ...BASE_CONTEXT, corsOrigins })).toThrow(ContextError);
    expect(() => from({ ...BASE_CONTEXT, corsOrigins })).toThrow(new RegExp(`^CDK context value corsOrigins "${corsOrigins.replace(/[.*?/]/g, '\\$&')}" ${why}`));
  });
});
