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
