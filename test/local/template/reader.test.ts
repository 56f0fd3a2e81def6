import * as path from 'node:path';
import { readCloudAssembly, type StackTemplate } from '../../../local/template/cloud-assembly';
import { isLocalError } from '../../../local/errors';
import { readApi } from '../../../local/template/reader';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'small-assembly');

const stacks = (): StackTemplate[] => readCloudAssembly(FIXTURE);
/** The fixture's template, edited by `edit`. */
function edited(edit: (resources: Record<string, any>) => void): StackTemplate[] {
  const [stack] = stacks();
  const template = JSON.parse(JSON.stringify(stack!.template));
  edit(template.Resources);
  return [{ ...stack!, template }];
}
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isLocalError(e) ? e.code : 'not a LocalError';
  }
  return undefined;
};

describe('readCloudAssembly', () => {
  test('finds the stack templates named in manifest.json', () => {
    const [stack, ...rest] = stacks();
    expect(rest).toEqual([]);
    expect(stack!.stackName).toBe('Small');
    expect(stack!.assemblyDir).toBe(FIXTURE);
  });

  test('a missing cdk.out says to synthesize', () => {
    expect(codeOf(() => readCloudAssembly(path.join(FIXTURE, 'nope')))).toBe('ASSEMBLY_NOT_FOUND');
  });
});

describe('readApi', () => {
  const api = readApi(stacks(), { region: 'eu-west-1', accountId: '111122223333' });

  test('resolves resources to full paths and reads each method', () => {
    const methods = api.methods.map((m) => [m.httpMethod, m.resourcePath, m.authorizationType, m.authorizerId, m.integration.type, m.integration.functionId, m.integration.timeoutMs]);
    expect(methods).toEqual(
      expect.arrayContaining([
        ['GET', '/items/{id}', 'CUSTOM', 'TokenAuth', 'AWS_PROXY', 'Fn', 5000],
        ['POST', '/items/{id}', 'CUSTOM', 'RequestAuth', 'AWS_PROXY', 'Fn', 29000],
        ['ANY', '/{proxy+}', 'NONE', undefined, 'AWS_PROXY', 'Fn', 29000],
        ['GET', '/', 'NONE', undefined, 'MOCK', undefined, 29000],
      ]),
    );
    expect(api.methods).toHaveLength(4);
  });

  test('gives stable ids: the same template yields the same API and resource ids', () => {
    const again = readApi(stacks(), { region: 'eu-west-1', accountId: '111122223333' });
    expect(again.apiId).toBe(api.apiId);
    expect(api.apiId).toMatch(/^[a-z0-9]{10}$/);
    expect(again.methods.map((m) => m.resourceId)).toEqual(api.methods.map((m) => m.resourceId));
    const ids = api.methods.filter((m) => m.resourcePath === '/items/{id}').map((m) => m.resourceId);
    expect(new Set(ids).size).toBe(1);
  });

  test('reads authorizers: type, identity sources, TTL (300 when absent) and the function behind them', () => {
    expect(api.authorizers.get('TokenAuth')).toEqual({
      logicalId: 'TokenAuth',
      name: 'token-auth',
      type: 'TOKEN',
      identitySources: [{ kind: 'header', name: 'X-Token', expression: 'method.request.header.X-Token' }],
      ttlSeconds: 300,
      functionId: 'Fn',
      identityValidationExpression: '^tok-',
    });
    const request = api.authorizers.get('RequestAuth')!;
    expect(request.ttlSeconds).toBe(60);
    expect(request.identitySources.map((s) => [s.kind, s.name])).toEqual([
      ['header', 'Authorization'],
      ['querystring', 'key'],
      ['stageVariable', 'flavour'],
      ['context', 'identity.sourceIp'],
    ]);
  });

  test('reads gateway responses: status, header mappings, templates', () => {
    expect(api.gatewayResponses.get('UNAUTHORIZED')).toEqual({
      type: 'UNAUTHORIZED',
      statusCode: 401,
      headers: { 'WWW-Authenticate': '\'Bearer realm="small", error="invalid_token"\'', 'X-Request-Id': 'context.requestId' },
      templates: { 'application/json': '{"message":$context.error.messageString}' },
    });
  });

  test('reads the stage, its variables and binary media types', () => {
    expect([api.name, api.stageName, api.stageVariables, api.binaryMediaTypes]).toEqual(['small-api', 'v1', { flavour: 'lime' }, ['image/png']]);
  });

  test('reads only the functions the API invokes, with handler, timeout, memory and asset directory', () => {
    expect([...api.functions.keys()]).toEqual(['Fn']);
    const fn = api.functions.get('Fn')!;
    expect(fn).toMatchObject({ displayName: 'Fn', functionName: 'Fn', handler: 'app.main', runtime: 'nodejs22.x', timeoutSeconds: 7, memoryMb: 512, assetDir: path.join(FIXTURE, 'asset.fn') });
  });

  test('resolves environment variables, standing in or leaving out what only a deployment knows', () => {
    const env = api.functions.get('Fn')!.environment;
    expect(env).toEqual({
      PLAIN: 'x',
      REGION: 'eu-west-1',
      SUBBED: '111122223333-Small-${NotAVar}',
      SUB_VARS: 'alpha|arn:aws:lambda:eu-west-1:111122223333:function:Fn',
      JOINED: 'a:c',
      BUCKET: 'Bucket',
      TABLE: 'Table',
      TABLE_ARN: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Table',
      SELF: 'arn:aws:lambda:eu-west-1:111122223333:function:Fn',
    });
    expect(api.warnings).toEqual([
      'Fn: BUCKET: Ref Bucket (AWS::S3::Bucket) stands in as "Bucket"',
      'Fn: IMPORTED is left unset: Fn::ImportValue cannot be resolved outside a deployment',
    ]);
  });

  test('reads the DynamoDB tables, which the local DynamoDB serves under the name Ref gives them', () => {
    expect(api.tables).toEqual([
      { logicalId: 'Table', tableName: 'Table', keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
    ]);
    const named = readApi(edited((r) => (r.Table.Properties.TableName = 'replay')));
    expect(named.tables.map((t) => t.tableName)).toEqual(['replay']);
    expect(named.functions.get('Fn')!.environment.TABLE).toBe('replay');
  });

  test('refuses what it cannot serve, with a code', () => {
    expect(codeOf(() => readApi(edited((r) => delete r.Api)))).toBe('TEMPLATE_UNSUPPORTED');
    expect(codeOf(() => readApi(edited((r) => (r.Api2 = r.Api))))).toBe('TEMPLATE_UNSUPPORTED');
    expect(readApi(edited((r) => (r.Api2 = { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'other' } })), { restApi: 'small-api' }).logicalId).toBe('Api');
    expect(codeOf(() => readApi(edited((r) => (r.Api.Properties.Body = {}))))).toBe('TEMPLATE_UNSUPPORTED');
    expect(codeOf(() => readApi(edited((r) => (r.Fn.Properties.Runtime = 'python3.12'))))).toBe('TEMPLATE_UNSUPPORTED');
    expect(codeOf(() => readApi(edited((r) => delete r.Fn.Metadata['aws:asset:path'])))).toBe('TEMPLATE_UNSUPPORTED');
    expect(codeOf(() => readApi(edited((r) => (r.RequestAuth.Properties.IdentitySource = 'method.request.body.x'))))).toBe('TEMPLATE_UNSUPPORTED');
    expect(codeOf(() => readApi(edited((r) => (r.TokenAuth.Properties.Type = 'COGNITO_USER_POOLS'))))).toBe('TEMPLATE_UNSUPPORTED');
  });
});
