import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnResource } from 'aws-cdk-lib';
import type { NodeFunction } from '../../infra/constructs/node-function';
import type { OidcApiStack } from '../../infra/oidc-api-stack';
import { routeConstructId } from '../../infra/route-table';
import { ROUTES, type RouteDeclaration } from '../../infra/routes';
import { authorizerSettings, BASE_CONTEXT, synth } from './synth';

const { app, stack, template } = synth();

const logicalId = (s: Stack, c: { node: { defaultChild?: unknown } }) => s.getLogicalId(c.node.defaultChild as CfnResource);
const routeFunction = (s: OidcApiStack, route: Pick<RouteDeclaration, 'method' | 'path'>) =>
  s.node.findChild(`${routeConstructId(route)}Handler`) as NodeFunction;
const authorizerId = (s: OidcApiStack, mode: 'Required' | 'Optional') => s.getLogicalId(s.authorizer.node.findChild(`${mode}ForApi`).node.defaultChild as CfnResource);
const authorizerFunctionId = (s: OidcApiStack) => logicalId(s, s.authorizer.node.findChild('Handler').node.findChild('Function'));

function methodFor(s: OidcApiStack, t: Template, route: RouteDeclaration) {
  const resourceId = s.resolve(s.api.root.resourceForPath(route.path).resourceId);
  const methods = Object.values(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: route.method } })).filter(
    (m) => JSON.stringify(m.Properties.ResourceId) === JSON.stringify(resourceId),
  );
  expect(methods).toHaveLength(1);
  return methods[0]!.Properties;
}

describe('routes', () => {
  test('one API method per declared route, and no others', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', ROUTES.length);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'profile' });
  });

  test.each(ROUTES)('$method $path invokes its own handler through a Lambda proxy integration', (route) => {
    const method = methodFor(stack, template, route);
    expect(method.Integration.Type).toBe('AWS_PROXY');
    expect(JSON.stringify(method.Integration.Uri)).toContain(logicalId(stack, routeFunction(stack, route).function));
  });

  test.each(ROUTES)('$method $path uses the $auth authorizer', (route) => {
    const method = methodFor(stack, template, route);
    expect(method.AuthorizationType).toBe('CUSTOM');
    expect(method.AuthorizerId).toEqual({ Ref: authorizerId(stack, route.auth === 'required' ? 'Required' : 'Optional') });
  });

  test.each(ROUTES)('$method $path handler gets ROUTE_AUTH and ROUTE_SCOPES from the declaration', (route) => {
    const fn = template.toJSON().Resources[logicalId(stack, routeFunction(stack, route).function)];
    expect(fn.Properties.Environment.Variables).toEqual({
      ROUTE_AUTH: route.auth,
      ROUTE_SCOPES: route.scopes.join(' '),
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  test('no test-invoke permissions: the console test call would bypass the authorizer', () => {
    const sourceArns = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(sourceArns.some((a) => a.includes('test-invoke-stage'))).toBe(false);
  });
});

describe('authorizers', () => {
  test('one authorizer Lambda behind two REQUEST authorizers', () => {
    template.resourceCountIs('AWS::Lambda::Function', ROUTES.length + 1);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 2);
    for (const auth of Object.values(template.findResources('AWS::ApiGateway::Authorizer'))) {
      expect(auth.Properties.Type).toBe('REQUEST');
      expect(JSON.stringify(auth.Properties.AuthorizerUri)).toContain(authorizerFunctionId(stack));
    }
  });

  test('required routes: cached for 300 s per Authorization header', () => {
    const auth = template.toJSON().Resources[authorizerId(stack, 'Required')].Properties;
    expect(auth.IdentitySource).toBe('method.request.header.Authorization');
    expect(auth.AuthorizerResultTtlInSeconds).toBe(300);
  });

  test('optional routes: no identity source and no caching, so anonymous requests reach the authorizer', () => {
    const auth = template.toJSON().Resources[authorizerId(stack, 'Optional')].Properties;
    expect(auth.IdentitySource ?? '').toBe('');
    expect(auth.AuthorizerResultTtlInSeconds).toBe(0);
  });

  test('authorizerCacheTtlSeconds sets the required authorizer’s TTL only', () => {
    const { stack: s, template: t } = synth({ ...BASE_CONTEXT, authorizerCacheTtlSeconds: '60' });
    expect(t.toJSON().Resources[authorizerId(s, 'Required')].Properties.AuthorizerResultTtlInSeconds).toBe(60);
    expect(t.toJSON().Resources[authorizerId(s, 'Optional')].Properties.AuthorizerResultTtlInSeconds).toBe(0);
  });

  test('an authorizer no route uses is not created', () => {
    const { template: t } = synth(BASE_CONTEXT, { routes: [{ method: 'GET', path: '/me', handler: 'profile', auth: 'required', scopes: [] }] });
    t.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { IdentitySource: 'method.request.header.Authorization' });
  });

  test('API Gateway may invoke the authorizer Lambda', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => JSON.stringify(p.Properties.FunctionName).includes(authorizerFunctionId(stack)),
    );
    expect(permissions).toHaveLength(2);
    for (const p of permissions) expect(p.Properties.Principal).toBe('apigateway.amazonaws.com');
  });
});

describe('authorizer settings', () => {
  const env = () => authorizerSettings(app, template, authorizerFunctionId(stack));

  test('staged beside the bundle, not in the environment (whose 4 KB a route table of ~40 routes overflows)', () => {
    expect(template.toJSON().Resources[authorizerFunctionId(stack)].Properties.Environment).toBeUndefined();
  });

  test('with only issuer and audience: the required variables and nothing else', () => {
    expect(env()).toEqual({
      OIDC_ISSUER: BASE_CONTEXT.issuer,
      OIDC_AUDIENCE: BASE_CONTEXT.audience,
      OIDC_ROUTES: expect.any(String),
    });
  });

  test('OIDC_ROUTES is exactly what infra/routes.ts declares', () => {
    expect(JSON.parse(env().OIDC_ROUTES!)).toEqual(
      ROUTES.map((r) => ({ method: r.method, resourcePath: r.path, auth: r.auth, scopes: [...r.scopes], claims: r.claims ?? {}, issuers: r.issuers ?? [] })),
    );
  });

  test('every tuning value given becomes its contract variable', () => {
    const { app: a, stack: s, template: t } = synth({
      ...BASE_CONTEXT,
      audience: 'api,https://api.example.com',
      jwksUri: 'https://login.example.com/keys',
      requiredScopes: 'openid api',
      algorithms: 'RS256 ES256',
      usernameClaim: 'preferred_username',
      clockToleranceSeconds: '30',
      jwksMaxAgeSeconds: '300',
      jwksMaxStaleSeconds: '3600',
      jwksCooldownSeconds: '10',
      fetchTimeoutMs: '2000',
      fetchMaxBytes: '65536',
      maxTokenBytes: '8192',
      requireAtJwt: 'true',
      clientIdAsAudience: 'true',
      tokenCacheSize: '0',
    });
    const vars = authorizerSettings(a, t, authorizerFunctionId(s));
    expect(vars).toEqual({
      OIDC_ISSUER: BASE_CONTEXT.issuer,
      OIDC_AUDIENCE: 'api,https://api.example.com',
      OIDC_JWKS_URI: 'https://login.example.com/keys',
      OIDC_ROUTES: env().OIDC_ROUTES,
      OIDC_REQUIRED_SCOPES: 'openid api',
      OIDC_ALGORITHMS: 'RS256 ES256',
      OIDC_USERNAME_CLAIM: 'preferred_username',
      OIDC_CLOCK_TOLERANCE_SECONDS: '30',
      OIDC_JWKS_MAX_AGE_SECONDS: '300',
      OIDC_JWKS_MAX_STALE_SECONDS: '3600',
      OIDC_JWKS_COOLDOWN_SECONDS: '10',
      OIDC_FETCH_TIMEOUT_MS: '2000',
      OIDC_FETCH_MAX_BYTES: '65536',
      OIDC_MAX_TOKEN_BYTES: '8192',
      OIDC_REQUIRE_AT_JWT: 'true',
      OIDC_CLIENT_ID_AS_AUDIENCE: 'true',
      OIDC_TOKEN_CACHE_SIZE: '0',
    });
    // 2 × 2000 ms fetch budget + 4 s margin
    expect(t.toJSON().Resources[authorizerFunctionId(s)].Properties.Timeout).toBe(8);
  });

  test('an empty requiredScopes is passed on, meaning no globally required scope', () => {
    const { app: a, stack: s, template: t } = synth({ ...BASE_CONTEXT, requiredScopes: '' });
    expect(authorizerSettings(a, t, authorizerFunctionId(s)).OIDC_REQUIRED_SCOPES).toBe('');
  });
});

describe('functions', () => {
  const functions = () => Object.values(template.findResources('AWS::Lambda::Function'));

  test('every function runs Node.js 24 on arm64 with JSON logs; route handlers map stack traces at run time', () => {
    for (const fn of functions()) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
    }
    const resources = template.toJSON().Resources;
    for (const route of ROUTES) {
      expect(resources[logicalId(stack, routeFunction(stack, route).function)].Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    // The authorizer logs reason codes, not traces, and its cold start is on every new container's first request.
    expect(resources[authorizerFunctionId(stack)].Properties.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
  });

  test('the authorizer outlasts two key fetches (10 s) with 128 MiB (sized from bench/); handlers get 3 s', () => {
    const resources = template.toJSON().Resources;
    expect(resources[authorizerFunctionId(stack)].Properties).toMatchObject({ Timeout: 10, MemorySize: 128 });
    for (const route of ROUTES) expect(resources[logicalId(stack, routeFunction(stack, route).function)].Properties.Timeout).toBe(3);
  });

  test('each function logs to its own log group, kept 30 days by default', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    const used = functions().map((fn) => fn.Properties.LoggingConfig.LogGroup.Ref);
    expect(new Set(used).size).toBe(used.length);
    for (const id of used) expect(groups[id]?.Properties.RetentionInDays).toBe(30);
  });

  test('logRetentionDays applies to every log group', () => {
    const { template: t } = synth({ ...BASE_CONTEXT, logRetentionDays: '90' });
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(ROUTES.length + 2); // each function's, plus access logs
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(90);
  });
});

describe('least privilege', () => {
  test('roles carry no managed policies and no extra policy resources exist', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('each function’s role may only create streams and put events in that function’s log group', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const role = roles[fn.Properties.Role['Fn::GetAtt'][0]]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      expect(role.Properties.Policies).toEqual([
        {
          PolicyName: 'WriteOwnLogs',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
              },
            ],
          },
        },
      ]);
    }
  });
});

describe('stage, access logs and output', () => {
  test('the stage is prod by default and writes JSON access logs to its own log group', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessLogs'), 'Arn'] },
        Format: Match.serializedJson(
          Match.objectLike({
            requestId: '$context.requestId',
            status: '$context.status',
            authorizerError: '$context.authorizer.error',
            principalId: '$context.authorizer.principalId',
          }),
        ),
      },
    });
  });

  test('stageName sets the stage', () => {
    synth({ ...BASE_CONTEXT, stageName: 'v1' }).template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1' });
  });

  test('the API URL is the one output, named ApiUrl', () => {
    expect(Object.keys(template.toJSON().Outputs)).toEqual(['ApiUrl']);
    const url = JSON.stringify(template.toJSON().Outputs.ApiUrl.Value);
    expect(url).toContain('.execute-api.');
    expect(url).toContain(stack.getLogicalId(stack.api.deploymentStage.node.defaultChild as CfnResource));
  });

  test('the stack is environment-agnostic', () => {
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });
});

describe('proof of possession from context (-c senderConstraint=allowed)', () => {
  const pop = synth({ ...BASE_CONTEXT, senderConstraint: 'allowed', dpopProofMaxAgeSeconds: '30', dpopAlgorithms: 'ES256 EdDSA', corsOrigins: 'https://app.example.com' });
  const profile = ROUTES.find((r) => r.path === '/profile')!;

  test('the settings reach the authorizer through the usual context path', () => {
    expect(authorizerSettings(pop.app, pop.template, authorizerFunctionId(pop.stack))).toMatchObject({
      OIDC_SENDER_CONSTRAINT: 'allowed',
      OIDC_DPOP_PROOF_MAX_AGE_SECONDS: '30',
      OIDC_DPOP_ALGORITHMS: 'ES256 EdDSA',
      OIDC_DPOP_REPLAY_TABLE: { Ref: pop.stack.getLogicalId(pop.stack.authorizer.replayTable!.node.defaultChild as CfnResource) },
    });
  });

  test('/profile is behind the uncached proof authorizer; no cached authorizer is left unused', () => {
    const proof = pop.stack.getLogicalId(pop.stack.authorizer.node.findChild('ProofForApi').node.defaultChild as CfnResource);
    expect(methodFor(pop.stack, pop.template, profile).AuthorizerId).toEqual({ Ref: proof });
    expect(pop.template.toJSON().Resources[proof].Properties).toMatchObject({ AuthorizerResultTtlInSeconds: 0 });
    expect(pop.stack.authorizer.node.tryFindChild('RequiredForApi')).toBeUndefined();
  });

  test('the one extra permission is PutItem on the replay table; the preflight lets pages send DPoP', () => {
    const statements = Object.values(pop.template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': [expect.stringMatching(/ReplayTable/), 'Arn'] } }]);
    pop.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: { IntegrationResponses: [Match.objectLike({ ResponseParameters: Match.objectLike({ 'method.response.header.Access-Control-Allow-Headers': "'Authorization, Content-Type, DPoP'" }) })] },
    });
  });
});
