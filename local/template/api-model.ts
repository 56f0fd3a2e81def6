// What the emulator serves, as read from the synthesized template: the REST API's methods, authorizers,
// gateway responses and the Lambda functions behind them. Nothing here is declared by hand.
import type { VtlTemplate } from './vtl';

export interface FunctionModel {
  readonly logicalId: string;
  /** Short name for logs: the construct path without the stack and the trailing `Resource`/`Function`. */
  readonly displayName: string;
  /** What AWS_LAMBDA_FUNCTION_NAME holds: FunctionName when set, else the logical id. */
  readonly functionName: string;
  /** Absolute path of the bundled asset (`aws:asset:path` relative to cdk.out). */
  readonly assetDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  /** @default 3 (seconds), as Lambda's */
  readonly timeoutSeconds: number;
  /** @default 128 (MiB), as Lambda's */
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
}

export type IdentitySourceKind = 'header' | 'multivalueheader' | 'querystring' | 'multivaluequerystring' | 'stageVariable' | 'context';

export interface IdentitySourceRef {
  readonly kind: IdentitySourceKind;
  readonly name: string;
  /** As written in the template, e.g. `method.request.header.Authorization`. */
  readonly expression: string;
}

export interface AuthorizerModel {
  readonly logicalId: string;
  readonly name: string;
  readonly type: 'REQUEST' | 'TOKEN';
  readonly identitySources: readonly IdentitySourceRef[];
  /** AuthorizerResultTtlInSeconds. @default 300 (seconds), as API Gateway's */
  readonly ttlSeconds: number;
  /** Logical id of the authorizer's Lambda function. */
  readonly functionId: string;
  /** TOKEN authorizers only: a regular expression the token must match before the function is invoked. */
  readonly identityValidationExpression?: string;
}

export interface IntegrationResponseModel {
  /** The method response it becomes. */
  readonly statusCode: number;
  /** A regular expression over the integration's status code; absent for the default response. */
  readonly selectionPattern?: string;
  /** Header name → mapping expression (from `method.response.header.X` keys). */
  readonly headers: Readonly<Record<string, string>>;
  /** Content type → parsed VTL. */
  readonly templates: Readonly<Record<string, VtlTemplate>>;
}

export interface IntegrationModel {
  /** AWS_PROXY and MOCK are served; anything else answers 500 locally (see docs/local.md). */
  readonly type: string;
  /** Logical id of the Lambda function, for AWS_PROXY. */
  readonly functionId?: string;
  /** TimeoutInMillis. @default 29000 (milliseconds) */
  readonly timeoutMs: number;
  /** MOCK: content type → parsed VTL of the integration request. */
  readonly requestTemplates?: Readonly<Record<string, VtlTemplate>>;
  /** MOCK: WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER. @default 'WHEN_NO_MATCH' */
  readonly passthroughBehavior?: string;
  /** MOCK: the integration responses, in template order. */
  readonly responses?: readonly IntegrationResponseModel[];
}

export interface MethodModel {
  readonly logicalId: string;
  /** A stable stand-in for API Gateway's generated resource id. */
  readonly resourceId: string;
  /** Full resource path, e.g. `/items/{id}`. */
  readonly resourcePath: string;
  /** GET, POST, …, or ANY. */
  readonly httpMethod: string;
  /** NONE, CUSTOM, AWS_IAM or COGNITO_USER_POOLS. */
  readonly authorizationType: string;
  /** Logical id of the authorizer, for CUSTOM. */
  readonly authorizerId?: string;
  readonly integration: IntegrationModel;
  /** Method responses by status code: the headers each declares. Empty for proxy integrations. */
  readonly methodResponses: ReadonlyMap<number, ReadonlySet<string>>;
}

export interface GatewayResponseModel {
  readonly type: string;
  readonly statusCode?: number;
  /** Header name → mapping expression (`'static'`, `method.request.header.X`, `context.requestId`, …). */
  readonly headers: Readonly<Record<string, string>>;
  /** Content type → body template. */
  readonly templates: Readonly<Record<string, string>>;
}

/** A DynamoDB table of the stack (the authorizer's DPoP replay store), created on the local DynamoDB-compatible server. */
export interface TableModel {
  readonly logicalId: string;
  /** What `Ref` of the table resolves to: its TableName when set, else the logical id. */
  readonly tableName: string;
  /** As in the template: `[{ AttributeName, KeyType }]`. */
  readonly keySchema: readonly { readonly AttributeName: string; readonly KeyType: string }[];
  readonly attributeDefinitions: readonly { readonly AttributeName: string; readonly AttributeType: string }[];
}

export interface ApiModel {
  readonly logicalId: string;
  readonly name: string;
  /** A stable stand-in for the API id, used in methodArn. */
  readonly apiId: string;
  readonly region: string;
  readonly accountId: string;
  readonly stageName: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly binaryMediaTypes: readonly string[];
  readonly methods: readonly MethodModel[];
  readonly authorizers: ReadonlyMap<string, AuthorizerModel>;
  readonly functions: ReadonlyMap<string, FunctionModel>;
  /** By response type. */
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseModel>;
  /** The stack's DynamoDB tables, served by a local DynamoDB-compatible server (local/dynamo.ts). */
  readonly tables: readonly TableModel[];
  /** Things read but not served exactly (an environment value only CloudFormation could resolve, …). */
  readonly warnings: readonly string[];
}
