// Reports changes to files under a few directories: one non-recursive node:fs watcher per directory.
// Not `fs.watch(dir, { recursive: true })`: on Linux, Node 20 implements that with a watcher per file and
// loses a file that an editor saves atomically (write a temporary file, rename it over the original), so
// the second save went unseen. A directory's watcher sees every rename into it.
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

export interface TreeWatcher {
  close(): void;
}

/**
 * Calls `onChange` with the path (relative to `root`) of every file created, changed, renamed or removed under
 * `dirs`. A folder made or moved in is watched from then on, and the files already in it are reported: an editor
 * or `mkdir -p x && cat > x/index.ts` writes them before its watcher can exist.
 */
export function watchTree(root: string, dirs: readonly string[], onChange: (file: string) => void): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  const add = (dir: string, isNew = false) => {
    if (watchers.has(dir) || !existsSync(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (!name) return;
        const full = path.join(dir, name.toString());
        if (isDirectory(full)) add(full, true);
        else if (!existsSync(full) && watchers.has(full)) drop(full);
        onChange(path.relative(root, full));
      });
    } catch {
      return; // Removed between the listing and the watch: its parent reports it.
    }
    watcher.on('error', () => drop(dir));
    watchers.set(dir, watcher);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) add(full, isNew);
      else if (isNew) onChange(path.relative(root, full));
    }
  };
  const drop = (dir: string) => {
    for (const [d, w] of watchers) {
      if (d === dir || d.startsWith(`${dir}${path.sep}`)) {
        w.close();
        watchers.delete(d);
      }
    }
  };
  for (const dir of dirs) add(path.join(root, dir));
  return {
    close() {
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
