// Builds the stack the way `cdk synth` does (cdk.json's feature flags plus context), without bundling.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readConfig } from '../../infra/config';
import { OidcApiStack, type OidcApiStackProps } from '../../infra/oidc-api-stack';
import cdkJson from '../../cdk.json';

export const BASE_CONTEXT = { issuer: 'https://login.example.com/', audience: 'api' };

/** An App carrying cdk.json's context (feature flags do not reach `new App()` in jest otherwise). */
export function appWith(context: Record<string, unknown> = {}, options: { bundle?: boolean; outdir?: string } = {}): App {
  return new App({
    outdir: options.outdir,
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
