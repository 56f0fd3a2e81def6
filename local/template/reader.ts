// Reads the REST API out of synthesized CloudFormation: resources resolved to full paths, methods with
// their authorizer and Lambda proxy integration, the authorizers' identity sources and TTLs, gateway
// responses, and every Lambda function involved with its handler, timeout, environment and bundled asset.
import * as path from 'node:path';
import { parseVtl, type VtlTemplate } from './vtl';
import type { ApiModel, AuthorizerModel, FunctionModel, GatewayResponseModel, IntegrationModel, IntegrationResponseModel, MethodModel, TableModel } from './api-model';
import type { CfnResource, StackTemplate } from './cloud-assembly';
import { isLocalError, LocalError } from '../errors';
import { parseIdentitySources } from './identity-sources';
import { resolveString, type IntrinsicScope } from './intrinsics';
import { stableId } from './stable-id';

export interface ReadApiOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Logical id or Name of the RestApi to serve, when the assembly holds several. */
  readonly restApi?: string;
}

type Resources = Readonly<Record<string, CfnResource>>;

const LAMBDA_FUNCTION = 'AWS::Lambda::Function';
const DYNAMODB_TABLE = 'AWS::DynamoDB::Table';
const HEADER_PARAMETER = /^gatewayresponse\.header\.(.+)$/;
const METHOD_HEADER = /^method\.response\.header\.(.+)$/;

const isRef = (value: unknown, id: string): boolean => (value as { Ref?: unknown } | null)?.Ref === id;
const props = (r: CfnResource): Record<string, unknown> => r.Properties ?? {};

/** The RestApi to serve, and the stack holding it. */
function findRestApi(stacks: readonly StackTemplate[], wanted: string | undefined): { stack: StackTemplate; id: string } {
  const found = stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources ?? {})
      .filter(([, r]) => r.Type === 'AWS::ApiGateway::RestApi')
      .map(([id, r]) => ({ stack, id, name: String(props(r).Name ?? id) })),
  );
  const chosen = wanted === undefined ? found : found.filter((f) => f.id === wanted || f.name === wanted);
  if (chosen.length === 1) return chosen[0]!;
  const names = found.map((f) => `${f.stack.stackName}/${f.id} (${f.name})`).join(', ') || 'none';
  if (chosen.length === 0) {
    throw new LocalError('TEMPLATE_UNSUPPORTED', wanted === undefined ? 'the cloud assembly holds no AWS::ApiGateway::RestApi' : `no RestApi named ${wanted}; found ${names}`);
  }
  throw new LocalError('TEMPLATE_UNSUPPORTED', `the cloud assembly holds several REST APIs (${names}): name one with REST_API=<logical id or name>`);
}

/**
 * The logical id of the Lambda function an integration or authorizer URI invokes: the function whose
 * ARN (Fn::GetAtt [fn, Arn]) or name (Ref fn) the expression embeds, following aliases and versions.
 */
export function invokedFunction(expression: unknown, resources: Resources): string | undefined {
  const follow = (id: string): string | undefined => {
    const r = resources[id];
    if (r?.Type === LAMBDA_FUNCTION) return id;
    if (r?.Type === 'AWS::Lambda::Alias' || r?.Type === 'AWS::Lambda::Version') return invokedFunction(props(r).FunctionName, resources);
    return undefined;
  };
  if (typeof expression === 'string') {
    for (const m of expression.matchAll(/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/g)) {
      const id = follow(m[1]!);
      if (id) return id;
    }
    return undefined;
  }
  if (Array.isArray(expression)) {
    for (const item of expression) {
      const id = invokedFunction(item, resources);
      if (id) return id;
    }
    return undefined;
  }
  if (typeof expression !== 'object' || expression === null) return undefined;
  const e = expression as Record<string, unknown>;
  if (typeof e.Ref === 'string') return follow(e.Ref);
  if (Array.isArray(e['Fn::GetAtt']) && e['Fn::GetAtt'][1] === 'Arn') return follow(String(e['Fn::GetAtt'][0]));
  return invokedFunction(Object.values(e), resources);
}

/** The header names of `method.response.header.X`-style keys. */
const headerNames = (parameters: unknown, pattern: RegExp): string[] =>
  Object.keys((parameters ?? {}) as Record<string, unknown>).flatMap((k) => pattern.exec(k)?.[1] ?? []);

function templates(raw: unknown, owner: string): Record<string, VtlTemplate> {
  const out: Record<string, VtlTemplate> = {};
  for (const [contentType, source] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    try {
      out[contentType] = parseVtl(String(source));
    } catch (e) {
      if (!isLocalError(e, 'TEMPLATE_UNSUPPORTED')) throw e;
      throw new LocalError('TEMPLATE_UNSUPPORTED', `${owner}, ${contentType} template: ${e.message}`, { cause: e });
    }
  }
  return out;
}

/** A MOCK integration's templates and responses, parsed once here so a template the emulator cannot run stops the start. */
function mockIntegration(integration: Record<string, unknown>, owner: string): Pick<IntegrationModel, 'requestTemplates' | 'passthroughBehavior' | 'responses'> {
  const responses: IntegrationResponseModel[] = ((integration.IntegrationResponses ?? []) as Record<string, unknown>[]).map((r) => {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries((r.ResponseParameters ?? {}) as Record<string, unknown>)) {
      const m = METHOD_HEADER.exec(key);
      if (m) headers[m[1]!] = String(value);
    }
    return {
      statusCode: Number(r.StatusCode),
      ...(typeof r.SelectionPattern === 'string' && r.SelectionPattern !== '' ? { selectionPattern: r.SelectionPattern } : {}),
      headers,
      templates: templates(r.ResponseTemplates, `${owner} integration response ${String(r.StatusCode)}`),
    };
  });
  return {
    requestTemplates: templates(integration.RequestTemplates, `${owner} integration request`),
    passthroughBehavior: String(integration.PassthroughBehavior ?? 'WHEN_NO_MATCH'),
    responses,
  };
}

/** `Stack/Authorizer/Handler/Function/Resource` → `Authorizer/Handler`. */
function displayNameOf(id: string, resource: CfnResource): string {
  const cdkPath = resource.Metadata?.['aws:cdk:path'];
  if (typeof cdkPath !== 'string') return id;
  const parts = cdkPath.split('/').slice(1);
  if (parts.at(-1) === 'Resource') parts.pop();
  if (parts.length > 1 && parts.at(-1) === 'Function') parts.pop();
  return parts.join('/') || id;
}

export function readApi(stacks: readonly StackTemplate[], options: ReadApiOptions = {}): ApiModel {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const { stack, id: apiLogicalId } = findRestApi(stacks, options.restApi);
  const resources: Resources = stack.template.Resources ?? {};
  const api = resources[apiLogicalId]!;
  if (props(api).Body !== undefined || props(api).BodyS3Location !== undefined) {
    throw new LocalError('TEMPLATE_UNSUPPORTED', `RestApi ${apiLogicalId} is defined by an OpenAPI body, which the emulator does not read`);
  }
  const warnings: string[] = [];
  const ofApi = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type && isRef(props(r).RestApiId, apiLogicalId));
  const rootResourceId = stableId(`${apiLogicalId}/root`, 10);

  // Served by the local DynamoDB-compatible server under the name Ref gives them.
  const tables: TableModel[] = Object.entries(resources)
    .filter(([, r]) => r.Type === DYNAMODB_TABLE)
    .map(([id, r]) => ({
      logicalId: id,
      tableName: typeof props(r).TableName === 'string' ? String(props(r).TableName) : id,
      keySchema: (props(r).KeySchema ?? []) as TableModel['keySchema'],
      attributeDefinitions: (props(r).AttributeDefinitions ?? []) as TableModel['attributeDefinitions'],
    }));
  const functionName = (id: string) => (typeof props(resources[id]!).FunctionName === 'string' ? String(props(resources[id]!).FunctionName) : id);
  const scopeFor = (notes: string[]): IntrinsicScope => ({
    region,
    accountId,
    stackName: stack.stackName,
    ref(id) {
      const parameter = stack.template.Parameters?.[id];
      if (parameter) return parameter.Default === undefined ? undefined : String(parameter.Default);
      const r = resources[id];
      if (!r) return undefined;
      if (r.Type === LAMBDA_FUNCTION) return functionName(id);
      if (r.Type === 'AWS::ApiGateway::RestApi') return stableId(id, 10);
      if (r.Type === DYNAMODB_TABLE) return tables.find((t) => t.logicalId === id)!.tableName;
      notes.push(`Ref ${id} (${r.Type}) stands in as ${JSON.stringify(id)}`);
      return id;
    },
    getAtt(id, attribute) {
      const r = resources[id];
      if (r?.Type === LAMBDA_FUNCTION && attribute === 'Arn') return `arn:aws:lambda:${region}:${accountId}:function:${functionName(id)}`;
      if (r?.Type === 'AWS::ApiGateway::RestApi' && attribute === 'RootResourceId') return rootResourceId;
      if (r?.Type === DYNAMODB_TABLE && attribute === 'Arn') return `arn:aws:dynamodb:${region}:${accountId}:table/${tables.find((t) => t.logicalId === id)!.tableName}`;
      return undefined;
    },
  });

  // Full resource paths, resolved through ParentId chains.
  const paths = new Map<string, string>();
  const pathOf = (resourceIdExpr: unknown): { path: string; resourceId: string } => {
    const getAtt = (resourceIdExpr as { 'Fn::GetAtt'?: unknown[] } | null)?.['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === apiLogicalId && getAtt[1] === 'RootResourceId') return { path: '/', resourceId: rootResourceId };
    const ref = (resourceIdExpr as { Ref?: unknown } | null)?.Ref;
    const r = typeof ref === 'string' ? resources[ref] : undefined;
    if (typeof ref !== 'string' || r?.Type !== 'AWS::ApiGateway::Resource') {
      throw new LocalError('TEMPLATE_UNSUPPORTED', `resource id ${JSON.stringify(resourceIdExpr)} is neither the API root nor an AWS::ApiGateway::Resource`);
    }
    let full = paths.get(ref);
    if (full === undefined) {
      const parent = pathOf(props(r).ParentId).path;
      full = `${parent === '/' ? '' : parent}/${String(props(r).PathPart)}`;
      paths.set(ref, full);
    }
    return { path: full, resourceId: stableId(ref, 6) };
  };

  const functionIds = new Set<string>();
  const requireFunction = (expression: unknown, owner: string): string => {
    const fn = invokedFunction(expression, resources);
    if (!fn) throw new LocalError('TEMPLATE_UNSUPPORTED', `${owner} invokes a Lambda function that is not in this stack`);
    functionIds.add(fn);
    return fn;
  };

  const methods: MethodModel[] = ofApi('AWS::ApiGateway::Method').map(([id, r]) => {
    const p = props(r);
    const { path: resourcePath, resourceId } = pathOf(p.ResourceId);
    const integration = (p.Integration ?? {}) as Record<string, unknown>;
    const type = String(integration.Type ?? 'MOCK');
    const authorizerRef = (p.AuthorizerId as { Ref?: unknown } | undefined)?.Ref;
    return {
      logicalId: id,
      resourceId,
      resourcePath,
      httpMethod: String(p.HttpMethod).toUpperCase(),
      authorizationType: String(p.AuthorizationType ?? 'NONE').toUpperCase(),
      ...(typeof authorizerRef === 'string' ? { authorizerId: authorizerRef } : {}),
      integration: {
        type,
        ...(type === 'AWS_PROXY' ? { functionId: requireFunction(integration.Uri, `method ${id}`) } : {}),
        timeoutMs: Number(integration.TimeoutInMillis ?? 29000),
        ...(type === 'MOCK' ? mockIntegration(integration, `method ${id} (${String(p.HttpMethod)} ${resourcePath})`) : {}),
      },
      methodResponses: new Map(
        ((p.MethodResponses ?? []) as Record<string, unknown>[]).map((r) => [Number(r.StatusCode), new Set(headerNames(r.ResponseParameters, METHOD_HEADER))]),
      ),
    };
  });

  const authorizers = new Map<string, AuthorizerModel>();
  for (const method of methods) {
    const id = method.authorizerId;
    if (method.authorizationType !== 'CUSTOM' || id === undefined || authorizers.has(id)) continue;
    const r = resources[id];
    if (r?.Type !== 'AWS::ApiGateway::Authorizer') throw new LocalError('TEMPLATE_UNSUPPORTED', `method ${method.logicalId} names authorizer ${id}, which is not in this stack`);
    const p = props(r);
    const type = String(p.Type);
    if (type !== 'REQUEST' && type !== 'TOKEN') throw new LocalError('TEMPLATE_UNSUPPORTED', `authorizer ${id} is of type ${type}; only Lambda REQUEST and TOKEN authorizers are emulated`);
    authorizers.set(id, {
      logicalId: id,
      name: String(p.Name ?? id),
      type,
      identitySources: parseIdentitySources(typeof p.IdentitySource === 'string' ? p.IdentitySource : undefined),
      ttlSeconds: p.AuthorizerResultTtlInSeconds === undefined ? 300 : Number(p.AuthorizerResultTtlInSeconds),
      functionId: requireFunction(p.AuthorizerUri, `authorizer ${id}`),
      ...(typeof p.IdentityValidationExpression === 'string' ? { identityValidationExpression: p.IdentityValidationExpression } : {}),
    });
  }

  const functions = new Map<string, FunctionModel>();
  for (const id of functionIds) {
    const r = resources[id]!;
    const p = props(r);
    const runtime = String(p.Runtime ?? '');
    if (!runtime.startsWith('nodejs')) throw new LocalError('TEMPLATE_UNSUPPORTED', `function ${id} runs ${runtime || 'a container image'}; only Node.js functions are emulated`);
    const asset = r.Metadata?.['aws:asset:path'];
    if (typeof asset !== 'string') throw new LocalError('TEMPLATE_UNSUPPORTED', `function ${id} has no asset in the cloud assembly (aws:asset:path metadata); inline code is not emulated`);
    const environment: Record<string, string> = {};
    const variables = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(variables)) {
      const notes: string[] = [];
      try {
        environment[name] = resolveString(value, scopeFor(notes));
        for (const note of notes) warnings.push(`${displayNameOf(id, r)}: ${name}: ${note}`);
      } catch (e) {
        if (!isLocalError(e, 'INTRINSIC_UNRESOLVED')) throw e;
        warnings.push(`${displayNameOf(id, r)}: ${name} is left unset: ${e.message}`);
      }
    }
    functions.set(id, {
      logicalId: id,
      displayName: displayNameOf(id, r),
      functionName: functionName(id),
      assetDir: path.resolve(stack.assemblyDir, asset),
      handler: String(p.Handler ?? 'index.handler'),
      runtime,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      environment,
    });
  }

  const gatewayResponses = new Map<string, GatewayResponseModel>();
  for (const [, r] of ofApi('AWS::ApiGateway::GatewayResponse')) {
    const p = props(r);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries((p.ResponseParameters ?? {}) as Record<string, unknown>)) {
      const m = HEADER_PARAMETER.exec(key);
      if (m) headers[m[1]!] = String(value);
    }
    gatewayResponses.set(String(p.ResponseType), {
      type: String(p.ResponseType),
      ...(p.StatusCode !== undefined ? { statusCode: Number(p.StatusCode) } : {}),
      headers,
      templates: (p.ResponseTemplates ?? {}) as Record<string, string>,
    });
  }

  const stage = ofApi('AWS::ApiGateway::Stage')[0]?.[1] ?? ofApi('AWS::ApiGateway::Deployment').find(([, d]) => props(d).StageName !== undefined)?.[1];
  const stageName = stage ? String(props(stage).StageName) : 'prod';
  if (!stage) warnings.push('no AWS::ApiGateway::Stage in the template; serving as stage "prod"');

  return {
    logicalId: apiLogicalId,
    name: String(props(api).Name ?? apiLogicalId),
    apiId: stableId(apiLogicalId, 10),
    region,
    accountId,
    stageName,
    stageVariables: ((stage && props(stage).Variables) ?? {}) as Record<string, string>,
    binaryMediaTypes: ((props(api).BinaryMediaTypes ?? []) as string[]).map((t) => t.replace(/~1/g, '/')),
    methods,
    authorizers,
    functions,
    gatewayResponses,
    tables,
    warnings,
  };
}
