// `npm test` after the type-check: jest over every suite on the Node that runs npm, then the suites that run
// Lambda code again on the Node of the deployed runtime (jest.node24.config.js). Arguments go to both runs.
// With JEST_REPORT_DIR set, each run writes its `jest --json` report there (.ci/run adds them up). Both runs
// always run; the exit status is non-zero when either fails, or when Node 24 is not installed.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { lambdaNode } from '../local/lambda/node-runtime';

const ROOT = path.resolve(__dirname, '..');
const JEST = require.resolve('jest/bin/jest');
/** What infra/constructs/logged-function.ts deploys (test/infra checks the template says so). */
const DEPLOYED_RUNTIME = 'nodejs24.x';

const args = process.argv.slice(2);
const reportDir = process.env.JEST_REPORT_DIR;
if (args.some((a) => a.startsWith('--outputFile'))) {
  process.stderr.write('npm test: two jest runs would write one --outputFile; set JEST_REPORT_DIR instead (a report per run)\n');
  process.exit(2);
}

function jest(name: string, execPath: string, config: string, extra: string[]): boolean {
  const report = reportDir ? ['--json', `--outputFile=${path.join(reportDir, `${name}.json`)}`] : [];
  const run = spawnSync(execPath, [JEST, '--config', config, ...report, ...extra, ...args], { cwd: ROOT, stdio: 'inherit' });
  return run.status === 0;
}

process.stderr.write(`jest on Node ${process.versions.node}: every suite\n`);
const all = jest('all', process.execPath, 'jest.config.js', []);

const node = lambdaNode(DEPLOYED_RUNTIME);
let lambda = false;
if (!node.matches) {
  process.stderr.write(`npm test: cannot run the Lambda suites on the deployed runtime. ${node.description}\n`);
} else {
  process.stderr.write(`jest on Node ${node.version}, as ${DEPLOYED_RUNTIME} deploys: test/lambda/, test/infra/bundle.test.ts\n`);
  // A filter given to npm test may match none of these suites: that is no failure of this run.
  lambda = jest('lambda-node24', node.execPath, 'jest.node24.config.js', args.length > 0 ? ['--passWithNoTests'] : []);
}
process.exit(all && lambda ? 0 : 1);
