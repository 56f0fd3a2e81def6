// The example REST API, built on the public OidcAuthorizer construct as any consumer would: one method and
// one handler Lambda per route of infra/routes.ts, each attached with oidc.require() or oidc.optional().
import * as path from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  LambdaIntegration,
  LogGroupLogDestination,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { OidcApiConfig } from './config';
import { CORS_ORIGINS_ENV, formatCorsOrigins } from '../lambda/shared/cors';
import { addCorsPreflight, preflightMethods } from './constructs/cors';
import { NodeFunction } from './constructs/node-function';
import { OidcAuthorizer } from './constructs/oidc-authorizer';
import { checkRouteDeclarations, checkRouteHandlers, routeConstructId } from './route-table';
import { ROUTES, type RouteDeclaration } from './routes';

export interface OidcApiStackProps extends StackProps {
  readonly config: OidcApiConfig;
  /** @default ROUTES from infra/routes.ts */
  readonly routes?: readonly RouteDeclaration[];
  /** Protection space named in WWW-Authenticate challenges. @default the REST API's name (the stack name) */
  readonly realm?: string;
}

const LAMBDA_DIR = path.join(__dirname, '..', 'lambda');

export class OidcApiStack extends Stack {
  readonly api: RestApi;
  readonly authorizer: OidcAuthorizer;

  constructor(scope: Construct, id: string, props: OidcApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    const routes = props.routes ?? ROUTES;
    checkRouteDeclarations(routes);
    checkRouteHandlers(routes, LAMBDA_DIR);

    this.authorizer = new OidcAuthorizer(this, 'Authorizer', {
      issuer: config.issuer,
      audience: config.audience,
      jwksUri: config.jwksUri,
      issuers: config.issuers,
      settings: config.settings,
      resultsCacheTtl: Duration.seconds(config.authorizerCacheTtlSeconds),
      logRetention: config.logRetention,
      realm: props.realm ?? this.stackName,
      ...(config.monitoring ? { monitoring: {} } : {}),
      ...(config.cors ? { corsOrigins: config.cors.origins.any ? ['*'] : config.cors.origins.origins } : {}),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: config.logRetention });
    this.api = new RestApi(this, 'Api', {
      restApiName: this.stackName,
      description: 'REST API protected by OIDC bearer tokens (Lambda REQUEST authorizer)',
      // Execution logging would need the account-wide API Gateway CloudWatch role; see the APIG6 note below.
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stageName,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });
    // RestApi adds an output with a generated name; ApiUrl below replaces it with a stable one.
    this.api.node.tryRemoveChild('Endpoint');
    const corsEnv: Record<string, string> = config.cors ? { [CORS_ORIGINS_ENV]: formatCorsOrigins(config.cors.origins) } : {};

    for (const route of routes) {
      const requirement = { scopes: route.scopes, ...(route.claims ? { claims: route.claims } : {}), ...(route.issuers ? { issuers: route.issuers } : {}) };
      const options = route.auth === 'required' ? this.authorizer.require(requirement) : this.authorizer.optional(requirement);
      const handler = new NodeFunction(this, `${routeConstructId(route)}Handler`, {
        entry: path.join(LAMBDA_DIR, route.handler, 'index.ts'),
        description: `${route.method} ${route.path} (${route.auth} auth)`,
        environment: { ...options.handlerEnvironment, ...corsEnv },
        logRetention: config.logRetention,
      });
      this.api.root.resourceForPath(route.path).addMethod(
        route.method,
        // No test-invoke permission: the console's test call bypasses the authorizer, so we don't grant it.
        new LambdaIntegration(handler.function, { allowTestInvoke: false }),
        options,
      );
    }

    // Preflights are answered by API Gateway itself, before and without any authorizer.
    if (config.cors) {
      for (const [resourcePath, methods] of preflightMethods(routes)) addCorsPreflight(this.api.root.resourceForPath(resourcePath), methods, config.cors);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the deployed stage' });

    this.acknowledgeNagFindings();
  }

  // cdk-nag AwsSolutions findings we accept, each with the reason it does not apply here.
  private acknowledgeNagFindings(): void {
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason: 'The routes are GETs without bodies or required parameters, so there is nothing for a request validator to check; the bearer token is validated by the Lambda authorizer.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: 'Whether to put AWS WAF in front of the API, and with which rules, is the deployer\'s choice (cost and traffic profile); a web ACL can be associated with the stage after deployment.',
      },
      {
        id: 'AwsSolutions-APIG6',
        reason: 'Execution logging needs the account-wide API Gateway CloudWatch role (AWS::ApiGateway::Account), shared account state this stack should not own; access logs (with authorizer status, error and latency) and every Lambda\'s own JSON logs are on.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Every method is protected by the OIDC Lambda REQUEST authorizer, which accepts any OIDC provider\'s tokens; a Cognito user pool authorizer would tie the API to Cognito.',
      },
    );
  }
}

// One JSON line per request, with what is needed to see why a request was refused (never the token).
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      httpMethod: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      protocol: AccessLogField.contextProtocol(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      errorType: AccessLogField.contextErrorResponseType(),
      principalId: AccessLogField.contextAuthorizerPrincipalId(),
      authorizerStatus: AccessLogField.contextAuthorizerStatus(),
      authorizerLatency: AccessLogField.contextAuthorizerLatency(),
      authorizerError: AccessLogField.contextAuthorizerError(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
    }),
  );
}
