// CDK app entry (cdk.json runs it): the example API, one environment-agnostic stack configured from context,
// built on the public OidcAuthorizer construct and nag-checked.
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildAuthorizerBundle } from '../scripts/authorizer-bundle';
import { writeBundleIndex } from './bundle-index';
import { ContextError, readConfig } from './config';
import { formatFindings, nagFindings } from './nag';
import { OidcApiStack } from './oidc-api-stack';

// This repository is the package's first consumer: its synth ships the authorizer as built from the sources
// beside it, so an edit to lambda/authorizer is never served stale. A consumer's synth builds nothing.
buildAuthorizerBundle();

const app = new App();
let stack: OidcApiStack;
try {
  stack = new OidcApiStack(app, 'OidcApi', {
    config: readConfig(app.node),
    description: 'OIDC bearer-token protection for an API Gateway REST API (Lambda REQUEST authorizer)',
  });
} catch (e) {
  if (!(e instanceof ContextError)) throw e;
  // The message says what to type; a stack trace would only bury it.
  console.error(e.message);
  process.exit(1);
}

try {
  app.synth();
} catch (e) {
  // A setting the authorizer's parser refused, with the construct path and the setting named: no trace needed.
  if ((e as Error).name !== 'ValidationFailedWithErrors') throw e;
  console.error((e as Error).message);
  process.exit(1);
}
// After the synth, so that the authorizer's per-API resources, made as it synthesizes, are checked too.
const findings = nagFindings(stack);
for (const line of formatFindings(findings)) console.error(line);
// Like cdk-nag's own reporting: errors stop the synth, warnings are printed.
if (findings.some((f) => f.severity !== 'warning')) {
  console.error('cdk-nag AwsSolutions reported errors: fix them, or acknowledge each with a reason (Validations.of(construct).acknowledge).');
  process.exitCode = 1;
}
writeBundleIndex(app, path.resolve(__dirname, '..'));
