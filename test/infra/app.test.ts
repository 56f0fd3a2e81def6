// infra/app.ts as `cdk synth` runs it: a child process given context through CDK_CONTEXT_JSON.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(__dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

async function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'oidc-app-'));
  try {
    const result = await promisify(execFile)(tsx, ['infra/app.ts'], {
      cwd: root,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }) },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    return { ...result, wroteTemplate: existsSync(path.join(outdir, 'OidcApi.template.json')) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

test('a missing issuer ends the synth with the message alone', async () => {
  const { code, stderr, wroteTemplate } = await runApp({ audience: 'api' });
  expect(code).toBe(1);
  expect(stderr.trim()).toBe('CDK context value issuer is required: npx cdk deploy -c issuer=https://login.example.com/ -c audience=my-api');
  expect(wroteTemplate).toBe(false);
});

test('a misspelt context key ends the synth naming the key it meant', async () => {
  const { code, stderr, wroteTemplate } = await runApp({ issuer: 'https://login.example.com/', audience: 'api', requiredScope: 'x' });
  expect(code).toBe(1);
  expect(stderr.trim()).toBe('CDK context key requiredScope is not a setting of this app: did you mean requiredScopes?');
  expect(wroteTemplate).toBe(false);
});

test('with issuer and audience it synthesizes, with nothing for cdk-nag to report', async () => {
  const { code, stderr, wroteTemplate } = await runApp({ issuer: 'https://login.example.com/', audience: 'api' });
  expect(stderr).not.toMatch(/AwsSolutions/);
  expect(code).toBe(0);
  expect(wroteTemplate).toBe(true);
});

test('a setting the authorizer refuses at synth ends it with the construct path and the message alone', async () => {
  const { code, stderr, wroteTemplate } = await runApp({ issuer: 'https://login.example.com/', audience: 'api', clockToleranceSeconds: '900' });
  expect(code).toBe(1);
  expect(stderr.trim()).toBe('Validation failed with the following errors:\n  [OidcApi/Authorizer] clockToleranceSeconds must be between 0 and 600, got 900');
  expect(wroteTemplate).toBe(false);
});

// README's bootstrap command: it needs none of the app's context, since it does not run the app. Offline and
// without credentials it gets as far as asking AWS, which is as far as a test here can go.
test('npx cdk bootstrap as README shows it does not run the app, so it needs no issuer', async () => {
  const cdk = path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'none-such', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' };
  const bootstrap = (args: string[]) =>
    promisify(execFile)(process.execPath, [cdk, 'bootstrap', 'aws://123456789012/eu-west-1', ...args], { cwd: root, env, timeout: 60_000 }).then(
      ({ stdout, stderr }) => `${stdout}${stderr}`,
      (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`,
    );
  const [withApp, withoutApp] = await Promise.all([bootstrap([]), bootstrap(['--app', ''])]);
  // Run as cdk.json says, the app is synthesized first and wants its context: why README shows --app ''.
  expect(withApp).toContain('CDK context value issuer is required');
  expect(withoutApp).not.toContain('CDK context value');
  expect(withoutApp).toMatch(/credentials/i);
}, 90_000);
