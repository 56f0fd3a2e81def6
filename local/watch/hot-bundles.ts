// Rebuilds a served assembly's functions from their sources without a synth: one esbuild incremental
// context per function, with the very options the synth bundled it with (cdk.out/local-bundles.json,
// written by infra/bundle-index.ts). Only functions whose inputs include a changed file are rebuilt, and
// only those whose output differs are swapped in. Each new bundle goes to a fresh directory, so sandboxes
// still running the old code keep reading the old files.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { context, type BuildContext, type BuildFailure, type BuildOptions, type OutputFile } from 'esbuild';
import { BUNDLE_INDEX_FILE, type BundleIndexEntry } from './bundle-index-format';
import type { ApiModel } from '../template/api-model';
import { LocalError } from '../errors';

export interface HotBundles {
  /** Logical ids of the functions it can rebuild. */
  readonly functions: readonly string[];
  /** True when some function's bundle reads `file` (absolute). */
  covers(file: string): boolean;
  /**
   * Rebuilds the functions that read any of `files` (absolute paths) and returns logical id → directory of
   * the new bundle, for those whose output changed. A build error rejects with esbuild's messages.
   */
  rebuild(files: ReadonlySet<string>): Promise<Map<string, string>>;
  dispose(): Promise<void>;
}

interface Bundle {
  readonly logicalId: string;
  readonly context: BuildContext<BuildOptions & { write: false; metafile: true }>;
  inputs: ReadonlySet<string>;
  hash: string;
  builds: number;
}

const hashOf = (files: readonly OutputFile[]) => createHash('sha256').update(files.map((f) => f.text).join('\0')).digest('hex');

/** esbuild's errors as `file:line:column: text`, one a line. */
export function buildErrorText(e: unknown): string {
  const errors = (e as Partial<BuildFailure>).errors;
  if (!Array.isArray(errors)) return (e as Error).message;
  return errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text)).join('\n');
}

export async function hotBundles(options: { projectDir: string; assemblyDir: string; model: ApiModel }): Promise<HotBundles> {
  const indexFile = path.join(options.assemblyDir, BUNDLE_INDEX_FILE);
  const entries: BundleIndexEntry[] = existsSync(indexFile) ? JSON.parse(readFileSync(indexFile, 'utf8')) : [];
  const outRoot = path.join(options.assemblyDir, 'local-hot');
  rmSync(outRoot, { recursive: true, force: true });
  const bundles: Bundle[] = [];
  const inputsOf = (metafile: { inputs: Record<string, unknown> }) => new Set(Object.keys(metafile.inputs).map((f) => path.resolve(options.projectDir, f)));
  try {
    for (const entry of entries.filter((e) => options.model.functions.has(e.logicalId))) {
      const ctx = await context({
        ...entry.options,
        entryPoints: (entry.options.entryPoints as string[]).map((e) => path.resolve(options.projectDir, e)),
        absWorkingDir: options.projectDir,
        outfile: path.join(outRoot, entry.logicalId, 'index.js'),
        write: false,
        metafile: true,
      });
      bundles.push({ logicalId: entry.logicalId, context: ctx, inputs: new Set(), hash: '', builds: 0 });
    }
    // The first build warms each context and is the baseline: the synth built the same sources.
    await Promise.all(
      bundles.map(async (b) => {
        const result = await b.context.rebuild();
        b.inputs = inputsOf(result.metafile);
        b.hash = hashOf(result.outputFiles);
      }),
    );
  } catch (e) {
    await Promise.all(bundles.map((b) => b.context.dispose()));
    throw new LocalError('SYNTH_FAILED', `could not bundle the functions for --watch:\n${buildErrorText(e)}`, { cause: e });
  }

  return {
    functions: bundles.map((b) => b.logicalId),
    covers: (file) => bundles.some((b) => b.inputs.has(file)),
    async rebuild(files) {
      const changed = new Map<string, string>();
      const affected = bundles.filter((b) => [...files].some((f) => b.inputs.has(f)));
      const results = await Promise.all(affected.map(async (b) => ({ b, result: await b.context.rebuild() })));
      for (const { b, result } of results) {
        b.inputs = inputsOf(result.metafile);
        const hash = hashOf(result.outputFiles);
        if (hash === b.hash) continue;
        b.hash = hash;
        const dir = path.join(outRoot, `${b.logicalId}.${++b.builds}`);
        mkdirSync(dir, { recursive: true });
        for (const file of result.outputFiles) writeFileSync(path.join(dir, path.basename(file.path)), file.contents);
        // What the synth staged beside the bundle (the authorizer's oidc-settings.json) goes along with the new code.
        const assetDir = options.model.functions.get(b.logicalId)!.assetDir;
        for (const name of readdirSync(assetDir)) if (!existsSync(path.join(dir, name))) copyFileSync(path.join(assetDir, name), path.join(dir, name));
        changed.set(b.logicalId, dir);
      }
      return changed;
    },
    async dispose() {
      await Promise.all(bundles.map((b) => b.context.dispose()));
    },
  };
}
