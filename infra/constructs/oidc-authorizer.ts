// OidcAuthorizer: OIDC bearer-token protection for the methods of any RestApi. Each method is attached with
// `oidc.require(...)` or `oidc.optional(...)`; the route table is collected from the methods at synth, checked
// once by the authorizer's own parser, and staged beside the prebuilt authorizer bundle (no 4 KB ceiling).
// Every RestApi it is attached to gets its own API Gateway REQUEST authorizers behind the one Lambda: a cached
// one for routes that require a token, an uncached one without identity sources for routes where the token is
// optional, and another uncached one for required routes that take proofs of possession (DPoP, RFC 9449; client
// certificates, RFC 8705), whose proofs are checked, and remembered in a DynamoDB table, on every request.
import { existsSync, mkdtempSync, readdirSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Annotations, AspectPriority, Aspects, CfnResource, Duration, Lazy, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  type CfnMethod,
  IdentitySource,
  type IAuthorizer,
  type IRestApi,
  Method,
  type MethodOptions,
  RequestAuthorizer,
  RestApiBase,
} from 'aws-cdk-lib/aws-apigateway';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { type CfnFunction, Code, type CodeConfig, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { AuthorizerConfig } from '../../lambda/authorizer/config';
import { DEFAULTS } from '../../lambda/authorizer/defaults';
import { REPLAY_TIMEOUT_MS } from '../../lambda/authorizer/replay-store';
import { SETTINGS_FILE } from '../../lambda/authorizer/settings-file';
import type { ClaimRules } from '../../lambda/shared/claims';
import { parseCorsOrigins } from '../../lambda/shared/cors';
import { routeTakesProof, validateRouteRule, type AuthMode, type RouteRule, type SenderConstraint } from '../../lambda/shared/routes';
import { AuthorizerMonitoring, type OidcMonitoring } from './authorizer-monitoring';
import { addBearerGatewayResponses } from './bearer-gateway-responses';
import { checkSettings, SettingError, settingVariables, splitDeferred, type AuthorizerTrust } from './authorizer-settings';
import { LoggedFunction } from './logged-function';

/** What a route asks of a token beyond a valid signature, issuer, audience and the issuer's required scopes. */
export interface RouteRequirement {
  /** Scopes the token must hold. @default [] (none beyond the issuer's required scopes) */
  readonly scopes?: readonly string[];
  /**
   * Claims the token must hold: each listed claim must hold at least one of its values, exactly and of the same
   * type (a string claim equals one, an array claim contains one; only `scope` and `scp` are split on spaces).
   * Keys are claim names as written (`cognito:groups`) or JSON Pointers for nested claims (`/realm_access/roles`).
   * @default {} (none)
   */
  readonly claims?: ClaimRules;
  /** Only tokens of these configured issuers may use the route. @default [] (every configured issuer) */
  readonly issuers?: readonly string[];
  /**
   * Proof of possession on this route: `required` takes only sender-constrained tokens with their proof (DPoP,
   * or the client certificate on a mutual-TLS custom domain); `allowed` takes bearer tokens too, but a token
   * carrying `cnf` only with its proof; `off` takes Bearer only, refusing bound tokens once any route takes
   * proofs. A route that can take proofs is never cached by API Gateway (a cached Allow would accept the same
   * proof again), and its proofs go to a replay table.
   * @default - the token issuer's `senderConstraint`, itself `settings.senderConstraint` ('off') by default
   */
  readonly senderConstraint?: SenderConstraint;
}

/** Method options that put a method behind the authorizer, as `addMethod`'s third argument. */
export interface OidcMethodOptions extends MethodOptions {
  readonly authorizer: IAuthorizer;
  /**
   * The route's requirement for its handler's own re-check (ROUTE_AUTH, ROUTE_SCOPES, ROUTE_CLAIMS,
   * ROUTE_ISSUERS): add it to the handler function's environment and wrap the handler with `routeHandler`
   * from `apigw-oidc-authorizer/runtime`.
   */
  readonly handlerEnvironment: Readonly<Record<string, string>>;
}

export interface OidcAuthorizerProps extends AuthorizerTrust {
  /**
   * How long API Gateway caches a decision for one Authorization header on required-auth routes
   * (0 to 3600 seconds; 0 turns caching off). Optional-auth routes are never cached.
   * @default Duration.seconds(300)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * Lambda memory, and with it the CPU share. A warm decision takes well under Lambda's 1 ms billing unit at
   * 128 MiB; more memory buys a faster cold start (bench/README.md).
   * @default 128 (MiB)
   */
  readonly memorySize?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Add RFC 6750 gateway responses (401 and 403 with `WWW-Authenticate`, 503 with `Retry-After` when keys cannot
   * be had) to every RestApi the authorizer is attached to. Without them a key outage reaches callers as 500.
   * @default true
   */
  readonly gatewayResponses?: boolean;
  /** Protection space named in the 401 challenge. @default - the RestApi's name */
  readonly realm?: string;
  /**
   * Browser origins (or `['*']`) whose pages may read the gateway responses: they carry CORS headers.
   * @default - no CORS headers
   */
  readonly corsOrigins?: readonly string[];
  /**
   * Alarms (authorizer 503s, keys served stale, key fetch failures, Lambda errors and throttles, p99 latency,
   * and each RestApi's 5XX rate) and a dashboard (decisions by reason, key health, cache hit rate, each
   * RestApi's 4XX/5XX and latency): `{}` for the defaults, `{ alarmTopic }` to be notified (docs/operations.md).
   * @default - none
   */
  readonly monitoring?: OidcMonitoring;
}

/** Above this, a cached Allow outlives what API Gateway permits (its limit is one hour). */
const MAX_CACHE_TTL_SECONDS = 3600;

/** Set on the authorizer Lambda to the replay table's name when a route takes proofs (lambda/authorizer/config.ts). */
const REPLAY_TABLE_ENV = 'OIDC_DPOP_REPLAY_TABLE';
/** What the synth-time check is told the replay table is named: the real name is known only once deployed. */
const REPLAY_TABLE_STAND_IN = 'replay-table-named-at-deploy';

/**
 * Which of a RestApi's authorizers protects a method: `required` (cached per Authorization header), `optional`
 * (uncached, no identity sources; also for optional routes taking proofs), `proof` (uncached, no identity sources).
 */
type AuthorizerKind = AuthMode | 'proof';

/** One `authorizerId` handed to one method: which route it protects becomes known at synth. */
interface Use {
  readonly auth: AuthMode;
  readonly requirement: RouteRequirement;
  authorizer?: RequestAuthorizer;
}

interface CollectedRoute {
  readonly rule: RouteRule;
  readonly api: IRestApi;
  readonly use: Use;
  readonly where: string;
}

export class OidcAuthorizer extends Construct {
  /** The authorizer Lambda, shared by every RestApi and route. */
  readonly function: LambdaFunction;
  readonly resultsCacheTtl: Duration;
  /** The alarms `monitoring` asked for; each RestApi's are added at synth. */
  get alarms(): readonly Alarm[] {
    return this.monitoring?.alarms ?? [];
  }
  /** The dashboard `monitoring` asked for, made at synth. */
  get dashboard(): Dashboard | undefined {
    return this.monitoring?.dashboard;
  }
  /**
   * The DynamoDB table of DPoP proofs seen (each accepted once, RFC 9449 §11.1), made at synth when some route
   * can take proofs; undefined before, or when none can.
   */
  get replayTable(): Table | undefined {
    return this.table;
  }
  /** The route table as collected at synth; empty before. */
  get routes(): readonly RouteRule[] {
    return this.collected?.routes ?? [];
  }

  private readonly uses = new Map<string, Use>();
  private readonly code = new StagedCode();
  private readonly staged: Readonly<Record<string, string>>;
  private readonly deferredSettings: Readonly<Record<string, string>>;
  private readonly authorizers = new Map<IRestApi, Map<AuthorizerKind, RequestAuthorizer>>();
  private readonly monitoring: AuthorizerMonitoring | undefined;
  private collected: { readonly routes: readonly RouteRule[] } | undefined;
  private table: Table | undefined;
  private problems: string[] = [];

  constructor(scope: Construct, id: string, private readonly props: OidcAuthorizerProps) {
    super(scope, id);
    this.resultsCacheTtl = props.resultsCacheTtl ?? Duration.seconds(DEFAULTS.resultsCacheTtlSeconds);
    const ttl = this.resultsCacheTtl.toSeconds();
    if (ttl < 0 || ttl > MAX_CACHE_TTL_SECONDS) {
      throw new SettingError('resultsCacheTtl', `must be 0 to ${MAX_CACHE_TTL_SECONDS} seconds, got ${ttl}`);
    }
    if (props.corsOrigins !== undefined) parseCorsOrigins(props.corsOrigins.join(','), 'corsOrigins');
    const { staged, deferred } = splitDeferred(this, props, settingVariables(props));
    this.staged = staged;
    this.deferredSettings = deferred;

    // Worst case per invocation is discovery plus JWKS, each bounded by the fetch timeout; the margin covers
    // the cold start and the signature check, so a slow issuer ends in our 503, never a Lambda timeout.
    const fetchTimeoutMs = props.settings?.fetchTimeoutMs ?? DEFAULTS.fetchTimeoutMs;
    this.function = new LoggedFunction(this, 'Handler', {
      code: this.code,
      description: 'OIDC bearer-token REQUEST authorizer',
      environment: deferred,
      timeout: lambdaTimeout(fetchTimeoutMs, false),
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      // The authorizer logs reason codes, not stack traces; runtime source maps cost ~1.4 ms of import and
      // 0.7-1.7 ms of the first decision (bench/). Its .map file still ships for decoding a trace offline.
      runtimeSourceMaps: false,
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
    }).function;

    if (props.monitoring) {
      const namespace = props.settings?.metricsNamespace ?? DEFAULTS.metricsNamespace;
      const service = props.settings?.metricsService ?? DEFAULTS.metricsService;
      this.monitoring = new AuthorizerMonitoring(this, 'Monitoring', { function: this.function, namespace, service }, props.monitoring);
      const twin = this.node.root.node.findAll().find((c) => c !== this && c instanceof OidcAuthorizer && c.monitoring?.target.namespace === namespace && c.monitoring.target.service === service);
      if (twin) {
        Annotations.of(this).addWarningV2('oidc-authorizer:metrics-service', `${twin.node.path} publishes its metrics under the same namespace and service (${namespace}, ${service}): their alarms would count each other's decisions; set settings.metricsService on one of them`);
      }
    }

    // The methods are known only once the app has been built: collected, checked and staged at synth, before
    // any other aspect reads the tree (cdk-nag).
    Aspects.of(this).add(
      {
        visit: (node) => {
          if (node === this) this.prepare();
        },
      },
      { priority: AspectPriority.MUTATING },
    );
    this.node.addValidation({ validate: () => (this.problems.length === 0 && !this.code.isStaged ? [`${this.node.path} was not prepared: synthesize its App with app.synth()`] : this.problems) });
  }

  /** Options for a method only callers with a valid token may use, meeting `requirement`. */
  require(requirement: RouteRequirement = {}): OidcMethodOptions {
    return this.methodOptions('required', requirement);
  }

  /**
   * Options for a method anonymous callers may use too; a presented token must still be valid. With a
   * requirement, token holders who miss it are refused, and so are anonymous callers (the handler answers 401).
   */
  optional(requirement: RouteRequirement = {}): OidcMethodOptions {
    return this.methodOptions('optional', requirement);
  }

  private methodOptions(auth: AuthMode, requirement: RouteRequirement): OidcMethodOptions {
    const words = [...(requirement.scopes ?? []), ...(requirement.issuers ?? []), ...Object.entries(requirement.claims ?? {}).flat(2)].filter((w): w is string => typeof w === 'string');
    if (words.some((w) => Token.isUnresolved(w))) {
      throw new SettingError('routes', `${this.node.path}: a route's scopes, claims and issuers must be known at synth, since the route table is staged with the code (a CloudFormation value cannot be)`);
    }
    // Validated now, so a malformed scope or claim rule fails at the addMethod that carries it.
    const rule = validateRouteRule({ method: 'GET', resourcePath: '/', auth, ...requirement }, `${this.node.path}: ${auth}()`);
    const newUse = () => this.newUse(auth, requirement);
    return {
      // Each read of authorizerId is a new token: a Method reads it once (twice) as it is built, so every method
      // gets its own, and at synth each token tells which method of which RestApi carries it.
      authorizer: {
        authorizationType: AuthorizationType.CUSTOM,
        get authorizerId() {
          return newUse();
        },
      },
      handlerEnvironment: handlerEnvironment(rule),
    };
  }

  private newUse(auth: AuthMode, requirement: RouteRequirement): string {
    const use: Use = { auth, requirement };
    // Unattached only on a method that was not added with addMethod(), which the validation reports.
    const id = Lazy.string({ produce: () => use.authorizer?.authorizerId ?? 'unattached' });
    this.uses.set(id, use);
    return id;
  }

  /**
   * Collects the routes, checks them with the settings, creates each RestApi's authorizers (and the replay table
   * when a route takes proofs) and stages the code.
   */
  private prepare(): void {
    const routes = this.collectRoutes();
    let deferred: string[] = [];
    let config: AuthorizerConfig | undefined;
    try {
      if (routes.length === 0) throw new SettingError('routes', 'none is protected: pass oidc.require() or oidc.optional() to some RestApi addMethod()');
      const table = mergeRoutes(routes);
      // The table's name is a deploy-time value; with a stand-in, the rest is checked now.
      ({ deferred, config } = checkSettings({ ...this.staged, ...this.deferredSettings, [REPLAY_TABLE_ENV]: REPLAY_TABLE_STAND_IN }, table));
      this.collected = { routes: table };
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'CONFIG_INVALID') throw e;
      this.problems.push((e as Error).message);
    }
    // Whether a route can take a proof depends on the issuers' settings too, so it is known only once parsed.
    const takesProof = (rule: RouteRule) => config !== undefined && routeTakesProof(rule, config.issuers);
    const proofApis = new Set(routes.filter((r) => takesProof(r.rule)).map((r) => r.api));
    for (const { api, use, rule } of routes) {
      const kind: AuthorizerKind = use.auth === 'required' && takesProof(rule) ? 'proof' : use.auth;
      use.authorizer = this.authorizerFor(api, kind, proofApis.has(api) ? config!.dpopAlgorithms : undefined);
    }
    if (this.monitoring) {
      for (const api of this.authorizers.keys()) this.monitoring.watchApi(api);
      this.monitoring.addDashboard();
    }
    if (!config || !this.collected) return;
    if (config.takesProofs) this.addReplayTable();
    if (deferred.length > 0) {
      Annotations.of(this).addInfo(`${deferred.join(', ')}: CloudFormation values, checked by the authorizer at cold start (a bad value answers 503 until fixed)`);
    }
    this.stageCode(this.collected.routes);
  }

  private collectRoutes(): CollectedRoute[] {
    const routes: CollectedRoute[] = [];
    for (const construct of this.node.root.node.findAll()) {
      if (!CfnResource.isCfnResource(construct) || construct.cfnResourceType !== 'AWS::ApiGateway::Method') continue;
      const id = (construct as CfnMethod).authorizerId;
      const use = id === undefined ? undefined : this.uses.get(id);
      if (!use) continue;
      const method = construct.node.scope;
      if (!(method instanceof Method)) {
        this.problems.push(`${construct.node.path} carries this authorizer's id, but only methods added with addMethod() can be protected`);
        continue;
      }
      const rule = validateRouteRule({ method: method.httpMethod, resourcePath: method.resource.path, auth: use.auth, ...use.requirement }, this.node.path);
      routes.push({ rule, api: method.api, use, where: method.node.path });
    }
    return routes;
  }

  /** `dpopAlgorithms` when some method of `api` takes proofs: its 401 then carries a DPoP challenge too. */
  private authorizerFor(api: IRestApi, kind: AuthorizerKind, dpopAlgorithms: readonly string[] | undefined): RequestAuthorizer {
    let byKind = this.authorizers.get(api);
    if (!byKind) {
      byKind = new Map();
      this.authorizers.set(api, byKind);
      if (this.props.gatewayResponses !== false && api instanceof RestApiBase && !api.node.tryFindChild('Unauthorized')) {
        const cors = this.props.corsOrigins && parseCorsOrigins(this.props.corsOrigins.join(','), 'corsOrigins');
        addBearerGatewayResponses(api, this.props.realm ?? api.restApiName, cors, dpopAlgorithms);
      }
    }
    let authorizer = byKind.get(kind);
    if (!authorizer) {
      // Named after the RestApi's construct id, so adding another RestApi leaves these ids as they are.
      const id = `${{ required: 'Required', optional: 'Optional', proof: 'Proof' }[kind]}For${api.node.id}`;
      authorizer =
        kind === 'required'
          ? // Cached per Authorization header: the policy lists every route the token may call, so one answer is
            // good for all methods. A request without the header gets 401 from API Gateway without invoking us.
            new RequestAuthorizer(this, uniqueChildId(this, id), {
              handler: this.function,
              identitySources: [IdentitySource.header('Authorization')],
              resultsCacheTtl: this.resultsCacheTtl,
            })
          : // Optional: no identity sources, so anonymous requests still reach the authorizer (which allows the
            // optional routes); that in turn forbids caching, since API Gateway would have no key to cache under.
            // Proof: never cached, since a cached Allow (keyed on the token and the proof) would accept the very
            // same proof again for the TTL, the replay RFC 9449 §11.1 asks us to refuse; every request is checked.
            new RequestAuthorizer(this, uniqueChildId(this, id), { handler: this.function, identitySources: [], resultsCacheTtl: Duration.seconds(0) });
      authorizer._attachToApi(api);
      byKind.set(kind, authorizer);
    }
    return authorizer;
  }

  /**
   * The table of DPoP proofs seen: one item per proof (`pk` = thumbprint#jti), written with a conditional PutItem
   * and expired by TTL on `expiresAt`. The authorizer may only put items: it never reads, lists or deletes.
   */
  private addReplayTable(): void {
    const table = new Table(this, 'ReplayTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      // Entries are worth a minute or two each: nothing in it is worth keeping past the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    table.grant(this.function, 'dynamodb:PutItem');
    this.function.addEnvironment(REPLAY_TABLE_ENV, table.tableName);
    // A proof's write to the table comes on top of the key fetches: the Lambda must outlast both.
    (this.function.node.defaultChild as CfnFunction).timeout = lambdaTimeout(this.props.settings?.fetchTimeoutMs ?? DEFAULTS.fetchTimeoutMs, true).toSeconds();
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: 'The table only remembers DPoP proofs for the minute or two each stays fresh (then TTL deletes it): by the time a restore finished, every entry it brought back would have expired, so point-in-time recovery has nothing to recover.',
    });
    this.table = table;
  }

  /** The prebuilt bundle and the settings file, in one asset directory. */
  private stageCode(routes: readonly RouteRule[]): void {
    if (!existsSync(path.join(BUNDLE_DIR, 'index.js'))) {
      throw new Error(`the prebuilt authorizer bundle is missing (${BUNDLE_DIR}/index.js): run npm run build in apigw-oidc-authorizer`);
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'oidc-authorizer-'));
    for (const file of readdirSync(BUNDLE_DIR)) copyFileSync(path.join(BUNDLE_DIR, file), path.join(dir, file));
    writeFileSync(path.join(dir, SETTINGS_FILE), `${JSON.stringify({ ...this.staged, OIDC_ROUTES: JSON.stringify(routes) }, null, 2)}\n`);
    const asset = new Asset(this, 'Code', { path: dir });
    this.code.stage(asset);
    // Staged into the assembly (the usual case): the temporary copy is no longer needed.
    if (path.resolve(asset.assetPath) !== dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The routes of every RestApi as one table, since one Lambda serves them all: a method and path on two
 * RestApis must then require the same.
 */
function mergeRoutes(routes: readonly CollectedRoute[]): RouteRule[] {
  const byKey = new Map<string, CollectedRoute>();
  for (const route of routes) {
    const key = `${route.rule.method} ${route.rule.resourcePath}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, route);
    else if (JSON.stringify(seen.rule) !== JSON.stringify(route.rule)) {
      throw new SettingError('routes', `${key} is protected with different requirements at ${seen.where} and ${route.where}; one OidcAuthorizer holds one route table, so use a second OidcAuthorizer for the second RestApi`);
    }
  }
  return [...byKey.values()].map((r) => r.rule);
}

/**
 * How long the authorizer may run: discovery plus JWKS, each bounded by the fetch timeout, with proofs also the
 * replay table's write, plus a margin for the cold start and the signature checks, so that a slow issuer or
 * table ends in our 503, never a Lambda timeout.
 */
function lambdaTimeout(fetchTimeoutMs: number, takesProofs: boolean): Duration {
  return Duration.seconds(Math.ceil((2 * fetchTimeoutMs + (takesProofs ? REPLAY_TIMEOUT_MS : 0) + 4000) / 1000));
}

/** `id`, or `id2`, `id3`… when `scope` already has a child so named. */
function uniqueChildId(scope: Construct, id: string): string {
  let n = 1;
  while (scope.node.tryFindChild(n === 1 ? id : `${id}${n}`)) n++;
  return n === 1 ? id : `${id}${n}`;
}

/** A route's requirement as its handler reads it (lambda/shared/route-requirement.ts). */
export function handlerEnvironment(rule: Pick<RouteRule, 'auth' | 'scopes' | 'claims' | 'issuers'>): Record<string, string> {
  const env: Record<string, string> = { ROUTE_AUTH: rule.auth, ROUTE_SCOPES: rule.scopes.join(' ') };
  if (Object.keys(rule.claims).length > 0) env.ROUTE_CLAIMS = JSON.stringify(rule.claims);
  if (rule.issuers.length > 0) env.ROUTE_ISSUERS = rule.issuers.join(' ');
  return env;
}

/** The directory of the prebuilt authorizer bundle (`npm run build`), found from this package's root. */
const BUNDLE_DIR = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`apigw-oidc-authorizer: no package.json above ${__dirname}`);
    dir = up;
  }
  return path.join(dir, 'dist', 'authorizer');
})();

/**
 * The authorizer's code, whose asset (bundle plus settings) can only be made at synth: its S3 location is
 * handed to the function now as tokens, resolved once `stage` has been called.
 */
class StagedCode extends Code {
  private asset: Asset | undefined;
  private resource: CfnResource | undefined;

  get isStaged(): boolean {
    return this.asset !== undefined;
  }

  bind(): CodeConfig {
    // Unstaged only when the settings were refused: the construct's validation then stops the synth with the
    // reason, and the placeholder never reaches a template.
    return {
      s3Location: {
        bucketName: Lazy.string({ produce: () => this.asset?.s3BucketName ?? 'unstaged' }),
        objectKey: Lazy.string({ produce: () => this.asset?.s3ObjectKey ?? 'unstaged' }),
      },
    };
  }

  override bindToResource(resource: CfnResource): void {
    this.resource = resource;
  }

  stage(asset: Asset): void {
    this.asset = asset;
    // Tells `sam local`, `npm start` and other tools where the function's code is in the assembly.
    if (this.resource) asset.addResourceMetadata(this.resource, 'Code');
  }
}
