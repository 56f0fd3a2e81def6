// Builds the stack the way `cdk synth` does (cdk.json's feature flags plus context), without bundling.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readSettings } from '../../lambda/authorizer/settings-file';
import { readConfig } from '../../infra/config';
import { OidcApiStack, type OidcApiStackProps } from '../../infra/oidc-api-stack';
import cdkJson from '../../cdk.json';

export const BASE_CONTEXT = { issuer: 'https://login.example.com/', audience: 'api' };

// Without an outdir every App synthesizes into a new temp folder that nothing removes; these live under one
// folder per test file, removed after its tests.
const scratch = mkdtempSync(join(tmpdir(), 'oidc-infra-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An App carrying cdk.json's context (feature flags do not reach `new App()` in jest otherwise). */
export function appWith(context: Record<string, unknown> = {}, options: { bundle?: boolean; outdir?: string } = {}): App {
  return new App({
    outdir: options.outdir ?? mkdtempSync(join(scratch, 'cdk.out-')),
    context: {
      ...cdkJson.context,
      // An empty list tells NodejsFunction to skip esbuild: template tests need no assets.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
}

export function synth(context: Record<string, unknown> = BASE_CONTEXT, props: Partial<OidcApiStackProps> = {}) {
  const app = appWith(context);
  const stack = new OidcApiStack(app, 'OidcApi', { config: readConfig(app.node), ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

/**
 * What an OidcAuthorizer function reads at cold start: the settings file staged in its asset (found by the
 * asset hash in its S3 key) overlaid with its environment.
 */
export function authorizerSettings(app: App, template: Template, logicalId: string): Readonly<Record<string, string | undefined>> {
  const props = template.toJSON().Resources[logicalId].Properties;
  const dir = join(app.outdir, `asset.${String(props.Code.S3Key).replace(/\.zip$/, '')}`);
  return readSettings(dir, props.Environment?.Variables ?? {});
}
