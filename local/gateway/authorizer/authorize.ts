// The authorization step of a request, as API Gateway runs a Lambda authorizer: identity sources first
// (missing → 401 without invoking), then the cache, then the function; exactly `Unauthorized` → 401, any
// other error, a timeout or an invalid answer → 500 AUTHORIZER_CONFIGURATION_ERROR; then the policy is
// evaluated against this request's methodArn, cached or not.
import { randomUUID } from 'node:crypto';
import type { ApiModel, AuthorizerModel } from '../../template/api-model';
import type { ApiRequest } from '../api-request';
import { checkAuthorizerAnswer, type AuthorizerAnswer } from './answer';
import { AuthorizerCache } from './cache';
import { authorizerEvent } from './event';
import type { GatewayResponseType } from '../gateway-responses';
import { identityValues } from './identity-source';
import type { LambdaRunner } from '../../lambda/runner';
import { evaluatePolicy } from './policy';
import type { Authorization } from '../integrations/proxy-event';
import { contextVariable } from '../request-context';
import type { RouteMatch } from '../routing';

/** How the request was authorized, for the request log. */
export type AuthorizerSource = 'none' | 'skipped' | 'cached' | 'invoked';

/**
 * True when the authorizer answered from its own verified-token cache, as its decision log record says
 * (`"event":"decision"` with `"cached":true`); not API Gateway's result cache, which is source `cached`.
 */
export function answeredFromTokenCache(stdout: string): boolean {
  return stdout.split('\n').some((line) => {
    if (!line.includes('"decision"')) return false;
    try {
      const record = JSON.parse(line) as { event?: unknown; cached?: unknown };
      return record.event === 'decision' && record.cached === true;
    } catch {
      return false;
    }
  });
}

export type AuthorizeOutcome = (
  | { readonly allowed: true; readonly source: AuthorizerSource; readonly auth?: Authorization }
  | {
      readonly allowed: false;
      readonly source: AuthorizerSource;
      readonly response: GatewayResponseType;
      /** Replaces the response type's built-in message. */
      readonly message?: string;
      /** $context.authorizer for the gateway response: only after an explicit Deny, as AWS renders it. */
      readonly authorizer?: Readonly<Record<string, string | number | boolean>>;
      /** Why, for the request log; never shown to the client. */
      readonly reason: string;
    }
) & {
  /** The invoked authorizer answered from its verified-token cache. */
  readonly tokenCache?: boolean;
};

export interface AuthorizeInput {
  readonly match: RouteMatch;
  readonly request: ApiRequest;
  readonly requestContext: Record<string, unknown>;
  readonly methodArn: string;
  readonly path: string;
}

type Invoked = { answer: AuthorizerAnswer; latencyMs: number; tokenCache: boolean } | Extract<AuthorizeOutcome, { allowed: false }>;

export class AuthorizerStep {
  constructor(
    private readonly api: ApiModel,
    private readonly runners: ReadonlyMap<string, LambdaRunner>,
    private readonly cache: AuthorizerCache,
  ) {}

  async authorize(input: AuthorizeInput): Promise<AuthorizeOutcome> {
    const { method } = input.match;
    if (method.authorizationType === 'NONE') return { allowed: true, source: 'none' };
    const authorizer = method.authorizerId === undefined ? undefined : this.api.authorizers.get(method.authorizerId);
    if (method.authorizationType !== 'CUSTOM' || !authorizer) {
      return { allowed: false, source: 'none', response: 'API_CONFIGURATION_ERROR', reason: `authorization type ${method.authorizationType} is not emulated locally` };
    }

    const values = identityValues(authorizer.identitySources, {
      request: input.request,
      stageVariables: this.api.stageVariables,
      context: (name) => contextVariable(input.requestContext, name),
    });
    if (values === undefined) return { allowed: false, source: 'skipped', response: 'UNAUTHORIZED', reason: 'an identity source is missing or empty' };
    if (authorizer.type === 'TOKEN' && authorizer.identityValidationExpression && !new RegExp(authorizer.identityValidationExpression).test(values[0] ?? '')) {
      return { allowed: false, source: 'skipped', response: 'UNAUTHORIZED', reason: 'the token does not match the identity validation expression' };
    }

    // Without identity sources there is nothing to key a cache on, so API Gateway never caches.
    const caching = authorizer.ttlSeconds > 0 && authorizer.identitySources.length > 0;
    const key = AuthorizerCache.keyOf(authorizer.logicalId, values);
    const cached = caching ? this.cache.get(key) : undefined;
    let source: AuthorizerSource = 'cached';
    let auth: Authorization;
    let tokenCache = false;
    if (cached) {
      auth = { answer: cached, latencyMs: 0 };
    } else {
      source = 'invoked';
      const invoked = await this.invoke(authorizer, input, values[0]);
      if ('allowed' in invoked) return invoked;
      auth = { answer: invoked.answer, latencyMs: invoked.latencyMs };
      tokenCache = invoked.tokenCache;
      if (caching) this.cache.set(key, invoked.answer, authorizer.ttlSeconds);
    }

    const decision = evaluatePolicy(auth.answer.statements, { resource: input.methodArn });
    if (decision === 'ALLOW') return { allowed: true, source, auth, tokenCache };
    return {
      allowed: false,
      source,
      tokenCache,
      response: 'ACCESS_DENIED',
      ...(decision === 'EXPLICIT_DENY'
        ? {
            message: 'User is not authorized to access this resource with an explicit deny',
            authorizer: { ...auth.answer.context, principalId: auth.answer.principalId },
          }
        : {}),
      reason: `the policy ${decision === 'EXPLICIT_DENY' ? 'denies' : 'does not allow'} ${input.methodArn}`,
    };
  }

  private async invoke(authorizer: AuthorizerModel, input: AuthorizeInput, token: string | undefined): Promise<Invoked> {
    const runner = this.runners.get(authorizer.functionId)!;
    const event = authorizerEvent({
      authorizer,
      match: input.match,
      request: input.request,
      methodArn: input.methodArn,
      path: input.path,
      stageVariables: this.api.stageVariables,
      requestContext: input.requestContext,
      ...(token !== undefined ? { token } : {}),
    });
    const result = await runner.invoke(event, randomUUID());
    if (!result.ok) {
      if (result.error.errorMessage === 'Unauthorized') return { allowed: false, source: 'invoked', response: 'UNAUTHORIZED', reason: 'the authorizer answered Unauthorized' };
      return {
        allowed: false,
        source: 'invoked',
        response: 'AUTHORIZER_CONFIGURATION_ERROR',
        reason: `the authorizer failed: ${result.error.errorType}: ${result.error.errorMessage}`,
      };
    }
    const check = checkAuthorizerAnswer(result.payload);
    if (!check.ok) return { allowed: false, source: 'invoked', response: 'AUTHORIZER_CONFIGURATION_ERROR', reason: `invalid authorizer answer (${check.code}): ${check.reason}` };
    return { answer: check.answer, latencyMs: result.ms, tokenCache: answeredFromTokenCache(result.stdout) };
  }
}
