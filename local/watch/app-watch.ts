// `npm start -- --app DIR --watch`: keeps another CDK app's API current. Its Lambdas are its own (staged by its
// synth as they are, or bundled by it), so every saved change under DIR re-synthesizes the app, and the API is
// swapped once the synth succeeds; when it fails, the last good API keeps serving. Whether the change matters
// is the synth's inputs hash to decide (local/template/synth.ts), so a batch that changes none of them costs
// a hash, not a synth. One batch at a time; one line per reload, with its time.
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import type { LocalApi } from '../server';
import type { SynthResult } from '../template/synth';
import { changeBatches } from './change-batches';
import type { Watcher } from './watch';

export interface AppWatchOptions {
  /** The app's folder (holding cdk.json). */
  readonly appDir: string;
  /** The assembly the API serves, which `synth` rewrites; ignored when it lies under appDir. */
  readonly assemblyDir: string;
  readonly api: Pick<LocalApi, 'reload'>;
  /** Re-synthesizes into assemblyDir (rejects when the synth fails); `signal` stops it when the watcher closes. */
  readonly synth: (signal: AbortSignal) => Promise<SynthResult>;
  /** One line per reload or failure (a failure's line is followed by its message); nothing once closing. */
  readonly log: (line: string) => void;
  /** Quiet time after the last file event before a batch runs, in ms. @default 100 */
  readonly debounceMs?: number;
}

/** Folders never watched: what the app installed and produced, and dot-folders (.git, .local…). */
const SKIPPED_DIR = (name: string) => name === 'node_modules' || name === 'cdk.out' || name.startsWith('.');
/** Editors' swap, backup and lock files. */
const SCRATCH_FILE = /^[.#]|~$|\.(swp|swx|tmp)$|^4913$/;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function startAppWatch(options: AppWatchOptions): Watcher {
  const { appDir } = options;
  // Closing aborts a synth under way; its failure is not news.
  const closing = new AbortController();
  const log = (line: string): void => {
    if (!closing.signal.aborted) options.log(line);
  };
  const assemblyDir = path.resolve(options.assemblyDir);
  const debounceMs = options.debounceMs ?? 100;
  const batches = changeBatches(debounceMs, async ({ what, startedAt: started }) => {
    let result: SynthResult;
    try {
      result = await options.synth(closing.signal);
    } catch (e) {
      log(`re-synth failed after ${seconds(performance.now() - started)} (${what}); still serving the last good API:\n${(e as Error).message}`);
      return;
    }
    if (result.skipped) {
      log(`${what}: the synth inputs are unchanged, nothing to reload`);
      return;
    }
    try {
      await options.api.reload(options.assemblyDir);
    } catch (e) {
      log(`re-synthesized, but the new assembly cannot be served (${what}); still serving the last good API:\n${(e as Error).message}`);
      return;
    }
    log(`re-synthesized and reloaded in ${seconds(performance.now() - started)} (${what})`);
  });
  const onEvent = (file: string) => {
    if (!SCRATCH_FILE.test(path.basename(file))) batches.add(path.relative(appDir, file));
  };

  // One non-recursive watcher per folder (see tree-watcher.ts for why), skipped folders left out, so a
  // node_modules anywhere in the app costs no watcher.
  const watchers = new Map<string, FSWatcher>();
  const add = (dir: string) => {
    if (watchers.has(dir) || dir === assemblyDir || !existsSync(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, raw) => {
        if (!raw) return;
        const name = raw.toString();
        const full = path.join(dir, name);
        if (full === assemblyDir || full.startsWith(`${assemblyDir}${path.sep}`)) return;
        if (safeList(full) !== undefined) {
          // A folder made or moved in: watched from now on, and a synth considered for what it brought.
          if (SKIPPED_DIR(name)) return;
          add(full);
        } else if (!existsSync(full)) {
          // A file or folder removed (a skipped folder never was watched, nor counted).
          if (SKIPPED_DIR(name)) return;
          drop(full);
        }
        onEvent(full);
      });
    } catch {
      return; // Removed between the listing and the watch: its parent reports it.
    }
    watcher.on('error', () => drop(dir));
    watchers.set(dir, watcher);
    for (const entry of safeList(dir) ?? []) if (entry.isDirectory() && !SKIPPED_DIR(entry.name)) add(path.join(dir, entry.name));
  };
  const drop = (dir: string) => {
    for (const [d, w] of watchers) {
      if (d === dir || d.startsWith(`${dir}${path.sep}`)) {
        w.close();
        watchers.delete(d);
      }
    }
  };
  add(appDir);

  return {
    idle: () => batches.idle(),
    async close() {
      closing.abort();
      for (const w of watchers.values()) w.close();
      watchers.clear();
      await batches.close();
    },
  };
}

/** The entries of `dir`, or undefined when it is no folder (a file, or gone). */
function safeList(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
}
