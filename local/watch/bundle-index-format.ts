// The format of cdk.out/local-bundles.json, which infra/bundle-index.ts writes and `npm start --watch`
// reads (without loading the CDK) to rebuild a changed function as the synth bundled it.
import type { BuildOptions } from 'esbuild';

export const BUNDLE_INDEX_FILE = 'local-bundles.json';

export interface BundleIndexEntry {
  /** The stack's template file in the assembly. */
  readonly templateFile: string;
  readonly logicalId: string;
  /** esbuild options with entry points relative to the project, and no output location. */
  readonly options: BuildOptions;
}
