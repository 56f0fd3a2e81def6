// How every function is bundled: one set of esbuild options, run in-process by the stack's local bundler
// (no esbuild subprocess, no Docker) and reused by `npm start --watch` for its incremental rebuilds, so a
// hot-reloaded Lambda is built exactly as the synthesized one was.
import * as path from 'node:path';
import { AssetHashType, DockerImage, type BundlingOptions } from 'aws-cdk-lib';
import { buildSync, type BuildOptions } from 'esbuild';

/** What decides a function's bundle. */
export interface BundleSpec {
  /** TypeScript entry file exporting `handler`. */
  readonly entry: string;
  /** Keep function and class names through minification. */
  readonly keepNames: boolean;
}

/** The bundle's file name, so the handler is `index.handler`. */
export const BUNDLE_FILE = 'index.js';

/** esbuild options for `spec`, writing BUNDLE_FILE and its source map into `outdir`. JSON-serializable. */
export function esbuildOptions(spec: BundleSpec, outdir: string): BuildOptions {
  return {
    entryPoints: [spec.entry],
    outfile: path.join(outdir, BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    // CommonJS on purpose: esbuild turns ESM-only jose into plain require-able code, the bundle needs no
    // createRequire banner for node: built-ins, and the output is a plain index.js that tests can require.
    format: 'cjs',
    target: 'node24',
    minify: true,
    keepNames: spec.keepNames,
    sourcemap: true,
    // Stack traces need only the mappings; leaving the sources out keeps the asset small.
    sourcesContent: false,
    // What Lambda's Node.js runtime provides, as NodejsFunction leaves it out.
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  };
}

/**
 * Asset options that bundle `spec` with esbuild's JS API in this process. The asset hash is the output's,
 * so an edit that changes nothing in the bundle changes nothing in the template.
 */
export function bundledAsset(spec: BundleSpec): { readonly path: string; readonly options: { assetHashType: AssetHashType; bundling: BundlingOptions } } {
  return {
    path: path.dirname(spec.entry),
    options: {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never pulled: the local bundler below always bundles or throws. CDK requires an image regardless.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
        local: {
          tryBundle(outputDir: string): boolean {
            const result = buildSync(esbuildOptions(spec, outputDir));
            if (result.errors.length > 0) throw new Error(`esbuild failed for ${spec.entry}: ${result.errors.map((e) => e.text).join('; ')}`);
            return true;
          },
        },
      },
    },
  };
}
