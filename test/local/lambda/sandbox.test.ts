// A sandbox's module path is the Lambda runtime's: the AWS SDK is there for bundles that leave it out, as on
// Lambda, and nothing else is, so a bundle missing another package fails locally as it would when deployed.
import { writeFileSync } from 'node:fs';
import { LambdaSandbox } from '../../../local/lambda/sandbox';
import type { FunctionModel } from '../../../local/template/api-model';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('sandbox');
afterAll(() => dir.remove());

test('a bundle outside the project can require @aws-sdk/*, and not other packages', async () => {
  writeFileSync(
    `${dir.path}/index.js`,
    `exports.handler = async () => {
      const found = (name) => { try { require.resolve(name); return true; } catch { return false; } };
      return { sdk: found('@aws-sdk/client-dynamodb'), jose: found('jose') };
    };`,
  );
  const fn: FunctionModel = { logicalId: 'Fn', displayName: 'Fn', functionName: 'Fn', assetDir: dir.path, handler: 'index.handler', runtime: 'nodejs24.x', timeoutSeconds: 10, memoryMb: 128, environment: {} };
  const sandbox = new LambdaSandbox(fn, { region: 'us-east-1', accountId: '123456789012', execPath: process.execPath, onLog: () => undefined });
  try {
    expect(await sandbox.invoke({}, 'req-1')).toMatchObject({ ok: true, payload: { sdk: true, jose: false } });
  } finally {
    await sandbox.close();
  }
});
