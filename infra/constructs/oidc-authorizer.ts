// One authorizer Lambda behind two API Gateway REQUEST authorizers: a cached one for routes that require a
// token, and an uncached one without identity sources for routes where the token is optional.
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { IdentitySource, RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AuthMode, RouteRule } from '../../lambda/shared/routes';
import {
  authorizerEnvironment,
  DEFAULT_FETCH_TIMEOUT_MS,
  type OidcAuthorizerSettings,
  validateAuthorizerEnvironment,
} from './authorizer-environment';
import { NodeFunction } from './node-function';

export interface OidcAuthorizerProps {
  /** Exact `iss` of accepted tokens; https, or http for a loopback host. */
  readonly issuer: string;
  /** A token's `aud` must hold one of these. */
  readonly audience: readonly string[];
  /** @default - discovered from `<issuer>/.well-known/openid-configuration` */
  readonly jwksUri?: string;
  /** What each API method requires; becomes OIDC_ROUTES. */
  readonly routes: readonly RouteRule[];
  /** @default - the authorizer's own defaults */
  readonly settings?: OidcAuthorizerSettings;
  /**
   * How long API Gateway caches a decision for one Authorization header on required-auth routes
   * (0 to 3600 seconds; 0 turns caching off). Optional-auth routes are never cached.
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Lambda memory; CPU share scales with it, and so does the speed of signature checks and cold starts.
   * 256 MiB is a first guess that the benchmark issue will revisit with measurements.
   * @default 256 (MiB)
   */
  readonly memorySize?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Above this, a cached Allow outlives what API Gateway permits (its limit is one hour). */
const MAX_CACHE_TTL_SECONDS = 3600;

export class OidcAuthorizer extends Construct {
  readonly function: NodejsFunction;
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
      memorySize: props.memorySize ?? 256,
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
