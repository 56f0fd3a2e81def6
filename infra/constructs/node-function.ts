// A Lambda function bundled from this project's TypeScript (the example app's handlers), built as every
// function here runs (logged-function.ts). The authorizer is not one: it ships prebuilt (oidc-authorizer.ts).
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { BUNDLE_FILE, bundledAsset, type BundleSpec } from './bundling';
import { LoggedFunction, type LoggedFunctionProps } from './logged-function';

export interface NodeFunctionProps extends Omit<LoggedFunctionProps, 'code' | 'handler'> {
  /** TypeScript entry file exporting `handler`. */
  readonly entry: string;
  /**
   * Keep function and class names through minification (readable stack traces), at ~1.2 KB of bundle and a
   * little import time.
   * @default true
   */
  readonly keepNames?: boolean;
}

export class NodeFunction extends LoggedFunction {
  /** How its code is bundled (infra/constructs/bundling.ts); `npm start --watch` rebuilds from it. */
  readonly bundle: BundleSpec;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const bundle: BundleSpec = { entry: props.entry, keepNames: props.keepNames ?? true };
    const asset = bundledAsset(bundle);
    super(scope, id, { ...props, code: Code.fromAsset(asset.path, asset.options), handler: `${BUNDLE_FILE.replace(/\.js$/, '')}.handler` });
    this.bundle = bundle;
  }
}
