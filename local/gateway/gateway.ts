// One request through the emulated API Gateway: route → authorizer → Lambda proxy or MOCK integration → answer,
// with API Gateway's own answers (gateway responses) wherever a step refuses or fails.
import { randomBytes } from 'node:crypto';
import type { ApiModel } from '../template/api-model';
import { headerValue, type ApiRequest } from './api-request';
import type { AuthorizerCache } from './authorizer/cache';
import { AuthorizerStep, type AuthorizeOutcome, type AuthorizerSource } from './authorizer/authorize';
import { gatewayResponse, type GatewayResponseOptions, type GatewayResponseType } from './gateway-responses';
import type { HttpAnswer } from './http-answer';
import type { LambdaRunner } from '../lambda/runner';
import { matchesMediaType } from './media-type';
import { runMock } from './integrations/mock';
import { proxyEvent, type Authorization } from './integrations/proxy-event';
import { readProxyResponse } from './integrations/proxy-response';
import { eventPath, methodArn, requestContext } from './request-context';
import { Router, type RouteMatch } from './routing';

/** API Gateway's payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface GatewayResult {
  readonly answer: HttpAnswer;
  readonly authorizer: AuthorizerSource;
  /** The authorizer answered from its own verified-token cache. */
  readonly tokenCache?: boolean;
  /** Why API Gateway answered itself, for the request log. */
  readonly reason?: string;
}

export class Gateway {
  private readonly router: Router;
  private readonly authorizer: AuthorizerStep;

  constructor(
    private readonly api: ApiModel,
    private readonly runners: ReadonlyMap<string, LambdaRunner>,
    cache: AuthorizerCache,
  ) {
    this.router = new Router(api.methods);
    this.authorizer = new AuthorizerStep(api, runners, cache);
  }

  async handle(request: ApiRequest): Promise<GatewayResult> {
    const match = this.router.match(request.httpMethod, request.rawPath);
    const context = requestContext(this.api, match?.method, request);
    const refuse = (type: GatewayResponseType, authorizer: AuthorizerSource, reason: string, options?: GatewayResponseOptions): GatewayResult => ({
      answer: this.stamp(gatewayResponse(this.api.gatewayResponses, type, { context, request, pathParameters: match?.pathParameters ?? null, stageVariables: this.api.stageVariables }, options), request),
      authorizer,
      reason,
    });
    if (!match) return refuse('MISSING_AUTHENTICATION_TOKEN', 'none', `no method ${request.httpMethod} ${request.rawPath} in the API`);
    if (request.body.length > MAX_PAYLOAD_BYTES) return refuse('REQUEST_TOO_LARGE', 'none', `body over ${MAX_PAYLOAD_BYTES} bytes`);

    const path = eventPath(request);
    const outcome = await this.authorizer.authorize({ match, request, requestContext: context, methodArn: methodArn(this.api, request), path });
    const result = await this.afterAuthorizer(outcome, match, request, path, context, refuse);
    return outcome.tokenCache ? { ...result, tokenCache: true } : result;
  }

  private async afterAuthorizer(
    outcome: AuthorizeOutcome,
    match: RouteMatch,
    request: ApiRequest,
    path: string,
    context: Record<string, unknown>,
    refuse: (type: GatewayResponseType, authorizer: AuthorizerSource, reason: string, options?: GatewayResponseOptions) => GatewayResult,
  ): Promise<GatewayResult> {
    if (!outcome.allowed) {
      return refuse(outcome.response, outcome.source, outcome.reason, {
        ...(outcome.message !== undefined ? { message: outcome.message } : {}),
        ...(outcome.authorizer !== undefined ? { authorizer: outcome.authorizer } : {}),
      });
    }

    const integration = match.method.integration;
    if (integration.type === 'MOCK') {
      const mock = runMock({ method: match.method, request, context, pathParameters: match.pathParameters, stageVariables: this.api.stageVariables });
      return mock.ok ? { answer: this.stamp(mock.answer, request), authorizer: outcome.source } : refuse(mock.response, outcome.source, mock.reason);
    }
    if (integration.type !== 'AWS_PROXY' || integration.functionId === undefined) {
      return refuse('API_CONFIGURATION_ERROR', outcome.source, `integration type ${integration.type} is not emulated locally`);
    }
    const result = await this.integrate(match, request, path, context, outcome.auth, integration.functionId, integration.timeoutMs);
    if ('error' in result) {
      return result.timedOut
        ? refuse('INTEGRATION_TIMEOUT', outcome.source, result.error)
        : refuse('DEFAULT_5XX', outcome.source, result.error);
    }
    return { answer: this.stamp(result.answer, request), authorizer: outcome.source };
  }

  private async integrate(
    match: RouteMatch,
    request: ApiRequest,
    path: string,
    context: Record<string, unknown>,
    auth: Authorization | undefined,
    functionId: string,
    timeoutMs: number,
  ): Promise<{ answer: HttpAnswer } | { error: string; timedOut: boolean }> {
    const event = proxyEvent(this.api, match, request, path, context, auth);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const invocation = await Promise.race([this.runners.get(functionId)!.invoke(event, request.requestId), timeout]).finally(() => clearTimeout(timer));
    if (invocation === 'timeout') return { error: `the integration did not answer within ${timeoutMs} ms`, timedOut: true };
    if (!invocation.ok) return { error: `the function failed: ${invocation.error.errorType}: ${invocation.error.errorMessage}`, timedOut: false };
    const binaryAccepted = matchesMediaType(this.api.binaryMediaTypes, headerValue(request, 'accept'));
    const read = readProxyResponse(invocation.payload, binaryAccepted);
    return read.ok ? { answer: read.answer } : { error: read.reason, timedOut: false };
  }

  /** The headers API Gateway adds to every answer. */
  private stamp(answer: HttpAnswer, request: ApiRequest): HttpAnswer {
    return {
      ...answer,
      headers: {
        ...answer.headers,
        'x-amzn-RequestId': [request.requestId],
        'x-amz-apigw-id': [randomBytes(6).toString('base64url')],
      },
    };
  }
}
