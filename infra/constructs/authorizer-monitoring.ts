// OidcAuthorizer's alarms and dashboard (`monitoring`), on the authorizer's own metrics (lambda/authorizer/
// metrics.ts), its Lambda's and each RestApi's. Each alarm's description says what it means and what to check
// first; docs/operations.md's runbook says the same at more length. Thresholds default to lambda/authorizer/defaults.ts.
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import { type IRestApi, RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  HorizontalAnnotation,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULTS } from '../../lambda/authorizer/defaults';
import type { MetricName } from '../../lambda/authorizer/metrics';
import { SettingError } from './authorizer-settings';

/** Alarms and a dashboard for an OidcAuthorizer: `monitoring: {}` for the defaults. */
export interface OidcMonitoring {
  /** Notified when an alarm goes off and when it clears. @default - no action: the alarms show in the CloudWatch console */
  readonly alarmTopic?: ITopic;
  /** A CloudWatch dashboard: `true` for one with a generated name, or its name; `false` for none. @default true */
  readonly dashboard?: boolean | string;
  /** Keys served this far past their max age (an issuer down that long) set off the stale-keys alarm. @default Duration.seconds(300) */
  readonly staleKeysThreshold?: Duration;
  /** Key fetches failed or timed out within 5 minutes that set off the key-fetch alarm. @default 3 */
  readonly keyFetchFailures?: number;
  /** The authorizer Lambda's p99 duration that, held for 15 minutes, sets off the latency alarm. @default Duration.millis(1000) */
  readonly latencyP99Threshold?: Duration;
  /** Share of a RestApi's requests answered 5XX within 5 minutes (of at least 10) that sets off its alarm. @default 5 (percent) */
  readonly api5xxRatePercent?: number;
}

const PERIOD = Duration.minutes(5);

export interface MonitoredAuthorizer {
  readonly function: LambdaFunction;
  /** The metrics' namespace and `service` dimension, as the authorizer is configured. */
  readonly namespace: string;
  readonly service: string;
}

export class AuthorizerMonitoring extends Construct {
  readonly alarms: Alarm[] = [];
  dashboard: Dashboard | undefined;
  private readonly options: Required<Omit<OidcMonitoring, 'alarmTopic'>> & Pick<OidcMonitoring, 'alarmTopic'>;
  private readonly widgets: IWidget[][] = [];
  private readonly apis = new Set<IRestApi>();

  constructor(scope: Construct, id: string, readonly target: MonitoredAuthorizer, options: OidcMonitoring) {
    super(scope, id);
    const d = DEFAULTS.monitoring;
    this.options = {
      alarmTopic: options.alarmTopic,
      dashboard: options.dashboard ?? true,
      staleKeysThreshold: options.staleKeysThreshold ?? Duration.seconds(d.staleKeysAlarmSeconds),
      keyFetchFailures: options.keyFetchFailures ?? d.keyFetchFailuresAlarm,
      latencyP99Threshold: options.latencyP99Threshold ?? Duration.millis(d.latencyP99AlarmMs),
      api5xxRatePercent: options.api5xxRatePercent ?? d.api5xxRateAlarmPercent,
    };
    const o = this.options;
    if (!(o.keyFetchFailures >= 1) || !Number.isInteger(o.keyFetchFailures)) throw new SettingError('monitoring.keyFetchFailures', `must be a whole number of at least 1, got ${o.keyFetchFailures}`);
    if (!(o.api5xxRatePercent > 0 && o.api5xxRatePercent <= 100)) throw new SettingError('monitoring.api5xxRatePercent', `must be above 0 and at most 100, got ${o.api5xxRatePercent}`);
    if (typeof o.dashboard === 'string' && !Token.isUnresolved(o.dashboard) && !/^[A-Za-z0-9_-]{1,255}$/.test(o.dashboard)) {
      throw new SettingError('monitoring.dashboard', `must be 1 to 255 letters, digits, - or _, got ${JSON.stringify(o.dashboard)}`);
    }
    this.authorizerAlarms();
  }

  /** Our metric, summed over its dimension (the `service`-only set every metric is also published under). */
  metric(name: MetricName, statistic: string, label?: string): Metric {
    return new Metric({ namespace: this.target.namespace, metricName: name, dimensionsMap: { service: this.target.service }, statistic, period: PERIOD, ...(label ? { label } : {}) });
  }

  /** Every line of `name` broken down by `dimension`, whichever values occur (dashboards only: alarms take no SEARCH). */
  private search(name: MetricName, dimension: 'reason' | 'issuer', statistic: string, label: string): MathExpression {
    const { namespace, service } = this.target;
    return new MathExpression({
      expression: `SEARCH('{"${namespace}",service,${dimension}} MetricName="${name}" service="${service}"', '${statistic}', 300)`,
      usingMetrics: {},
      label,
      period: PERIOD,
    });
  }

  private alarm(id: string, props: { metric: IMetric; threshold: number; description: string; comparison?: ComparisonOperator; evaluationPeriods?: number }): Alarm {
    const alarm = new Alarm(this, id, {
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      datapointsToAlarm: props.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: props.description,
    });
    if (this.options.alarmTopic) {
      const action = new SnsAction(this.options.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push(alarm);
    return alarm;
  }

  private authorizerAlarms(): void {
    const fn = this.target.function;
    const o = this.options;
    const staleSeconds = o.staleKeysThreshold.toSeconds();
    this.alarm('AuthorizerErrors', {
      metric: this.metric('Error', 'Sum'),
      threshold: 0,
      description:
        'The OIDC authorizer answered 503 (metric Error) in the last 5 minutes: callers with valid tokens were turned away. ' +
        'Check first: the dashboard\'s "Errors by reason". KEYS_UNAVAILABLE: the issuer\'s keys could not be had (never fetched, or stale past jwksMaxStaleSeconds); read the jwks_fetch log lines (code, iss) and whether the issuer\'s discovery document and JWKS answer. INTERNAL: read the ERROR lines in the authorizer\'s log group.',
    });
    this.alarm('KeysServedStale', {
      metric: this.metric('KeysServedStale', 'Maximum'),
      threshold: staleSeconds,
      description:
        `The OIDC authorizer verified tokens with keys more than ${staleSeconds} s past their max age (metric KeysServedStale, seconds): refreshing them has failed that long. ` +
        'Nothing is refused yet; at jwksMaxStaleSeconds past max age every token is (503). Check first: the key fetch alarm and the jwks_fetch WARN lines (code, iss): is the issuer up, is its discovery document\'s jwks_uri reachable from the Lambda?',
    });
    this.alarm('KeyFetchFailures', {
      metric: new MathExpression({ expression: 'FILL(failed, 0) + FILL(timedOut, 0)', usingMetrics: { failed: this.metric('KeyFetchFailed', 'Sum'), timedOut: this.metric('KeyFetchTimedOut', 'Sum') }, label: 'key fetches failed or timed out', period: PERIOD }),
      threshold: o.keyFetchFailures,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        `At least ${o.keyFetchFailures} discovery or JWKS fetches of the OIDC authorizer failed or timed out in 5 minutes (metrics KeyFetchFailed, KeyFetchTimedOut). ` +
        'Cached keys keep serving up to jwksMaxStaleSeconds. Check first: the jwks_fetch log lines: code FETCH_TIMEOUT (slow issuer, or no route out of the VPC), FETCH_STATUS (its answer), DISCOVERY_INVALID or JWKS_INVALID (its documents changed); the issuer dimension on the dashboard says which issuer, by position in the configuration.',
    });
    this.alarm('LambdaErrors', {
      metric: new MathExpression({
        // Every refusal is a Lambda error too (an authorizer says 401 by throwing): what counts is an invocation
        // that ended without any decision, beyond 0.1% of invocations (the two sources' timestamps may differ).
        expression: '0.999 * FILL(invocations, 0) - FILL(allow, 0) - FILL(deny, 0) - FILL(error, 0)',
        usingMetrics: { invocations: fn.metricInvocations({ period: PERIOD, statistic: 'Sum' }), allow: this.metric('Allow', 'Sum'), deny: this.metric('Deny', 'Sum'), error: this.metric('Error', 'Sum') },
        label: 'invocations that ended without a decision',
        period: PERIOD,
      }),
      threshold: 2,
      description:
        'More than 2 invocations of the OIDC authorizer Lambda in 5 minutes (and over 0.1% of them) ended without a decision: a crash, a timeout, a failed init (a refusal is a Lambda error too, so plain Errors would count every 401). API Gateway answered those 503. ' +
        'Check first: the authorizer\'s log group for a failed init (a configuration message naming the setting), "Task timed out" or out-of-memory reports, and the latest deployment.',
    });
    this.alarm('LambdaThrottles', {
      metric: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      threshold: 0,
      description:
        'The OIDC authorizer Lambda was throttled in the last 5 minutes: API Gateway answered those requests 503. Check first: the account\'s and the function\'s concurrency (reserved concurrency, the regional limit) and what else used it.',
    });
    this.alarm('LatencyP99', {
      metric: fn.metricDuration({ period: PERIOD, statistic: 'p99' }),
      threshold: o.latencyP99Threshold.toMilliseconds(),
      evaluationPeriods: 3,
      description:
        `The OIDC authorizer Lambda's p99 duration has been over ${o.latencyP99Threshold.toMilliseconds()} ms for 15 minutes (a warm decision takes well under 1 ms). ` +
        'Check first: VerificationTime and key fetches on the dashboard (a slow issuer: its fetches hold requests for up to fetchTimeoutMs), cold starts, and the verified-token cache hit rate.',
    });
  }

  /** Per RestApi: its 5XX rate alarm and its row of the dashboard. */
  watchApi(api: IRestApi): void {
    if (this.apis.has(api)) return;
    this.apis.add(api);
    if (!(api instanceof RestApiBase)) {
      Annotations.of(this).addWarningV2('oidc-authorizer:monitoring-api', `${api.node.path} is not a RestApi of this app: no 5XX alarm or dashboard row for it`);
      return;
    }
    const errors = api.metricServerError({ period: PERIOD, statistic: 'Sum' });
    const requests = api.metricCount({ period: PERIOD, statistic: 'Sum' });
    const percent = this.options.api5xxRatePercent;
    this.alarm(`Api5xxRate${api.node.id}`, {
      metric: new MathExpression({ expression: 'IF(FILL(requests, 0) >= 10, 100 * FILL(errors, 0) / requests, 0)', usingMetrics: { errors, requests }, label: `${api.node.id}: 5XX, % of requests`, period: PERIOD }),
      threshold: percent,
      description:
        `More than ${percent}% of the requests to ${api.node.path} (at least 10) were answered 5XX in 5 minutes. ` +
        'Check first: the authorizer errors alarm (503 from the authorizer: keys, throttles, crashes), then the access log\'s errorType, authorizerError and status fields for which integration failed.',
    });
    this.widgets.push([
      new GraphWidget({ title: `${api.node.id}: 4XX and 5XX`, left: [api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4XX' }), api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5XX' })], width: 12 }),
      new GraphWidget({ title: `${api.node.id}: latency, ms`, left: [api.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' }), api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99' })], width: 12 }),
    ]);
  }

  /** The dashboard, once every RestApi is known (at synth). */
  addDashboard(): void {
    const name = this.options.dashboard;
    if (name === false || this.dashboard) return;
    const fn = this.target.function;
    const m = (n: MetricName, stat: string, label?: string) => this.metric(n, stat, label);
    const staleLine: HorizontalAnnotation = { value: this.options.staleKeysThreshold.toSeconds(), label: 'alarm' };
    this.dashboard = new Dashboard(this, 'Dashboard', {
      ...(typeof name === 'string' ? { dashboardName: name } : {}),
      widgets: [
        [
          new GraphWidget({ title: 'Decisions', left: [m('Allow', 'Sum', 'Allow'), m('Deny', 'Sum', 'Deny'), m('Error', 'Sum', 'Error (503)')], stacked: true, width: 8 }),
          new GraphWidget({ title: 'Refusals by reason', left: [this.search('Deny', 'reason', 'Sum', 'Deny')], width: 8 }),
          new GraphWidget({ title: 'Errors by reason', left: [this.search('Error', 'reason', 'Sum', 'Error')], width: 8 }),
        ],
        [
          new GraphWidget({ title: 'Key fetches', left: [m('KeyFetchOk', 'Sum', 'ok'), m('KeyFetchFailed', 'Sum', 'failed'), m('KeyFetchTimedOut', 'Sum', 'timed out'), m('KeyRefetchUnknownKid', 'Sum', 'for an unknown kid'), m('KeyRefetchRefused', 'Sum', 'refused by the cooldown')], width: 8 }),
          new GraphWidget({ title: 'Keys served stale, s past max age', left: [this.search('KeysServedStale', 'issuer', 'Maximum', 'stale')], leftAnnotations: [staleLine], width: 8 }),
          new GraphWidget({ title: 'Keys in the set, by issuer', left: [this.search('KeysInSet', 'issuer', 'Maximum', 'keys')], width: 8 }),
        ],
        [
          new GraphWidget({
            title: 'Verified-token cache hit rate, %',
            left: [new MathExpression({ expression: 'IF(hits + misses > 0, 100 * hits / (hits + misses), 0)', usingMetrics: { hits: m('TokenCacheHit', 'Sum'), misses: m('TokenCacheMiss', 'Sum') }, label: 'hit rate', period: PERIOD })],
            leftYAxis: { min: 0, max: 100 },
            width: 8,
          }),
          new GraphWidget({ title: 'Verification time and Lambda duration, ms', left: [m('VerificationTime', 'p50', 'verification p50'), m('VerificationTime', 'p99', 'verification p99'), fn.metricDuration({ period: PERIOD, statistic: 'p99', label: 'Lambda p99' })], leftAnnotations: [{ value: this.options.latencyP99Threshold.toMilliseconds(), label: 'alarm' }], width: 8 }),
          new GraphWidget({ title: 'Lambda', left: [fn.metricInvocations({ period: PERIOD, statistic: 'Sum', label: 'invocations' }), fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: 'throttles' }), m('ColdStart', 'Sum', 'cold starts')], width: 8 }),
        ],
        ...this.widgets,
        [new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}
