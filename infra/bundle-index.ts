// Writes local-bundles.json into the cloud assembly: for each function, the esbuild options its asset was
// bundled with, so `npm start --watch` rebuilds a changed Lambda the same way without a synth. CloudFormation
// and `cdk deploy` ignore the file; the templates stay as they were.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack, type App } from 'aws-cdk-lib';
import { BUNDLE_INDEX_FILE, type BundleIndexEntry } from '../local/watch/bundle-index-format';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { AUTHORIZER_ENTRY } from '../scripts/authorizer-bundle';
import { type BundleSpec, esbuildOptions } from './constructs/bundling';
import { NodeFunction } from './constructs/node-function';
import { OidcAuthorizer } from './constructs/oidc-authorizer';

export function bundleIndex(app: App, projectDir: string): BundleIndexEntry[] {
  // The authorizer ships prebuilt, but here its sources are at hand: watch mode rebuilds it like the others.
  const functions = app.node.findAll().flatMap((c): { fn: LambdaFunction; bundle: BundleSpec }[] => {
    if (c instanceof NodeFunction) return [{ fn: c.function, bundle: c.bundle }];
    if (c instanceof OidcAuthorizer) return [{ fn: c.function, bundle: { entry: AUTHORIZER_ENTRY, keepNames: false } }];
    return [];
  });
  return functions.map(({ fn, bundle }) => {
    const stack = Stack.of(fn);
    const { outfile: _outfile, entryPoints, ...options } = esbuildOptions(bundle, '.');
    return {
      templateFile: stack.templateFile,
      logicalId: stack.getLogicalId(fn.node.defaultChild as CfnResource),
      options: { ...options, entryPoints: (entryPoints as string[]).map((e) => path.relative(projectDir, e)) },
    };
  });
}

export function writeBundleIndex(app: App, projectDir: string): void {
  writeFileSync(path.join(app.outdir, BUNDLE_INDEX_FILE), `${JSON.stringify(bundleIndex(app, projectDir), null, 2)}\n`);
}
