// The directory watchers under `npm start --watch`: real file events, so each check polls within a generous bound.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { watchTree, type TreeWatcher } from '../../../local/watch/tree-watcher';
import { tempDir } from '../support/temp-dir';

const BOUND_MS = 10_000;

let temp: ReturnType<typeof tempDir>;
let tree: TreeWatcher;
const reported = new Set<string>();

beforeEach(() => {
  temp = tempDir('tree-watcher');
  mkdirSync(path.join(temp.path, 'lambda', 'profile'), { recursive: true });
  reported.clear();
  tree = watchTree(temp.path, ['lambda'], (file) => reported.add(file));
});

afterEach(() => {
  tree.close();
  temp.remove();
});

async function untilReported(file: string): Promise<void> {
  const started = performance.now();
  while (!reported.has(file)) {
    if (performance.now() - started > BOUND_MS) throw new Error(`${file} was never reported; reported: ${[...reported].join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a file saved in a watched folder is reported', async () => {
  writeFileSync(path.join(temp.path, 'lambda', 'profile', 'profile.ts'), 'x');
  await untilReported(path.join('lambda', 'profile', 'profile.ts'));
});

test('files written into a new folder before its watcher exists are reported, nested ones too', async () => {
  // In one go, as `mkdir -p lambda/orders && cat > lambda/orders/index.ts` does: no event loop turn between them.
  mkdirSync(path.join(temp.path, 'lambda', 'orders', 'lib'), { recursive: true });
  writeFileSync(path.join(temp.path, 'lambda', 'orders', 'index.ts'), 'x');
  writeFileSync(path.join(temp.path, 'lambda', 'orders', 'lib', 'total.ts'), 'x');
  await untilReported(path.join('lambda', 'orders', 'index.ts'));
  await untilReported(path.join('lambda', 'orders', 'lib', 'total.ts'));
  // And the new folder is watched from then on.
  writeFileSync(path.join(temp.path, 'lambda', 'orders', 'later.ts'), 'x');
  await untilReported(path.join('lambda', 'orders', 'later.ts'));
});
