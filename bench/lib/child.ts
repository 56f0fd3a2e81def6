// Runs one measuring child process: plain `node` on an esbuild bundle, stdout to /dev/null (where our
// handler's default logger writes, as on Lambda), the result as one JSON document on fd 3.
import { spawn, type ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let stopped = false;

export interface ChildOptions {
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** Killed after this long. @default 300000 (ms) */
  readonly timeoutMs?: number;
}

export function runChild<T>(script: string, args: readonly string[], options: ChildOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    if (stopped) return reject(new Error('bench stopped'));
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let out = '';
    let err = '';
    child.stdio[3]!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0 && out) {
        try {
          return resolve(JSON.parse(out) as T);
        } catch {
          /* fall through */
        }
      }
      reject(new Error(`${script} ${args.join(' ')} ended with ${signal ?? code}: ${err.trim().slice(-2000)}`));
    });
  });
}

/** Kills any child still running and starts no more (on an error or Ctrl-C), so the bench leaves the machine quiet. */
export function killChildren(): void {
  stopped = true;
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
