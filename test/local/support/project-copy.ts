// A throwaway copy of the project (its sources and CDK configuration, node_modules linked) for tests that
// edit files, run `npm start` with its own .local/, or both, without touching the checkout.
import { cpSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './temp-dir';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const COPIED = ['infra', 'lambda', 'local', 'scripts', 'cdk.json', 'tsconfig.json', 'package.json', 'package-lock.json'];

export interface ProjectCopy {
  readonly dir: string;
  /**
   * Replaces `search` in a file of the copy (relative path); throws when it is not there. `atomic` saves
   * as many editors do: a new file renamed over the old one.
   */
  edit(file: string, search: string, replacement: string, options?: { atomic?: boolean }): void;
  remove(): void;
}

export function projectCopy(): ProjectCopy {
  const temp = tempDir('project-copy');
  for (const entry of COPIED) cpSync(path.join(ROOT, entry), path.join(temp.path, entry), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(temp.path, 'node_modules'), 'dir');
  return {
    dir: temp.path,
    edit(file, search, replacement, options = {}) {
      const full = path.join(temp.path, file);
      const text = readFileSync(full, 'utf8');
      if (!text.includes(search)) throw new Error(`${file} does not contain ${JSON.stringify(search)}`);
      const target = options.atomic ? `${full}.saving` : full;
      writeFileSync(target, text.replace(search, replacement));
      if (options.atomic) renameSync(target, full);
    },
    remove: temp.remove,
  };
}
