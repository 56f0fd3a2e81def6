// One authorizer Lambda behind two API Gateway REQUEST authorizers: a cached one for routes that require a
// token, and an uncached one without identity sources for routes where the token is optional.
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AuthMode } from '../../lambda/shared/routes';
import {
  authorizerEnvironment,
  type AuthorizerEnvironmentInput,
  DEFAULT_FETCH_TIMEOUT_MS,
  validateAuthorizerEnvironment,
} from './authorizer-environment';
import { NodeFunction } from './node-function';

/** Issuer, audience, JWKS URI, routes and settings become the authorizer's environment. */
export interface OidcAuthorizerProps extends AuthorizerEnvironmentInput {
  /**
   * How long API Gateway caches a decision for one Authorization header on required-auth routes
   * (0 to 3600 seconds; 0 turns caching off). Optional-auth routes are never cached.
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Lambda memory, and with it the CPU share. `npm run bench` measures a peak RSS of ~70 MiB over 100k mixed
   * verifications, and a warm decision of 25 µs (RS256) to 54 µs (ES256) of one core: at 128 MiB's share of a
   * vCPU (1,769 MiB buys a whole one) that is under 1 ms, Lambda's billing unit, so more memory would double the
   * price of every warm decision without shortening it. What more memory does buy is a faster cold start (the
   * first decision's ~20 ms of CPU take roughly 0.28 s at 128 MiB, 0.14 s at 256 MiB): choose 256 if the
   * cold-start tail matters more to you than cost.
   * @default 128 (MiB)
   */
  readonly memorySize?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Above this, a cached Allow outlives what API Gateway permits (its limit is one hour). */
const MAX_CACHE_TTL_SECONDS = 3600;

export class OidcAuthorizer extends Construct {
  readonly function: LambdaFunction;
  readonly resultsCacheTtl: Duration;
  private readonly authorizers = new Map<AuthMode, RequestAuthorizer>();

  constructor(scope: Construct, id: string, props: OidcAuthorizerProps) {
    super(scope, id);
    this.resultsCacheTtl = props.resultsCacheTtl ?? Duration.minutes(5);
    const ttl = this.resultsCacheTtl.toSeconds();
    if (ttl < 0 || ttl > MAX_CACHE_TTL_SECONDS) {
      throw new Error(`${this.node.path}: resultsCacheTtl must be 0 to ${MAX_CACHE_TTL_SECONDS} seconds, got ${ttl}`);
    }
    const environment = authorizerEnvironment(props);
    validateAuthorizerEnvironment(environment);

    // Worst case per invocation is discovery plus JWKS, each bounded by the fetch timeout; the margin covers
    // the cold start and the signature check, so a slow issuer ends in our 503, never a Lambda timeout.
    const fetchTimeoutMs = props.settings?.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    const timeout = Duration.seconds(Math.ceil((2 * fetchTimeoutMs + 4000) / 1000));

    this.function = new NodeFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'authorizer', 'index.ts'),
      description: 'OIDC bearer-token REQUEST authorizer',
      environment,
      timeout,
      memorySize: props.memorySize ?? 128,
      // The authorizer logs reason codes, not stack traces; runtime source maps cost ~1.4 ms of import and
      // 0.7-1.7 ms of the first decision (bench/). Its .map file still ships for decoding a trace offline.
      runtimeSourceMaps: false,
      // For the same reason, and to stay within the 25 KB bundle budget (bench/); its errors name themselves.
      keepNames: false,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
    }).function;
  }

  /** The API Gateway authorizer for routes of this auth mode, created when first asked for. */
  forMode(auth: AuthMode): RequestAuthorizer {
    let authorizer = this.authorizers.get(auth);
    if (!authorizer) {
      authorizer = auth === 'required' ? this.requiredAuthorizer() : this.optionalAuthorizer();
      this.authorizers.set(auth, authorizer);
    }
    return authorizer;
  }

  // Cached per Authorization header: the policy lists every route the token may call, so one answer is
  // good for all methods. A request without the header gets 401 from API Gateway without invoking us.
  private requiredAuthorizer(): RequestAuthorizer {
    return new RequestAuthorizer(this, 'Required', {
      handler: this.function,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: this.resultsCacheTtl,
    });
  }

  // No identity sources, so anonymous requests still reach the authorizer (which allows the optional
  // routes); that in turn forbids caching, since API Gateway would have no key to cache under.
  private optionalAuthorizer(): RequestAuthorizer {
    return new RequestAuthorizer(this, 'Optional', {
      handler: this.function,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
  }
}
