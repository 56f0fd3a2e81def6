// Each default is written once (lambda/authorizer/defaults.ts): the parser applies it, and the construct's doc
// comments, README's props table and the tables in docs/, which cannot import it, are held to it here.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SETTING_ENV } from '../../../infra/constructs/authorizer-settings';
import { readConfig } from '../../../lambda/authorizer/config';
import { DEFAULTS } from '../../../lambda/authorizer/defaults';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const spelled = (value: unknown) => (Array.isArray(value) ? value.join(' ') : String(value));
const SETTINGS = Object.keys(SETTING_ENV).filter((k) => k !== 'contextClaims') as (keyof typeof SETTING_ENV & keyof typeof DEFAULTS)[];

test('the runtime parser applies every default', () => {
  const config = readConfig({ OIDC_ISSUER: 'https://login.example.com/', OIDC_AUDIENCE: 'api', OIDC_ROUTES: JSON.stringify([{ method: 'GET', resourcePath: '/', auth: 'optional' }]) });
  const issuer = config.issuers[0]!;
  expect({ ...config, ...issuer }).toMatchObject({
    requiredScopes: DEFAULTS.requiredScopes,
    algorithms: DEFAULTS.algorithms,
    usernameClaim: DEFAULTS.usernameClaim,
    clockToleranceSeconds: DEFAULTS.clockToleranceSeconds,
    jwksMaxAgeSeconds: DEFAULTS.jwksMaxAgeSeconds,
    jwksMaxStaleSeconds: DEFAULTS.jwksMaxStaleSeconds,
    jwksCooldownSeconds: DEFAULTS.jwksCooldownSeconds,
    fetchTimeoutMs: DEFAULTS.fetchTimeoutMs,
    fetchMaxBytes: DEFAULTS.fetchMaxBytes,
    maxTokenBytes: DEFAULTS.maxTokenBytes,
    requireAtJwt: DEFAULTS.requireAtJwt,
    clientIdAsAudience: DEFAULTS.clientIdAsAudience,
    tokenCacheSize: DEFAULTS.tokenCacheSize,
    metricsNamespace: DEFAULTS.metricsNamespace,
    metricsService: DEFAULTS.metricsService,
  });
});

test.each(SETTINGS)('the construct documents %s’s default as it is', (key) => {
  const source = read('infra/constructs/authorizer-settings.ts');
  const doc = new RegExp(`@default ([^\\n*]*?)(?: \\([a-z]+\\))?\\s*\\*/\\s*readonly ${key}\\?`).exec(source);
  expect(doc?.[1]?.replace(/^\['(.*)'\]$/, '$1').replace(/^'(.*)'$/, '$1')).toBe(spelled(DEFAULTS[key]));
});

test.each(SETTINGS)('docs/configuration.md’s run-time table gives %s’s default as it is', (key) => {
  const row = new RegExp(`^\\| \`${SETTING_ENV[key]}\` \\| \`([^\`]*)\``, 'm').exec(read('docs/configuration.md'));
  expect(row?.[1]).toBe(spelled(DEFAULTS[key]));
});

test('the construct and README give the Lambda’s memory and the result cache’s TTL as they are', () => {
  const construct = read('infra/constructs/oidc-authorizer.ts');
  expect(construct).toContain(`@default ${DEFAULTS.memorySize} (MiB)`);
  expect(construct).toContain(`@default Duration.seconds(${DEFAULTS.resultsCacheTtlSeconds})`);
  const readme = read('README.md');
  expect(readme).toContain(`| \`memorySize\` | ${DEFAULTS.memorySize} (MiB) |`);
  expect(readme).toContain(`| \`resultsCacheTtl\` | \`Duration.seconds(${DEFAULTS.resultsCacheTtlSeconds})\` |`);
});

test('the monitoring construct and docs/operations.md’s alarm table give the alarms’ defaults as they are', () => {
  const m = DEFAULTS.monitoring;
  const construct = read('infra/constructs/authorizer-monitoring.ts');
  expect(construct).toContain(`@default Duration.seconds(${m.staleKeysAlarmSeconds}) */`);
  expect(construct).toContain(`@default ${m.keyFetchFailuresAlarm} */`);
  expect(construct).toContain(`@default Duration.millis(${m.latencyP99AlarmMs}) */`);
  expect(construct).toContain(`@default ${m.api5xxRateAlarmPercent} (percent) */`);
  const page = read('docs/operations.md');
  expect(page).toContain(`| \`staleKeysThreshold\`: ${m.staleKeysAlarmSeconds} s |`);
  expect(page).toContain(`| \`keyFetchFailures\`: ${m.keyFetchFailuresAlarm} or more |`);
  expect(page).toContain(`| \`latencyP99Threshold\`: ${m.latencyP99AlarmMs} ms |`);
  expect(page).toContain(`| \`api5xxRatePercent\`: ${m.api5xxRateAlarmPercent} % |`);
});
