// The public construct as a consumer uses it: methods of their own RestApis attached with require()/optional(),
// the route table collected at synth, one construct serving several RestApis, tokens in props.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnMethod, LambdaIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { OidcAuthorizer, type OidcAuthorizerProps } from '../../infra';
import { ERROR_DESCRIPTIONS } from '../../infra/constructs/bearer-gateway-responses';
import { readConfig } from '../../lambda/authorizer/config';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import { NO_METRICS } from '../../lambda/authorizer/metrics';
import { readSettings, SETTINGS_FILE } from '../../lambda/authorizer/settings-file';
import { authorizerEvent } from '../helpers/events';
import { startIssuer } from '../helpers/issuer';
import { ISSUER_AUDIENCE, makeKey, signToken } from '../helpers/keys';
import { captureLogger } from '../helpers/log';
import { appWith } from './synth';

const TRUST = { issuer: 'https://login.example.com/', audience: 'api' };

function consumer(props: OidcAuthorizerProps | ((stack: Stack) => OidcAuthorizerProps) = TRUST) {
  const app = appWith();
  const stack = new Stack(app, 'Consumer');
  const oidc = new OidcAuthorizer(stack, 'Oidc', typeof props === 'function' ? props(stack) : props);
  const handler = new LambdaFunction(stack, 'Handler', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "" })') });
  // One invoke permission for the API rather than two per method, as a consumer with hundreds of routes would.
  const integration = new LambdaIntegration(handler, { scopePermissionToMethod: false, allowTestInvoke: false });
  return { app, stack, oidc, integration };
}

const resources = (t: Template, type: string) => Object.entries(t.findResources(type));
const functionId = (stack: Stack, oidc: OidcAuthorizer) => stack.getLogicalId(oidc.function.node.defaultChild as never);
/** What the authorizer Lambda reads at cold start: the staged file, then its environment. */
function staged(app: ReturnType<typeof appWith>, t: Template, id: string) {
  const props = t.toJSON().Resources[id].Properties;
  const dir = path.join(app.outdir, `asset.${String(props.Code.S3Key).replace(/\.zip$/, '')}`);
  return { dir, env: props.Environment?.Variables ?? {}, settings: readSettings(dir, {}) };
}

describe('attaching', () => {
  test('three lines protect a RestApi: the route table is collected from the methods, in any order', () => {
    const { app, stack, oidc, integration } = consumer();
    const api = new RestApi(stack, 'Api');
    const orders = api.root.addResource('orders');
    orders.addResource('{id}').addMethod('DELETE', integration, oidc.require({ scopes: ['orders:admin'] }));
    orders.addMethod('GET', integration, oidc.require({ scopes: ['orders:read'] }));
    api.root.addMethod('GET', integration, oidc.optional());
    const t = Template.fromStack(stack);
    expect(oidc.routes.map((r) => `${r.method} ${r.resourcePath} ${r.auth} ${r.scopes.join(',')}`).sort()).toEqual([
      'DELETE /orders/{id} required orders:admin',
      'GET / optional ',
      'GET /orders required orders:read',
    ]);
    expect(JSON.parse(staged(app, t, functionId(stack, oidc)).settings.OIDC_ROUTES!)).toEqual(oidc.routes);
    const authorizers = resources(t, 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(2);
    const byMode = Object.fromEntries(authorizers.map(([id, r]) => [r.Properties.IdentitySource ? 'required' : 'optional', id]));
    for (const [, m] of resources(t, 'AWS::ApiGateway::Method')) {
      expect(m.Properties.AuthorizationType).toBe('CUSTOM');
      expect(m.Properties.AuthorizerId).toEqual({ Ref: m.Properties.HttpMethod === 'GET' && JSON.stringify(m.Properties.ResourceId).includes('RootResourceId') ? byMode.optional : byMode.required });
    }
  });

  test('one construct serves two RestApis, each with its own authorizer pair, gateway responses and invoke permission', () => {
    const { stack, oidc, integration } = consumer();
    const shop = new RestApi(stack, 'Shop');
    const admin = new RestApi(stack, 'Admin');
    shop.root.addResource('orders').addMethod('GET', integration, oidc.require({ scopes: ['orders:read'] }));
    admin.root.addResource('users').addMethod('GET', integration, oidc.require({ scopes: ['users:read'] }));
    admin.root.addMethod('GET', integration, oidc.optional());
    const t = Template.fromStack(stack);
    const authorizers = resources(t, 'AWS::ApiGateway::Authorizer');
    expect(authorizers.map(([, a]) => a.Properties.RestApiId.Ref).sort()).toEqual([stack.resolve(admin.restApiId).Ref, stack.resolve(admin.restApiId).Ref, stack.resolve(shop.restApiId).Ref]);
    for (const [, m] of resources(t, 'AWS::ApiGateway::Method')) {
      const authorizer = t.toJSON().Resources[m.Properties.AuthorizerId.Ref];
      expect(authorizer.Properties.RestApiId).toEqual(m.Properties.RestApiId);
    }
    const permissions = resources(t, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes(functionId(stack, oidc)));
    expect(permissions).toHaveLength(3);
    for (const api of [shop, admin]) {
      t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { RestApiId: stack.resolve(api.restApiId), ResponseType: 'UNAUTHORIZED', StatusCode: '401' });
      t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { RestApiId: stack.resolve(api.restApiId), ResponseType: 'AUTHORIZER_FAILURE', StatusCode: '503' });
    }
    expect(oidc.routes).toHaveLength(3);
  });

  test('the same route on two RestApis with different requirements is refused, naming both methods', () => {
    const { stack, oidc, integration } = consumer();
    new RestApi(stack, 'A').root.addResource('orders').addMethod('GET', integration, oidc.require({ scopes: ['a'] }));
    new RestApi(stack, 'B').root.addResource('orders').addMethod('GET', integration, oidc.require({ scopes: ['b'] }));
    expect(() => Template.fromStack(stack)).toThrow(/\[Consumer\/Oidc\] routes: GET \/orders is protected with different requirements at Consumer\/A\/Default\/orders\/GET and Consumer\/B\/Default\/orders\/GET/);
  });

  test('gatewayResponses: false leaves the RestApi’s responses alone', () => {
    const { stack, oidc, integration } = consumer({ ...TRUST, gatewayResponses: false });
    new RestApi(stack, 'Api').root.addMethod('GET', integration, oidc.require());
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::GatewayResponse', 0);
  });

  test('a method carrying the authorizer’s id without addMethod() is refused at synth: its route would be unknown', () => {
    const { stack, oidc, integration } = consumer();
    const api = new RestApi(stack, 'Api');
    api.root.addMethod('GET', integration, oidc.require());
    new CfnMethod(stack, 'Raw', { restApiId: api.restApiId, resourceId: api.root.resourceId, httpMethod: 'POST', authorizationType: 'CUSTOM', authorizerId: oidc.require().authorizer.authorizerId });
    expect(() => Template.fromStack(stack)).toThrow(/Consumer\/Raw carries this authorizer's id, but only methods added with addMethod\(\) can be protected/);
  });

  test('an authorizer that protects nothing is refused at synth', () => {
    const { stack } = consumer();
    new RestApi(stack, 'Api').root.addMethod('GET');
    expect(() => Template.fromStack(stack)).toThrow(/\[Consumer\/Oidc\] routes: none is protected: pass oidc.require\(\) or oidc.optional\(\)/);
  });

  test('a malformed requirement fails at the addMethod that carries it; a table the reach check refuses fails the synth, naming the routes', () => {
    const { stack, oidc, integration } = consumer();
    expect(() => oidc.require({ scopes: ['two words'] })).toThrow(/Consumer\/Oidc: required\(\).*scopes must be an array of scope tokens/);
    const api = new RestApi(stack, 'Api');
    const files = api.root.addResource('files');
    files.addResource('{proxy+}').addMethod('ANY', integration, oidc.require());
    files.addResource('secret').addMethod('GET', integration, oidc.require({ scopes: ['admin'] }));
    expect(() => Template.fromStack(stack)).toThrow(/\[Consumer\/Oidc\] routes: the policy pattern .*ANY \/files\/\{proxy\+\}.* also matches requests of GET \/files\/secret/s);
  });

  test('handlerEnvironment carries the route’s requirement for the handler’s own re-check', () => {
    const { oidc } = consumer();
    expect(oidc.require({ scopes: ['orders:read'], claims: { tenant: ['acme'] } }).handlerEnvironment).toEqual({
      ROUTE_AUTH: 'required',
      ROUTE_SCOPES: 'orders:read',
      ROUTE_CLAIMS: JSON.stringify({ tenant: ['acme'] }),
    });
    expect(oidc.optional().handlerEnvironment).toEqual({ ROUTE_AUTH: 'optional', ROUTE_SCOPES: '' });
  });
});

describe('props', () => {
  test('whom to trust is checked at once, naming the props', () => {
    const { stack } = consumer();
    expect(() => new OidcAuthorizer(stack, 'Neither', {})).toThrow(/^issuer is required, with audience \(or issuers, for several\)$/);
    expect(() => new OidcAuthorizer(stack, 'NoAudience', { issuer: TRUST.issuer })).toThrow(/^audience is required with issuer/);
    expect(() => new OidcAuthorizer(stack, 'Both', { ...TRUST, issuers: [{ issuer: 'https://b.example.com/', audience: 'b' }] })).toThrow(/^issuers and issuer, audience or jwksUri contradict each other/);
    expect(() => new OidcAuthorizer(stack, 'Ttl', { ...TRUST, resultsCacheTtl: Duration.hours(2) })).toThrow(/^resultsCacheTtl must be 0 to 3600 seconds, got 7200$/);
  });
});

describe('no 4 KB ceiling', () => {
  test('200 routes with claim rules synthesize, stay out of the environment, and are served by the staged settings', async () => {
    const key = await makeKey('ES256');
    const issuer = await startIssuer([key.jwk]);
    try {
      const { app, stack, oidc, integration } = consumer({ issuer: issuer.url, audience: ISSUER_AUDIENCE });
      const api = new RestApi(stack, 'Api');
      for (let i = 0; i < 200; i++) {
        api.root.addResource(`tenant-resource-${i}`).addMethod('GET', integration, oidc.require({ scopes: [`read:${i}`], claims: { tenant: [`t${i}`, 'shared'] } }));
      }
      const t = Template.fromStack(stack);
      const { dir, env, settings } = staged(app, t, functionId(stack, oidc));
      expect(env).toEqual({});
      expect(Buffer.byteLength(readFileSync(path.join(dir, SETTINGS_FILE)))).toBeGreaterThan(4096 * 4);
      expect(JSON.parse(settings.OIDC_ROUTES!)).toHaveLength(200);

      const authorizer = createAuthorizer(readConfig(settings), { logger: captureLogger(), metrics: NO_METRICS });
      const token = await signToken(key, issuer.url, { claims: { scope: 'openid read:150', tenant: 'shared' } });
      const allowed = await authorizer.handler(authorizerEvent({ resource: '/tenant-resource-150', authorization: `Bearer ${token}` }));
      expect(allowed.policyDocument.Statement[0]!.Effect).toBe('Allow');
      expect(JSON.stringify(allowed.policyDocument)).toContain('GET/tenant-resource-150');
      expect(JSON.stringify(allowed.policyDocument)).not.toContain('GET/tenant-resource-151');
    } finally {
      await issuer.close();
    }
  });
});

describe('tokens in props', () => {
  test('an issuer from SSM goes to the environment, resolved by CloudFormation; the synth checks the rest and says what it deferred', () => {
    let issuer = '';
    const { app, stack, oidc, integration } = consumer((s) => {
      issuer = StringParameter.valueForStringParameter(s, '/idp/issuer');
      return { issuer, audience: 'api', settings: { clockToleranceSeconds: 30 } };
    });
    // The route table is staged as a file: a route cannot name a value only CloudFormation knows.
    expect(() => oidc.require({ issuers: [issuer] })).toThrow(/routes: Consumer\/Oidc: a route's scopes, claims and issuers must be known at synth/);
    new RestApi(stack, 'Api').root.addMethod('GET', integration, oidc.require());
    const t = Template.fromStack(stack);
    const { env, settings } = staged(app, t, functionId(stack, oidc));
    expect(env.OIDC_ISSUER).toEqual({ Ref: expect.stringMatching(/^SsmParameterValueidpissuer/) });
    expect(settings.OIDC_ISSUER).toBeUndefined();
    expect(settings.OIDC_CLOCK_TOLERANCE_SECONDS).toBe('30');
    const info = app.synth().getStackByName('Consumer').messages.filter((m) => m.id.endsWith('/Oidc')).map((m) => String(m.entry.data));
    expect(info).toEqual([expect.stringMatching(/^issuer: CloudFormation values, checked by the authorizer at cold start/)]);
  });

  test('a deferred issuer does not hide a bad literal setting beside it', () => {
    const { stack, oidc, integration } = consumer((s) => ({ issuer: StringParameter.valueForStringParameter(s, '/idp/issuer'), audience: 'api', settings: { clockToleranceSeconds: 900 } }));
    new RestApi(stack, 'Api').root.addMethod('GET', integration, oidc.require());
    expect(() => Template.fromStack(stack)).toThrow(/\[Consumer\/Oidc\] clockToleranceSeconds must be between 0 and 600, got 900/);
  });

  test('a number that is a CloudFormation value is refused at once: it also sizes the Lambda', () => {
    const { stack } = consumer();
    const fetchTimeoutMs = Token.asNumber(StringParameter.valueForStringParameter(stack, '/idp/timeout'));
    expect(() => new OidcAuthorizer(stack, 'T', { ...TRUST, settings: { fetchTimeoutMs } })).toThrow('fetchTimeoutMs must be a number known at synth, not a CloudFormation value');
  });
});

describe('proof of possession (RFC 9449 DPoP, RFC 8705)', () => {
  const authorizerOf = (t: Template, method: string, pathPart: string) => {
    const [, m] = resources(t, 'AWS::ApiGateway::Method').find(([, m]) => m.Properties.HttpMethod === method && JSON.stringify(m.Properties.ResourceId).includes(pathPart))!;
    return t.toJSON().Resources[m.Properties.AuthorizerId.Ref].Properties;
  };
  const challenge = (t: Template) => Object.values(t.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: 'UNAUTHORIZED' } })).map((r) => r.Properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate']);
  const dynamoActions = (t: Template) =>
    Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));

  test('a route requiring proofs gets a third authorizer, never cached and without identity sources; the others keep theirs', () => {
    const { stack, oidc, integration } = consumer();
    const api = new RestApi(stack, 'Api');
    api.root.addResource('orders').addMethod('GET', integration, oidc.require({ scopes: ['orders:read'] }));
    api.root.addResource('payments').addMethod('POST', integration, oidc.require({ senderConstraint: 'required' }));
    api.root.addMethod('GET', integration, oidc.optional());
    const t = Template.fromStack(stack);
    expect(resources(t, 'AWS::ApiGateway::Authorizer')).toHaveLength(3);
    expect(authorizerOf(t, 'POST', 'payments')).toMatchObject({ AuthorizerResultTtlInSeconds: 0, Name: expect.stringMatching(/ProofForApi/) });
    expect(authorizerOf(t, 'POST', 'payments').IdentitySource).toBeFalsy();
    expect(authorizerOf(t, 'GET', 'orders')).toMatchObject({ IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 300 });
    expect(oidc.routes.find((r) => r.resourcePath === '/payments')).toMatchObject({ senderConstraint: 'required' });
  });

  test('the replay table: pk, TTL on expiresAt, on demand, destroyed with the stack; the authorizer may only PutItem on it, and is told its name', () => {
    const { stack, oidc, integration } = consumer();
    new RestApi(stack, 'Api').root.addMethod('GET', integration, oidc.require({ senderConstraint: 'allowed' }));
    const t = Template.fromStack(stack);
    const tables = resources(t, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const [tableId, table] = tables[0]!;
    expect(table.Properties).toEqual({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(table.DeletionPolicy).toBe('Delete');
    expect(oidc.replayTable).toBeDefined();
    expect(dynamoActions(t)).toEqual([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }]);
    expect(t.toJSON().Resources[functionId(stack, oidc)].Properties.Environment.Variables).toEqual({ OIDC_DPOP_REPLAY_TABLE: { Ref: tableId } });
    // 2 × 3000 ms key fetches + the 1 s table write + 4 s margin; 10 s without proofs.
    expect(t.toJSON().Resources[functionId(stack, oidc)].Properties.Timeout).toBe(11);
  });

  test('without a route that can take proofs there is no table, no permission and no DPoP challenge', () => {
    const { stack, oidc, integration } = consumer();
    new RestApi(stack, 'Api').root.addMethod('GET', integration, oidc.require({ senderConstraint: 'off' }));
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(dynamoActions(t)).toEqual([]);
    expect(oidc.replayTable).toBeUndefined();
    expect(t.toJSON().Resources[functionId(stack, oidc)].Properties.Timeout).toBe(10);
    expect(challenge(t)).toEqual([`'Bearer realm="Api", error="invalid_token", error_description="${ERROR_DESCRIPTIONS.invalid_token}"'`]);
  });

  test('an issuer’s senderConstraint reaches the routes that set none, and only routes that issuer may use', () => {
    const { stack, integration, oidc } = consumer({
      issuers: [
        { issuer: 'https://bound.example.com/', audience: 'api', senderConstraint: 'required' },
        { issuer: 'https://plain.example.com/', audience: 'api' },
      ],
    });
    const api = new RestApi(stack, 'Api');
    api.root.addResource('any').addMethod('GET', integration, oidc.require());
    api.root.addResource('plain').addMethod('GET', integration, oidc.require({ issuers: ['https://plain.example.com/'] }));
    api.root.addResource('off').addMethod('GET', integration, oidc.require({ senderConstraint: 'off' }));
    const t = Template.fromStack(stack);
    expect(authorizerOf(t, 'GET', 'any').AuthorizerResultTtlInSeconds).toBe(0);
    expect(authorizerOf(t, 'GET', 'plain').AuthorizerResultTtlInSeconds).toBe(300);
    expect(authorizerOf(t, 'GET', 'off').AuthorizerResultTtlInSeconds).toBe(300);
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  test('the 401 challenges for DPoP beside Bearer, with the proof algorithms, on the RestApis that take proofs only', () => {
    const { stack, integration, oidc } = consumer({ ...TRUST, settings: { senderConstraint: 'allowed', dpopAlgorithms: ['ES256', 'EdDSA'] } });
    const bound = new RestApi(stack, 'Bound');
    bound.root.addMethod('GET', integration, oidc.require());
    const plain = new RestApi(stack, 'Plain');
    plain.root.addResource('p').addMethod('GET', integration, oidc.require({ senderConstraint: 'off' }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      RestApiId: stack.resolve(bound.restApiId),
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="Bound", error="invalid_token", error_description="${ERROR_DESCRIPTIONS.invalid_token}", DPoP realm="Bound", algs="ES256 EdDSA"'` },
    });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      RestApiId: stack.resolve(plain.restApiId),
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="Plain", error="invalid_token", error_description="${ERROR_DESCRIPTIONS.invalid_token}"'` },
    });
  });

  test('a malformed senderConstraint fails at the addMethod that carries it; a bad dpopAlgorithms fails the synth, naming it', () => {
    const { stack, oidc, integration } = consumer({ ...TRUST, settings: { dpopAlgorithms: ['HS256'] } });
    expect(() => oidc.require({ senderConstraint: 'maybe' as never })).toThrow(/senderConstraint must be one of off, allowed, required, got "maybe"/);
    new RestApi(stack, 'Api').root.addMethod('GET', integration, oidc.require());
    expect(() => Template.fromStack(stack)).toThrow(/\[Consumer\/Oidc\] dpopAlgorithms "HS256" is not allowed/);
  });
});
