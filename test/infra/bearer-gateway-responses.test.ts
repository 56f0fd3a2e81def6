import { Stack } from 'aws-cdk-lib';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import { addBearerGatewayResponses, ERROR_DESCRIPTIONS } from '../../infra/constructs/bearer-gateway-responses';
import { appWith, BASE_CONTEXT, synth } from './synth';

const { template } = synth();

describe('gateway responses (RFC 6750)', () => {
  const INVALID = `error="invalid_token", error_description="The access token is missing, malformed, expired or not valid for this API"`;
  const INSUFFICIENT = `error="insufficient_scope", error_description="The access token does not meet the scope, claim or issuer requirements of this route"`;

  test('401 challenges with the realm, invalid_token and its fixed description, and a static JSON body', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="OidcApi", ${INVALID}'` },
      ResponseTemplates: { 'application/json': '{"message":"Unauthorized"}' },
    });
  });

  test('403 says insufficient_scope, with its fixed description', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer ${INSUFFICIENT}'` },
      ResponseTemplates: { 'application/json': '{"message":"Forbidden"}' },
    });
  });

  test('each description is an RFC 6750 error_description: printable ASCII without " or \\, nor the mapping quote', () => {
    for (const text of Object.values(ERROR_DESCRIPTIONS)) expect(text).toMatch(/^[\x20\x21\x23-\x26\x28-\x5B\x5D-\x7E]+$/);
  });

  test.each(['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR'])('%s becomes 503 with Retry-After', (type) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: '503',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': `'5'` },
      ResponseTemplates: { 'application/json': '{"message":"Service Unavailable"}' },
    });
  });

  test('exactly these four; bodies never echo the authorizer’s error', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses).toHaveLength(4);
    for (const r of responses) expect(JSON.stringify(r.Properties.ResponseTemplates)).not.toContain('$context');
  });

  test('the realm can be set, and one that would break the header is refused', () => {
    synth(BASE_CONTEXT, { realm: 'orders-api' }).template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="orders-api", ${INVALID}'` },
    });
    const api = new RestApi(new Stack(appWith(), 'Realm'), 'Api');
    api.root.addMethod('GET');
    for (const realm of ['say "hi"', "it's", 'a\\b', '', 'line\nbreak']) {
      expect(() => addBearerGatewayResponses(api, realm)).toThrow(/realm must be printable ASCII/);
    }
    addBearerGatewayResponses(api, 'My API (prod)');
    Template.fromStack(api.stack).resourceCountIs('AWS::ApiGateway::GatewayResponse', 4);
  });

  test('with DPoP algorithms the 401 and the 403 challenge for DPoP too; names that would break the header are refused', () => {
    const api = new RestApi(new Stack(appWith(), 'Dpop'), 'Api');
    api.root.addMethod('GET');
    for (const algs of [[], ['ES256"'], ['ES256 PS256'], ["ES'256"]]) {
      expect(() => addBearerGatewayResponses(api, 'r', undefined, algs)).toThrow(/dpopAlgorithms must be JWS algorithm names/);
    }
    addBearerGatewayResponses(api, 'r', undefined, ['ES256', 'PS256']);
    Template.fromStack(api.stack).hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="r", ${INVALID}, DPoP realm="r", algs="ES256 PS256"'` },
    });
    Template.fromStack(api.stack).hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer ${INSUFFICIENT}, DPoP error="insufficient_scope", algs="ES256 PS256"'` },
    });
  });
});
