// `npm start -- --app DIR --watch` with the synth and the API stubbed: which saved files ask for a re-synth, and
// what is logged and reloaded for each outcome. Real file events, so each check polls within a generous bound.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SynthResult } from '../../../local/template/synth';
import { startAppWatch } from '../../../local/watch/app-watch';
import type { Watcher } from '../../../local/watch/watch';
import { tempDir } from '../support/temp-dir';

const BOUND_MS = 10_000;
/** Long enough for a file event to arrive and its debounce to pass, had it counted. */
const SETTLE_MS = 400;

let temp: ReturnType<typeof tempDir>;
let watcher: Watcher;
let next: (signal: AbortSignal) => Promise<SynthResult>;
const synths: number[] = [];
const reloads: string[] = [];
const lines: string[] = [];

const write = (file: string, text = String(Date.now())) => {
  mkdirSync(path.dirname(path.join(temp.path, file)), { recursive: true });
  writeFileSync(path.join(temp.path, file), text);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilLogged(count: number): Promise<string> {
  const started = performance.now();
  while (lines.length < count) {
    if (performance.now() - started > BOUND_MS) throw new Error(`waited for log line ${count}; got:\n${lines.join('\n')}`);
    await sleep(20);
  }
  await watcher.idle();
  return lines[count - 1]!;
}

beforeEach(() => {
  temp = tempDir('app-watch');
  for (const file of ['cdk.json', 'app.js', 'handlers/orders.js', 'node_modules/dep/index.js', 'cdk.out/manifest.json', '.git/HEAD']) write(file, '');
  synths.length = 0;
  reloads.length = 0;
  lines.length = 0;
  next = async () => ({ skipped: false, ms: 1 });
  watcher = startAppWatch({
    appDir: temp.path,
    assemblyDir: path.join(temp.path, 'local.out'),
    api: { reload: async (dir) => void reloads.push(dir) },
    synth: (signal) => {
      synths.push(Date.now());
      return next(signal);
    },
    log: (line) => lines.push(line),
    debounceMs: 20,
  });
});

afterEach(async () => {
  await watcher.close();
  temp.remove();
});

test('a saved file anywhere in the app, or a new folder of them, re-synthesizes and reloads', async () => {
  write('handlers/orders.js');
  expect(await untilLogged(1)).toMatch(/^re-synthesized and reloaded in \d+\.\d\d s \(handlers\/orders\.js\)$/);
  expect(reloads).toEqual([path.join(temp.path, 'local.out')]);

  // The new folders are reported (in one batch or more), and watched from then on.
  write('lib/deep/stack.js');
  await untilLogged(2);
  await sleep(SETTLE_MS);
  await watcher.idle();
  lines.length = 0;
  write('lib/deep/stack.js', 'again');
  expect(await untilLogged(1)).toMatch(/\(lib\/deep\/stack\.js\)$/);
});

test('node_modules, cdk.out, dot-folders, the assembly and editors’ scratch files are not watched', async () => {
  for (const file of ['node_modules/dep/index.js', 'cdk.out/manifest.json', '.git/HEAD', 'local.out/manifest.json', '.app.js.swp', 'app.js~', 'handlers/4913']) write(file);
  await sleep(SETTLE_MS);
  await watcher.idle();
  expect(lines).toEqual([]);
  expect(synths).toEqual([]);
});

test('a failed synth keeps the last good API, and an unchanged one reloads nothing', async () => {
  next = async () => {
    throw new Error('cdk synth exited with 1:\nTypeError: oops');
  };
  write('app.js');
  expect(await untilLogged(1)).toMatch(/^re-synth failed after \d+\.\d\d s \(app\.js\); still serving the last good API:\ncdk synth exited with 1:\nTypeError: oops$/);
  next = async () => ({ skipped: true, ms: 1 });
  write('app.js');
  expect(await untilLogged(2)).toBe('app.js: the synth inputs are unchanged, nothing to reload');
  expect(reloads).toEqual([]);
});

test('closing stops a synth under way, and says nothing of it', async () => {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  next = (signal) =>
    new Promise((_resolve, reject) => {
      started();
      signal.addEventListener('abort', () => reject(new Error('cdk synth was stopped')));
    });
  write('app.js');
  await running;
  await watcher.close();
  expect(lines).toEqual([]);
});
