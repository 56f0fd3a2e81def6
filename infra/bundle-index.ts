// Writes local-bundles.json into the cloud assembly: for each function, the esbuild options its asset was
// bundled with, so `npm start --watch` rebuilds a changed Lambda the same way without a synth. CloudFormation
// and `cdk deploy` ignore the file; the templates stay as they were.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack, type App } from 'aws-cdk-lib';
import { BUNDLE_INDEX_FILE, type BundleIndexEntry } from './bundle-index-format';
import { esbuildOptions } from './constructs/bundling';
import { NodeFunction } from './constructs/node-function';

export function bundleIndex(app: App, projectDir: string): BundleIndexEntry[] {
  return app.node.findAll().filter((c): c is NodeFunction => c instanceof NodeFunction).map((fn) => {
    const stack = Stack.of(fn);
    const { outfile: _outfile, entryPoints, ...options } = esbuildOptions(fn.bundle, '.');
    return {
      templateFile: stack.templateFile,
      logicalId: stack.getLogicalId(fn.function.node.defaultChild as CfnResource),
      options: { ...options, entryPoints: (entryPoints as string[]).map((e) => path.relative(projectDir, e)) },
    };
  });
}

export function writeBundleIndex(app: App, projectDir: string): void {
  writeFileSync(path.join(app.outdir, BUNDLE_INDEX_FILE), `${JSON.stringify(bundleIndex(app, projectDir), null, 2)}\n`);
}
