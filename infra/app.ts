// CDK app entry (cdk.json runs it): one environment-agnostic stack, configured from context, nag-checked.
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { writeBundleIndex } from './bundle-index';
import { ConfigError, readConfig } from './config';
import { formatFindings, nagFindings } from './nag';
import { OidcApiStack } from './oidc-api-stack';

const app = new App();
let config;
try {
  config = readConfig(app.node);
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  // The message says what to type; a stack trace would only bury it.
  console.error(e.message);
  process.exit(1);
}

const stack = new OidcApiStack(app, 'OidcApi', {
  config,
  description: 'OIDC bearer-token protection for an API Gateway REST API (Lambda REQUEST authorizer)',
});

const findings = nagFindings(stack);
for (const line of formatFindings(findings)) console.error(line);
// Like cdk-nag's own reporting: errors stop the synth, warnings are printed.
if (findings.some((f) => f.severity !== 'warning')) {
  console.error('cdk-nag AwsSolutions reported errors: fix them, or acknowledge each with a reason (Validations.of(construct).acknowledge).');
  process.exitCode = 1;
}

app.synth();
writeBundleIndex(app, path.resolve(__dirname, '..'));
