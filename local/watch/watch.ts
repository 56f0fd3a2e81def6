// `npm start --watch`: watches lambda/ and infra/ (node:fs watchers, no dependency) and keeps the
// served API current. A change to a Lambda's source rebuilds just the bundles that read the file
// (hot-bundles.ts) and swaps those functions in; a change to infra/ or the CDK configuration re-synthesizes
// and swaps the whole API when the synth succeeds, and keeps serving the last good one when it fails. After a
// failed synth every change is a synth, until one succeeds: what fixes it may be a Lambda's file (a route's
// new handler). Changes are handled one batch at a time; one line is logged per reload, with its time.
import { watch } from 'node:fs';
import * as path from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import type { LocalApi } from '../server';
import type { SynthResult } from '../template/synth';
import { buildErrorText, hotBundles, type HotBundles } from './hot-bundles';
import { watchTree } from './tree-watcher';
import { changeBatches } from './change-batches';

export interface WatchOptions {
  readonly projectDir: string;
  /** The assembly the API serves, which `synth` rewrites. */
  readonly assemblyDir: string;
  readonly api: LocalApi;
  /** Re-synthesizes into assemblyDir (rejects when the synth fails); `signal` stops it when the watcher closes. */
  readonly synth: (signal: AbortSignal) => Promise<SynthResult>;
  /** One line per reload or failure (a failure's line is followed by its message); nothing once closing. */
  readonly log: (line: string) => void;
  /** Quiet time after the last file event before a batch runs, in ms. @default 30 */
  readonly debounceMs?: number;
}

export interface Watcher {
  /** Resolves when no change is waiting or being handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Top-level files whose change means a new synth, beside everything under infra/. */
const SYNTH_FILES = new Set(['cdk.json', 'tsconfig.json', 'package-lock.json']);
const SOURCE = /\.(ts|js|mjs|cjs|json)$/;

export type ChangeKind = 'code' | 'synth' | 'ignored';

/** What a change to `file` (relative to the project) calls for. */
export function classifyChange(file: string): ChangeKind {
  const parts = file.split(/[\\/]/);
  if (parts.length === 1) return SYNTH_FILES.has(file) ? 'synth' : 'ignored';
  if (!SOURCE.test(file)) return 'ignored';
  if (parts[0] === 'infra') return 'synth';
  if (parts[0] === 'lambda') return 'code';
  return 'ignored';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function startWatch(options: WatchOptions): Promise<Watcher> {
  const { projectDir, assemblyDir, api } = options;
  const debounceMs = options.debounceMs ?? 30;
  // Closing aborts a synth under way; what fails because of it (the synth, a rebuild) is not news.
  const closing = new AbortController();
  const log = (line: string): void => {
    if (!closing.signal.aborted) options.log(line);
  };
  let synthFailed = false;
  let bundles: HotBundles | undefined = await loadBundles();
  async function loadBundles(): Promise<HotBundles | undefined> {
    try {
      return await hotBundles({ projectDir, assemblyDir, model: api.model });
    } catch (e) {
      log(`watch: Lambda changes will re-synthesize: ${(e as Error).message}`);
      return undefined;
    }
  }

  const batches = changeBatches(debounceMs, async ({ files, what, startedAt }) => {
    const absolute = new Set(files.map((f) => path.join(projectDir, f)));
    const synth = synthFailed || !bundles || files.some((f) => classifyChange(f) === 'synth');
    if (synth) await resynth(what, startedAt);
    else await reloadCode(absolute, what, startedAt);
  });
  const onEvent = (file: string) => {
    if (classifyChange(file) !== 'ignored') batches.add(file);
  };

  async function resynth(what: string, started: number): Promise<void> {
    let result: SynthResult;
    try {
      result = await options.synth(closing.signal);
    } catch (e) {
      synthFailed = true;
      log(`re-synth failed after ${seconds(performance.now() - started)} (${what}); still serving the last good API:\n${(e as Error).message}`);
      return;
    }
    synthFailed = false;
    if (result.skipped) return log(`${what}: the synth inputs are unchanged, nothing to reload`);
    try {
      await api.reload(assemblyDir);
    } catch (e) {
      log(`re-synthesized, but the new assembly cannot be served (${what}); still serving the last good API:\n${(e as Error).message}`);
      return;
    }
    await bundles?.dispose();
    bundles = await loadBundles();
    log(`re-synthesized and reloaded in ${seconds(performance.now() - started)} (${what})`);
  }

  async function reloadCode(files: ReadonlySet<string>, what: string, started: number): Promise<void> {
    let changed: Map<string, string>;
    try {
      changed = await bundles!.rebuild(files);
    } catch (e) {
      log(`rebuild failed (${what}); still serving the last good code:\n${buildErrorText(e)}`);
      return;
    }
    if (changed.size === 0) return log(`${what}: no function's bundle changed, nothing to reload`);
    await api.reloadFunctions(changed);
    const names = [...changed.keys()].map((id) => api.model.functions.get(id)?.displayName ?? id).join(', ');
    log(`reloaded ${names} in ${seconds(performance.now() - started)} (${what})`);
  }

  // The project folder itself for cdk.json and its peers; its subfolders other than these two are not watched.
  const tree = watchTree(projectDir, ['lambda', 'infra'], onEvent);
  const topWatcher = watch(projectDir, (_event, name) => name && onEvent(name.toString()));

  return {
    idle: () => batches.idle(),
    async close() {
      closing.abort();
      tree.close();
      topWatcher.close();
      await batches.close();
      // Not each context's dispose(): on Ctrl-C the terminal signalled esbuild's service too, and asking a
      // service that is going away can crash esbuild's client (`TypeError: callback is not a function`).
      if (bundles) await stopEsbuild();
    },
  };
}
