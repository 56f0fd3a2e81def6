// Several issuers, context claims and claim-gated routes, as `cdk synth` turns them into the template.
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodeFunction } from '../../infra/constructs/node-function';
import { ContextError, readConfig } from '../../infra/config';
import type { OidcApiStack } from '../../infra/oidc-api-stack';
import { routeConstructId } from '../../infra/route-table';
import type { RouteDeclaration } from '../../infra/routes';
import { authorizerSettings, BASE_CONTEXT, synth } from './synth';

const ISSUERS = [
  { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E', audience: '3n4b5urk1ft4fl3mg5e62d9ado', clientIdAsAudience: true, usernameClaim: 'username', contextClaims: ['cognito:groups'] },
  { issuer: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0', audience: ['api://orders'], requiredScopes: ['access_as_user'], contextClaims: ['roles', 'tid'] },
];
const envOf = (s: OidcApiStack, fn: NodejsFunction) => s.resolve((fn.node.defaultChild as CfnFunction).environment).variables as Record<string, string>;
const authorizerEnv = ({ app, stack, template }: ReturnType<typeof synth>) =>
  authorizerSettings(app, template, stack.getLogicalId(stack.authorizer.function.node.defaultChild as CfnFunction)) as Record<string, string>;
const variables = (s: OidcApiStack, id: string) => envOf(s, (s.node.findChild(id) as NodeFunction).function);
const from = (context: Record<string, unknown>) => readConfig({ tryGetContext: (key) => context[key] });

describe('issuers', () => {
  test('-c issuers=<JSON> becomes OIDC_ISSUERS, checked by the authorizer’s own parser', () => {
    const env = authorizerEnv(synth({ issuers: JSON.stringify(ISSUERS), contextClaims: 'tenant_id' }));
    expect(JSON.parse(env.OIDC_ISSUERS)).toEqual(ISSUERS);
    expect(env.OIDC_ISSUER).toBeUndefined();
    expect(env.OIDC_CONTEXT_CLAIMS).toBe('tenant_id');
  });

  test('an array in cdk.json works as the string from -c does', () => {
    expect(from({ issuers: ISSUERS }).issuers).toEqual(ISSUERS);
  });

  test.each([
    ['with the shorthand too', { ...BASE_CONTEXT, issuers: JSON.stringify(ISSUERS) }, /^CDK context values issuers and issuer, audience contradict each other/],
    ['not JSON', { issuers: '[{' }, /^CDK context value issuers is not valid JSON/],
  ])('are refused as context %s, with a message that names the setting', (_name, context, message) => {
    expect(() => from(context)).toThrow(ContextError);
    expect(() => from(context)).toThrow(message);
  });

  test.each([
    ['without an audience', { issuers: JSON.stringify([{ issuer: 'https://a.example.com/' }]) }, /\[OidcApi\/Authorizer\] issuers\[0\]\.audience is required/],
    ['with a misspelt key', { issuers: JSON.stringify([{ issuer: 'https://a.example.com/', audience: 'x', contextClaim: ['x'] }]) }, /\[OidcApi\/Authorizer\] issuers\[0\] has the unknown setting "contextClaim"/],
    ['over 20', { issuers: JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ issuer: `https://i${i}.example.com/`, audience: 'x' }))) }, /\[OidcApi\/Authorizer\] issuers names 21 issuers; at most 20/],
  ])('are refused at synth %s, with a message that names the construct and the setting', (_name, context, message) => {
    expect(() => synth(context)).toThrow(message);
  });

  test('context claims that could outgrow the authorizer’s answer stop the synth', () => {
    expect(() => synth({ ...BASE_CONTEXT, contextClaims: Array.from({ length: 12 }, (_, i) => `c${i}`).join(',') })).toThrow(/\[OidcApi\/Authorizer\] contextClaims 12 context claims/);
  });
});

describe('claim-gated routes', () => {
  const routes: RouteDeclaration[] = [
    { method: 'GET', path: '/', handler: 'homepage', auth: 'optional', scopes: [] },
    { method: 'GET', path: '/admin', handler: 'profile', auth: 'required', scopes: [], claims: { 'cognito:groups': ['admins'] }, issuers: [ISSUERS[0]!.issuer] },
  ];

  test('each route’s Lambda gets its own claim and issuer rules; the authorizer the whole table', () => {
    const synthesized = synth({ issuers: JSON.stringify(ISSUERS) }, { routes });
    const { stack } = synthesized;
    const admin = variables(stack, `${routeConstructId(routes[1]!)}Handler`);
    expect(admin).toMatchObject({ ROUTE_AUTH: 'required', ROUTE_CLAIMS: JSON.stringify({ 'cognito:groups': ['admins'] }), ROUTE_ISSUERS: ISSUERS[0]!.issuer });
    const home = variables(stack, `${routeConstructId(routes[0]!)}Handler`);
    expect(home.ROUTE_CLAIMS).toBeUndefined();
    expect(JSON.parse(authorizerEnv(synthesized).OIDC_ROUTES)[1]).toMatchObject({ claims: { 'cognito:groups': ['admins'] }, issuers: [ISSUERS[0]!.issuer] });
  });

  test('a route naming an issuer that is not configured stops the synth', () => {
    expect(() => synth({ issuers: JSON.stringify(ISSUERS) }, { routes: [{ ...routes[1]!, issuers: ['https://typo.example.com/'] }] })).toThrow(/not configured/);
  });
});
