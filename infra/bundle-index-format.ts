// The format of cdk.out/local-bundles.json, apart from infra/bundle-index.ts so that `npm start --watch`
// reads it without loading the CDK.
import type { BuildOptions } from 'esbuild';

export const BUNDLE_INDEX_FILE = 'local-bundles.json';

export interface BundleIndexEntry {
  /** The stack's template file in the assembly. */
  readonly templateFile: string;
  readonly logicalId: string;
  /** esbuild options with entry points relative to the project, and no output location. */
  readonly options: BuildOptions;
}
