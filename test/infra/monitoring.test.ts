// OidcAuthorizer's `monitoring`: the alarms and the dashboard in the template, absent unless asked for; and
// a scripted outage whose KeysServedStale values, as the authorizer emits them, set off the stale-keys alarm
// exactly as the synthesized alarm's own period, statistic and threshold say.
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { LambdaIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { OidcAuthorizer, type OidcAuthorizerProps } from '../../infra';
import { settingVariables } from '../../infra/constructs/authorizer-settings';
import { readConfig } from '../../lambda/authorizer/config';
import { DEFAULTS } from '../../lambda/authorizer/defaults';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import { authorizerEnv } from '../helpers/config';
import { authorizerEvent } from '../helpers/events';
import { startIssuer } from '../helpers/issuer';
import { makeKey, signToken } from '../helpers/keys';
import { captureLogger } from '../helpers/log';
import { captureMetrics, data } from '../helpers/metrics';
import { appWith } from './synth';

const TRUST = { issuer: 'https://login.example.com/', audience: 'api' };

/** A consumer's stack: one OidcAuthorizer protecting `apis` RestApis. */
function consumer(props: Partial<OidcAuthorizerProps> | ((stack: Stack) => Partial<OidcAuthorizerProps>) = {}, apis = ['Shop']) {
  const app = appWith();
  const stack = new Stack(app, 'Consumer');
  const oidc = new OidcAuthorizer(stack, 'Oidc', { ...TRUST, ...(typeof props === 'function' ? props(stack) : props) });
  const handler = new LambdaFunction(stack, 'Handler', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "" })') });
  const integration = new LambdaIntegration(handler, { scopePermissionToMethod: false, allowTestInvoke: false });
  for (const name of apis) new RestApi(stack, name).root.addResource('orders').addMethod('GET', integration, oidc.require({ scopes: ['orders:read'] }));
  return { stack, oidc, template: () => Template.fromStack(stack) };
}

type Resource = { Properties: Record<string, any> };
const alarms = (t: Template) => t.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
const alarmNamed = (t: Template, id: string) => Object.entries(alarms(t)).find(([logicalId]) => logicalId.startsWith(`OidcMonitoring${id}`))![1].Properties;
/** The dashboard's body as CloudFormation will join it, with tokens left as their JSON. */
const dashboardBody = (t: Template) => JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);

test('without monitoring there is no alarm and no dashboard', () => {
  const t = consumer().template();
  t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  t.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
});

test('monitoring: {} adds the authorizer’s alarms, a 5XX-rate alarm per RestApi, and a dashboard', () => {
  const { oidc, template } = consumer({ monitoring: {} }, ['Shop', 'Admin']);
  const t = template();
  expect(Object.keys(alarms(t)).map((id) => id.replace(/^OidcMonitoring/, '').replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
    ['Api5xxRateAdmin', 'Api5xxRateShop', 'AuthorizerErrors', 'KeyFetchFailures', 'KeysServedStale', 'LambdaErrors', 'LambdaThrottles', 'LatencyP99'].sort(),
  );
  expect(oidc.alarms).toHaveLength(8);
  // Each says what it means and what to check first.
  for (const { Properties: p } of Object.values(alarms(t))) {
    expect(p.AlarmDescription).toMatch(/Check first: /);
    expect(p.TreatMissingData).toBe('notBreaching');
  }
  // Our metrics are read summed over their dimension, in the configured namespace and service.
  expect(alarmNamed(t, 'AuthorizerErrors')).toMatchObject({ Namespace: DEFAULTS.metricsNamespace, MetricName: 'Error', Dimensions: [{ Name: 'service', Value: DEFAULTS.metricsService }], Statistic: 'Sum', Period: 300, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  expect(alarmNamed(t, 'KeysServedStale')).toMatchObject({ MetricName: 'KeysServedStale', Statistic: 'Maximum', Threshold: DEFAULTS.monitoring.staleKeysAlarmSeconds });
  expect(alarmNamed(t, 'KeyFetchFailures')).toMatchObject({ Threshold: DEFAULTS.monitoring.keyFetchFailuresAlarm, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  expect(alarmNamed(t, 'KeyFetchFailures').Metrics.map((m: any) => m.MetricStat?.Metric.MetricName ?? m.Expression).sort()).toEqual(['FILL(failed, 0) + FILL(timedOut, 0)', 'KeyFetchFailed', 'KeyFetchTimedOut']);
  // Lambda errors: invocations that ended without a decision, since every 401 is a Lambda error too.
  const lambdaErrors = alarmNamed(t, 'LambdaErrors');
  expect(lambdaErrors.Metrics.find((m: any) => m.Expression).Expression).toBe('0.999 * FILL(invocations, 0) - FILL(allow, 0) - FILL(deny, 0) - FILL(error, 0)');
  expect(lambdaErrors.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName).filter(Boolean).sort()).toEqual(['Allow', 'Deny', 'Error', 'Invocations']);
  expect(alarmNamed(t, 'LatencyP99')).toMatchObject({ MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: DEFAULTS.monitoring.latencyP99AlarmMs, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
  expect(alarmNamed(t, 'LambdaThrottles')).toMatchObject({ MetricName: 'Throttles', Threshold: 0 });
  // Each RestApi's alarm reads that RestApi's metrics.
  const shop = alarmNamed(t, 'Api5xxRateShop');
  expect(shop.Threshold).toBe(DEFAULTS.monitoring.api5xxRateAlarmPercent);
  expect(shop.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions[0].Value])).toEqual([
    ['5XXError', 'Shop'],
    ['Count', 'Shop'],
  ]);

  t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  const body = dashboardBody(t);
  for (const title of ['Decisions', 'Refusals by reason', 'Errors by reason', 'Key fetches', 'Keys served stale', 'Verified-token cache hit rate', 'Shop: 4XX and 5XX', 'Admin: latency, ms', 'Alarms']) expect(body).toContain(title);
  expect(body).toContain(`SEARCH('{\\\\\\"${DEFAULTS.metricsNamespace}\\\\\\",service,reason} MetricName=\\\\\\"Deny\\\\\\" service=\\\\\\"${DEFAULTS.metricsService}\\\\\\"', 'Sum', 300)`);
});

test('an alarm topic hears every alarm go off and clear', () => {
  const t = consumer((stack) => ({ monitoring: { alarmTopic: new Topic(stack, 'Pager', { enforceSSL: true }) } })).template();
  const all = Object.values(alarms(t));
  expect(all).toHaveLength(7);
  for (const { Properties: p } of all) {
    expect(p.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Pager/) }]);
    expect(p.OKActions).toEqual([{ Ref: expect.stringMatching(/^Pager/) }]);
  }
});

test('dashboard: false leaves the alarms; a name names the dashboard; thresholds are props', () => {
  const none = consumer({ monitoring: { dashboard: false } }).template();
  none.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  expect(Object.keys(alarms(none))).toHaveLength(7);
  const named = consumer({ monitoring: { dashboard: 'orders-auth', staleKeysThreshold: Duration.minutes(30), latencyP99Threshold: Duration.millis(250), keyFetchFailures: 10, api5xxRatePercent: 1 } }).template();
  named.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-auth' });
  expect(alarmNamed(named, 'KeysServedStale').Threshold).toBe(1800);
  expect(alarmNamed(named, 'LatencyP99').Threshold).toBe(250);
  expect(alarmNamed(named, 'KeyFetchFailures').Threshold).toBe(10);
  expect(alarmNamed(named, 'Api5xxRateShop').Threshold).toBe(1);
  expect(() => consumer({ monitoring: { api5xxRatePercent: 0 } })).toThrow('monitoring.api5xxRatePercent must be above 0 and at most 100, got 0');
  expect(() => consumer({ monitoring: { dashboard: 'no spaces' } })).toThrow(/monitoring.dashboard must be 1 to 255 letters/);
});

test('the namespace and service settings reach the authorizer and its alarms; two authorizers sharing them are warned about', () => {
  const t = consumer({ settings: { metricsNamespace: 'Payments/Auth', metricsService: 'payments-api' }, monitoring: {} }).template();
  expect(alarmNamed(t, 'AuthorizerErrors')).toMatchObject({ Namespace: 'Payments/Auth', Dimensions: [{ Name: 'service', Value: 'payments-api' }] });
  expect(dashboardBody(t)).toContain('service=\\\\\\"payments-api\\\\\\"');
  expect(settingVariables({ ...TRUST, settings: { metricsNamespace: 'Payments/Auth', metricsService: 'payments-api' } })).toMatchObject({ OIDC_METRICS_NAMESPACE: 'Payments/Auth', OIDC_METRICS_SERVICE: 'payments-api' });

  const app = appWith();
  const s = new Stack(app, 'Twins');
  const fn = new LambdaFunction(s, 'Handler', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
  for (const id of ['A', 'B']) {
    const o = new OidcAuthorizer(s, id, { ...TRUST, monitoring: {} });
    new RestApi(s, `${id}Api`).root.addMethod('GET', new LambdaIntegration(fn), o.require());
  }
  Annotations.fromStack(s).hasWarning('/Twins/B', Match.stringLikeRegexp('Twins/A publishes its metrics under the same namespace and service \\(OidcAuthorizer, oidc-authorizer\\)'));
});

describe('a scripted outage', () => {
  test('the issuer down past the keys’ max age shows as KeysServedStale, which then crosses the stale alarm’s threshold', async () => {
    // The alarm as synthesized: its metric, statistic, period and threshold are what is evaluated below.
    const alarm = alarmNamed(consumer({ monitoring: {} }).template(), 'KeysServedStale');
    const { MetricName, Namespace, Dimensions, Statistic, Period, Threshold, ComparisonOperator, EvaluationPeriods } = alarm;
    expect([Statistic, ComparisonOperator, EvaluationPeriods]).toEqual(['Maximum', 'GreaterThanThreshold', 1]);

    const key = await makeKey('ES256', 'k1');
    const issuer = await startIssuer([key.jwk]);
    try {
      let clock = Math.ceil(1_800_000_000_000 / 300_000) * 300_000; // on a period boundary, for readable periods
      const { metrics, lines } = captureMetrics(() => clock);
      const authorizer = createAuthorizer(readConfig(authorizerEnv(issuer.url, { OIDC_FETCH_TIMEOUT_MS: '300' })), { now: () => clock, logger: captureLogger(), metrics });
      const request = async () => {
        const token = await signToken(key, issuer.url, { now: Math.floor(clock / 1000) });
        await authorizer.handler(authorizerEvent({ authorization: `Bearer ${token}` }));
      };
      await request(); // keys fetched at t = 0
      clock += 60_000;
      issuer.mode = 'error500';
      // A request every 30 s for 25 minutes; keys reach their max age (600 s) at t = 10 min.
      for (let t = 90; t <= 1500; t += 30) {
        clock = clock - (clock % 30_000) + 30_000;
        await request();
      }
      issuer.mode = 'ok';
      clock += 30_000;
      await request();

      // What CloudWatch would extract for the alarm's metric: that name, in that namespace, under exactly its dimensions.
      const points = data(lines).filter((d) => d.name === MetricName && JSON.stringify(Object.entries(d.dimensions).map(([Name, Value]) => ({ Name, Value }))) === JSON.stringify(Dimensions));
      expect(points.length).toBeGreaterThan(0);
      expect(lines.every((l) => JSON.parse(l)._aws.CloudWatchMetrics.every((d: { Namespace: string }) => d.Namespace === Namespace))).toBe(true);
      const maxByPeriod = new Map<number, number>();
      for (const p of points) {
        const period = Math.floor(p.timestamp / (Period * 1000));
        maxByPeriod.set(period, Math.max(maxByPeriod.get(period) ?? -Infinity, ...p.values));
      }
      const periods = [...maxByPeriod.entries()].sort(([a], [b]) => a - b).map(([, max]) => ({ max, alarm: max > Threshold }));
      // Stale from minute 10, under the threshold at first: it shows, and does not yet alarm; then it does.
      expect(periods[0]).toEqual({ max: expect.any(Number), alarm: false });
      expect(periods[0]!.max).toBeGreaterThan(0);
      expect(periods.at(-1)!.alarm).toBe(true);
      const firstAlarm = periods.findIndex((p) => p.alarm);
      expect(periods.slice(firstAlarm).every((p) => p.alarm)).toBe(true);
      // ... and once the issuer is back, the keys are fresh: no stale value after the recovery.
      expect(data(lines.slice(-1)).filter((d) => d.name === 'KeysServedStale')).toEqual([]);
      expect(data(lines.slice(-1)).some((d) => d.name === 'KeyFetchOk')).toBe(true);
    } finally {
      await issuer.close();
    }
  });
});
