// The REQUEST authorizer: event in, decision out. Everything it needs is built once by createAuthorizer
// (at cold start in index.ts, per test in tests) and reused by every warm invocation.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import type { AuthMode } from '../shared/routes';
import { checkTimes } from './claims';
import type { AuthorizerConfig } from './config';
import { AuthorizerError, TokenError, TokenMissingError } from './errors';
import { fetchJson as defaultFetchJson, type FetchJson } from './http';
import { KeyStore } from './key-store';
import { jsonLogger, type Logger } from './log';
import { PolicyBuilder } from './policy';
import { bearerCredential, checkB64Token } from './token';
import { VerifiedTokenCache } from './token-cache';
import { JwtVerifier, type Verified } from './verify';

export interface AuthorizerDeps {
  readonly fetchJson?: FetchJson;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  readonly logger?: Logger;
}

export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context?: Pick<Context, 'awsRequestId'>) => Promise<APIGatewayAuthorizerResult>;

export interface Authorizer {
  readonly handler: AuthorizerHandler;
  readonly keyStore: KeyStore;
  readonly tokenCache: VerifiedTokenCache;
}

/** The one place failures become API Gateway's language: exactly `Unauthorized` is 401, anything else 5xx. */
export function toGatewayError(error: unknown): Error {
  if (error instanceof TokenError || error instanceof TokenMissingError) return new Error('Unauthorized');
  return new Error('Authorizer unavailable');
}

export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDeps = {}): Authorizer {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? jsonLogger();
  const keyStore = new KeyStore({
    issuer: config.issuer,
    jwksUri: config.jwksUri,
    algorithms: config.algorithms,
    maxAgeMs: config.jwksMaxAgeSeconds * 1000,
    maxStaleMs: config.jwksMaxStaleSeconds * 1000,
    cooldownMs: config.jwksCooldownSeconds * 1000,
    fetchTimeoutMs: config.fetchTimeoutMs,
    fetchMaxBytes: config.fetchMaxBytes,
    clockToleranceMs: config.clockToleranceSeconds * 1000,
    fetchJson: deps.fetchJson ?? defaultFetchJson,
    now,
    logger,
  });
  const verifier = new JwtVerifier(keyStore, {
    issuer: config.issuer,
    audiences: new Set(config.audiences),
    clientIdAsAudience: config.clientIdAsAudience,
    requiredScopes: config.requiredScopes,
    usernameClaim: config.usernameClaim,
    toleranceSeconds: config.clockToleranceSeconds,
    algorithms: config.algorithms,
    requireAtJwt: config.requireAtJwt,
  });
  const tokenCache = new VerifiedTokenCache(config.tokenCacheSize);
  const policies = new PolicyBuilder(config.routes);
  const routeIndex = new Map(config.routes.map((r, i) => [`${r.method} ${r.resourcePath}`, i]));
  const keyAlive = (v: Verified) => keyStore.vouchesFor(v.key);

  const handler: AuthorizerHandler = async (event, context) => {
    const started = now();
    const route = `${event.httpMethod} ${event.resource}`;
    const index = routeIndex.get(route) ?? routeIndex.get(`ANY ${event.resource}`);
    // A route missing from the table is treated as requiring auth and is in no policy: fail closed.
    const auth: AuthMode = index === undefined ? 'required' : config.routes[index]!.auth;
    const requestId = context?.awsRequestId;
    let principal: Verified | undefined;
    try {
      const token = bearerCredential(event.headers, event.multiValueHeaders, config.maxTokenBytes);
      if (token === undefined) {
        const allowed = policies.allowedRoutes(undefined);
        // Anonymous callers get the optional routes that ask for no scope, as each route's Lambda agrees.
        if (index === undefined || !allowed.includes(index)) {
          throw new TokenMissingError(auth === 'optional' ? 'no bearer token on an optional route that requires scopes' : 'no bearer token on a route that requires one');
        }
        logger.log('INFO', 'allow', { event: 'decision', decision: 'allow', reason: 'ANONYMOUS', route, requestId, ms: now() - started });
        return { principalId: 'anonymous', policyDocument: policies.policy(event.methodArn, allowed), context: { anonymous: true, scopes: '' } };
      }
      // A token verified before skips its character check and jose's verification, not the clock: exp/nbf
      // are checked on every hit (the cache only holds tokens that passed both, keyed by their SHA-256).
      const nowSeconds = Math.floor(now() / 1000);
      const cacheKey = tokenCache.enabled ? VerifiedTokenCache.keyOf(token) : undefined;
      const hit = cacheKey === undefined ? undefined : tokenCache.get(cacheKey, nowSeconds, keyAlive);
      if (hit) {
        checkTimes(hit.exp, hit.nbf, nowSeconds, config.clockToleranceSeconds);
        principal = hit;
      } else {
        checkB64Token(token);
        principal = await verifier.verify(token, nowSeconds);
        // A token inside the exp tolerance is accepted but not remembered: the cache drops entries at exp.
        if (cacheKey !== undefined && principal.exp > nowSeconds) tokenCache.offer(cacheKey, principal);
      }
      const allowed = policies.allowedRoutes(principal.scopes);
      const permitted = index !== undefined && allowed.includes(index);
      logger.log('INFO', permitted ? 'allow' : 'deny', {
        event: 'decision',
        decision: permitted ? 'allow' : 'deny',
        reason: permitted ? 'TOKEN_VALID' : 'INSUFFICIENT_SCOPE',
        route,
        sub: principal.sub,
        kid: principal.kid,
        cached: hit !== undefined,
        requestId,
        ms: now() - started,
      });
      return {
        principalId: principal.sub,
        policyDocument: policies.policy(event.methodArn, allowed),
        context: { username: principal.username, scopes: principal.scopeString, sub: principal.sub, anonymous: false },
      };
    } catch (error) {
      const code = error instanceof AuthorizerError ? error.code : 'INTERNAL';
      const gatewayError = toGatewayError(error);
      const unauthorized = gatewayError.message === 'Unauthorized';
      logger.log(unauthorized ? 'INFO' : 'ERROR', unauthorized ? 'deny' : 'error', {
        event: 'decision',
        decision: unauthorized ? 'deny' : 'error',
        reason: code,
        detail: error instanceof AuthorizerError ? error.message : 'unexpected error',
        route,
        requestId,
        ms: now() - started,
      });
      throw gatewayError;
    }
  };

  return { handler, keyStore, tokenCache };
}
