// The REQUEST authorizer: event in, decision out. Everything it needs is built once by createAuthorizer
// (at cold start in index.ts, per test in tests) and reused by every warm invocation.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { encodeContextClaims, readClaim } from '../shared/claims';
import { effectiveConstraint, type AuthMode } from '../shared/routes';
import { checkTimes } from './claims';
import type { AuthorizerConfig } from './config';
import { AuthorizerError, TokenError, TokenMissingError } from './errors';
import { fetchJson as defaultFetchJson, type FetchJson } from './http';
import { Issuers, type TrustedIssuer } from './issuers';
import { EmfMetrics } from './emf';
import { jsonLogger, untrusted, type Logger } from './log';
import { reasonFor, type AuthorizerMetrics } from './metrics';
import { PolicyBuilder, type Holder } from './policy';
import { bindingOf, Possession, type Binding } from './possession';
import { DynamoReplayStore, type ReplayStore } from './replay-store';
import { authorizationCredential, checkB64Token } from './token';
import { VerifiedTokenCache } from './token-cache';
import type { Verified } from './verify';

export interface AuthorizerDeps {
  readonly fetchJson?: FetchJson;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** @default CloudWatch embedded metric format on stdout, in the configured namespace and service */
  readonly metrics?: AuthorizerMetrics;
  /** Fractional milliseconds, for the verification time. @default performance.now */
  readonly elapsed?: () => number;
  /** Where DPoP proofs are remembered. @default DynamoDB, the table config.dpopReplayTable names */
  readonly replayStore?: ReplayStore;
}

export type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context?: Pick<Context, 'awsRequestId'>) => Promise<APIGatewayAuthorizerResult>;

type AuthorizerContext = NonNullable<APIGatewayAuthorizerResult['context']>;

/** A verified token as the verified-token cache keeps it: what its decisions need, worked out once. */
export interface Vouched {
  readonly sub: string;
  readonly kid: string | undefined;
  readonly alg: string;
  readonly exp: number;
  readonly nbf: number | undefined;
  /** The key that verified it: the entry lives only while that key is published. */
  readonly key: Verified['key'];
  readonly issuer: TrustedIssuer;
  /** Holder of its scopes, issuer and claims, for the route rules. */
  readonly holder: Holder;
  /** Indexes of the routes its policy allows when it comes as a plain bearer token. */
  readonly allowed: readonly number[];
  /** Those it is allowed with a proof of possession: the routes that take one (the same as `allowed` when none does). */
  readonly allowedWithProof: readonly number[];
  /** What its `cnf` binds it to; undefined when it has none (or no route takes proofs). */
  readonly binding: Binding | undefined;
  readonly context: AuthorizerContext;
  /** The answer's size without its policy, in bytes of JSON (answerBytes). */
  readonly bytes: number;
}

export interface Authorizer {
  readonly handler: AuthorizerHandler;
  readonly issuers: Issuers;
  /** The first configured issuer's key store (the only one, with the one-issuer shorthand). */
  readonly keyStore: TrustedIssuer['keyStore'];
  readonly tokenCache: VerifiedTokenCache<Vouched>;
  readonly metrics: AuthorizerMetrics;
  /** Starts every issuer's key fetch, for use during init. */
  prefetch(): void;
}

/**
 * The most an answer may take, as JSON: API Gateway caches it per identity and copies it into every request.
 * Every answer is counted, its policy included, and one that would be larger is refused (docs/configuration.md, "Size").
 */
export const MAX_ANSWER_BYTES = 8192;

/** The bytes of `{"principalId":…,"policyDocument":…,"context":…}` but the policy's own. */
const answerBytes = (principalId: string, context: AuthorizerContext) => Buffer.byteLength(JSON.stringify({ principalId, policyDocument: null, context })) - 4;

function checkAnswerSize(bytes: number): void {
  if (bytes > MAX_ANSWER_BYTES) throw new TokenError('ANSWER_TOO_LARGE', 'the answer (policy, context, principal) would be over 8 KB');
}

const ANONYMOUS_CONTEXT: AuthorizerContext = Object.freeze({ anonymous: true, scopes: '' });
const ANONYMOUS_BYTES = answerBytes('anonymous', ANONYMOUS_CONTEXT);

/**
 * The one place failures become API Gateway's language: exactly `Unauthorized` is 401, anything else 5xx. (A
 * token that lacks a required scope never gets here: the handler answers it with a Deny, 403.)
 */
export function toGatewayError(error: unknown): Error {
  return new Error(refusesToken(error) ? 'Unauthorized' : 'Authorizer unavailable');
}

/** A refusal of the token (401), as opposed to a failure to decide (503). */
const refusesToken = (error: unknown): boolean => error instanceof TokenError || error instanceof TokenMissingError;

const noClaim = (): undefined => undefined;

export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDeps = {}): Authorizer {
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? jsonLogger();
  const elapsed = deps.elapsed ?? (() => performance.now());
  const metrics = deps.metrics ?? new EmfMetrics({ namespace: config.metricsNamespace, service: config.metricsService, now });
  const issuers = new Issuers(config, { fetchJson: deps.fetchJson ?? defaultFetchJson, now, logger, metrics });
  const tokenCache = new VerifiedTokenCache<Vouched>(config.tokenCacheSize);
  const policies = new PolicyBuilder(config.routes);
  const routeIndex = new Map(config.routes.map((r, i) => [`${r.method} ${r.resourcePath}`, i]));
  const keyAlive = (v: Vouched) => v.issuer.keyStore.vouchesFor(v.kid, v.alg, v.key);
  let replayStore = deps.replayStore;
  const possession = new Possession({
    algorithms: config.dpopAlgorithms,
    maxAgeSeconds: config.dpopProofMaxAgeSeconds,
    toleranceSeconds: config.clockToleranceSeconds,
    maxProofBytes: config.maxTokenBytes,
    takesProofs: config.takesProofs,
    replay: () => (replayStore ??= new DynamoReplayStore(config.dpopReplayTable!)),
  });

  /**
   * The routes allowed to a holder, by how the token comes. Plain Bearer: those taking no proof, and those
   * allowing one when the token is not bound, so that a cached bearer decision never covers a route that
   * requires a proof. With a proof: the routes that take one (their decisions are never cached).
   */
  const byPresentation = (issuer: TrustedIssuer, allowed: readonly number[], binding: Binding | undefined) => {
    if (!config.takesProofs) return { allowed, allowedWithProof: allowed };
    const constraint = (i: number) => effectiveConstraint(config.routes[i]!, issuer.config);
    return {
      allowed: Object.freeze(allowed.filter((i) => constraint(i) === 'off' || (constraint(i) === 'allowed' && binding === undefined))),
      allowedWithProof: Object.freeze(allowed.filter((i) => constraint(i) !== 'off')),
    };
  };

  /** What the cache keeps of a fresh verification: the policy's routes and the context, worked out once. */
  const vouch = (issuer: TrustedIssuer, v: Verified): Vouched => {
    // The holder keeps the claims (not the whole verification) only when a route has claim rules to read
    // them with: the cache keeps it as long as the entry.
    const { claims } = v;
    const holder: Holder = { scopes: v.scopes, issuer: issuer.config.issuer, claim: policies.readsClaims ? (ref) => readClaim(claims, ref) : noClaim };
    const context: Record<string, string | number | boolean> = { username: v.username, scopes: v.scopeString, sub: v.sub, anonymous: false, issuer: issuer.config.issuer };
    if (issuer.contextRefs.length > 0) {
      const { entries, tooLarge } = encodeContextClaims(claims, issuer.contextRefs);
      if (tooLarge.length > 0) {
        logger.log('WARN', 'context claims left out', { event: 'context', reason: 'CONTEXT_CLAIM_TOO_LARGE', claims: tooLarge.join(' '), iss: issuer.config.issuer, sub: v.sub });
      }
      Object.assign(context, entries);
    }
    const frozen = Object.freeze(context);
    const binding = config.takesProofs ? bindingOf(claims) : undefined;
    const routes = byPresentation(issuer, policies.allowedRoutes(holder), binding);
    return { sub: v.sub, kid: v.kid, alg: v.alg, exp: v.exp, nbf: v.nbf, key: v.key, issuer, holder, ...routes, binding, context: frozen, bytes: answerBytes(v.sub, frozen) };
  };

  const handler: AuthorizerHandler = async (event, context) => {
    const started = now();
    const route = `${event.httpMethod} ${event.resource}`;
    const index = routeIndex.get(route) ?? routeIndex.get(`ANY ${event.resource}`);
    // A route missing from the table is treated as requiring auth and is in no policy: fail closed.
    const auth: AuthMode = index === undefined ? 'required' : config.routes[index]!.auth;
    const requestId = context?.awsRequestId;
    let iss: string | undefined;
    try {
      const credential = authorizationCredential(event.headers, event.multiValueHeaders, config.maxTokenBytes, config.takesProofs);
      if (credential === undefined) {
        const allowed = policies.allowedRoutes(undefined);
        // Anonymous callers get the optional routes that require nothing of a token, as each route's Lambda agrees.
        if (index === undefined || !allowed.includes(index)) {
          throw new TokenMissingError(auth === 'optional' ? 'no bearer token on an optional route that requires a token to meet rules' : 'no bearer token on a route that requires one');
        }
        const policyDocument = policies.policy(event.methodArn, allowed);
        checkAnswerSize(ANONYMOUS_BYTES + policies.bytes(policyDocument));
        logger.log('INFO', 'allow', { event: 'decision', decision: 'allow', reason: 'ANONYMOUS', route, requestId, ms: now() - started });
        metrics.decision('Allow', 'ANONYMOUS');
        return { principalId: 'anonymous', policyDocument, context: { ...ANONYMOUS_CONTEXT } };
      }
      const { token } = credential;
      // A token verified before skips its character check and jose's verification, not the clock: exp/nbf
      // are checked on every hit (the cache only holds tokens that passed both, keyed by their SHA-256).
      const nowSeconds = Math.floor(now() / 1000);
      const hit = tokenCache.get(token, nowSeconds, keyAlive);
      metrics.tokenCache(hit !== undefined);
      let vouched: Vouched;
      if (hit) {
        checkTimes(hit.exp, hit.nbf, nowSeconds, config.clockToleranceSeconds);
        vouched = hit;
      } else {
        checkB64Token(token);
        const issuer = issuers.select(token);
        iss = issuer.config.issuer;
        const verifying = elapsed();
        let verified: Verified;
        try {
          verified = await issuer.verifier.verify(token, nowSeconds);
        } finally {
          metrics.verification(elapsed() - verifying);
        }
        vouched = vouch(issuer, verified);
        // A token inside the exp tolerance is accepted but not remembered: the cache drops entries at exp.
        if (vouched.exp > nowSeconds) tokenCache.offer(token, vouched);
      }
      // The proof is checked on every request, a cache hit too: the cache only spares the token's signature.
      const proved = config.takesProofs && (await possession.check(effectiveConstraint(index === undefined ? {} : config.routes[index]!, vouched.issuer.config), credential, vouched.binding, event, nowSeconds));
      const allowed = proved ? vouched.allowedWithProof : vouched.allowed;
      const policyDocument = policies.policy(event.methodArn, allowed);
      checkAnswerSize(vouched.bytes + policies.bytes(policyDocument));
      const permitted = index !== undefined && allowed.includes(index);
      const reason = permitted ? 'TOKEN_VALID' : reasonFor('Deny', index === undefined ? 'ROUTE_UNKNOWN' : (policies.shortfall(index, vouched.holder) ?? 'INTERNAL'));
      metrics.decision(permitted ? 'Allow' : 'Deny', reason);
      logger.log('INFO', permitted ? 'allow' : 'deny', {
        event: 'decision',
        decision: permitted ? 'allow' : 'deny',
        reason,
        route,
        iss: vouched.issuer.config.issuer,
        sub: vouched.sub,
        kid: vouched.kid,
        cached: hit !== undefined,
        requestId,
        ms: now() - started,
      });
      return { principalId: vouched.sub, policyDocument, context: vouched.context };
    } catch (error) {
      if (error instanceof TokenError && error.code === 'SCOPE_MISSING' && error.facts.sub !== undefined) {
        // A verified token that lacks a scope every request requires asks for more than it was granted:
        // insufficient_scope (RFC 6750 §3.1), so 403, not the 401 of a token that is not valid. An explicit Deny
        // of the whole stage, the anonymous-friendly routes too: a request with a token is judged by it, and the
        // answer API Gateway caches for this token must be right on every route.
        const { sub, missingScope } = error.facts;
        metrics.decision('Deny', 'SCOPE_MISSING');
        logger.log('INFO', 'deny', { event: 'decision', decision: 'deny', reason: 'SCOPE_MISSING', missingScope, route, iss, sub, requestId, ms: now() - started });
        return { principalId: sub, policyDocument: policies.policy(event.methodArn, []), context: {} };
      }
      const unauthorized = refusesToken(error);
      const reason = reasonFor(unauthorized ? 'Deny' : 'Error', error instanceof AuthorizerError ? error.code : 'INTERNAL');
      metrics.decision(unauthorized ? 'Deny' : 'Error', reason);
      logger.log(unauthorized ? 'INFO' : 'ERROR', unauthorized ? 'deny' : 'error', {
        event: 'decision',
        decision: unauthorized ? 'deny' : 'error',
        reason,
        detail: error instanceof AuthorizerError ? error.message : 'unexpected error',
        route,
        iss,
        // Beside the configured issuer (none yet when several are configured), the one the token named.
        ...(error instanceof TokenError && 'tokenIss' in error.facts ? { tokenIss: untrusted(error.facts.tokenIss) } : {}),
        requestId,
        ms: now() - started,
      });
      throw toGatewayError(error);
    } finally {
      // Once per invocation, whatever its end; key fetches counted during init go with the first.
      metrics.flush();
    }
  };

  return { handler, issuers, keyStore: issuers.all[0]!.keyStore, tokenCache, metrics, prefetch: () => issuers.prefetch() };
}
