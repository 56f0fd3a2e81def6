// Invokes one Lambda function from its bundled asset in cdk.out, keeping warm sandboxes (Node processes)
// between requests as Lambda keeps execution environments. Concurrent invocations get their own sandbox,
// up to maxConcurrency; beyond that they wait for one to be free.
import type { FunctionModel } from '../template/api-model';
import { LambdaSandbox, type LambdaError, type SandboxOptions } from './sandbox';

export type Invocation = (
  | { readonly ok: true; readonly payload: unknown; readonly ms: number; readonly coldStart: boolean }
  | { readonly ok: false; readonly error: LambdaError; readonly ms: number; readonly coldStart: boolean }
) & {
  /** What the function wrote to stdout during this invocation. */
  readonly stdout: string;
};

export interface LambdaRunnerOptions extends Omit<SandboxOptions, 'onLog'> {
  /** Warm copies kept at most; Lambda would scale further. @default 8 */
  readonly maxConcurrency?: number;
  /** Receives every line the function writes to stdout or stderr. */
  readonly onLog?: (fn: FunctionModel, line: string) => void;
  /** Milliseconds, for measuring invocations. @default performance.now */
  readonly now?: () => number;
}

export class LambdaRunner {
  private readonly idle: LambdaSandbox[] = [];
  private readonly all = new Set<LambdaSandbox>();
  private readonly waiting: ((s: LambdaSandbox) => void)[] = [];
  private readonly maxConcurrency: number;
  private readonly now: () => number;
  private closed = false;

  constructor(
    readonly fn: FunctionModel,
    private readonly options: LambdaRunnerOptions,
  ) {
    this.maxConcurrency = options.maxConcurrency ?? 8;
    this.now = options.now ?? (() => performance.now());
  }

  async invoke(event: unknown, requestId: string): Promise<Invocation> {
    const started = this.now();
    const sandbox = await this.acquire();
    const coldStart = sandbox.invocations === 0;
    try {
      const result = await sandbox.invoke(event, requestId);
      const ms = Math.round(this.now() - started);
      const stdout = result.stdout ?? '';
      return result.ok ? { ok: true, payload: result.payload, ms, coldStart, stdout } : { ok: false, error: result.error, ms, coldStart, stdout };
    } finally {
      this.release(sandbox);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const sandboxes = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(sandboxes.map((s) => s.close()));
  }

  private acquire(): Promise<LambdaSandbox> {
    if (this.closed) return Promise.reject(new Error(`${this.fn.displayName}: the runner is closed`));
    // A sandbox can die while idle (a crash after it answered): skip it, as Lambda would.
    let warm = this.idle.pop();
    while (warm && !warm.alive) {
      this.all.delete(warm);
      warm = this.idle.pop();
    }
    if (warm) return Promise.resolve(warm);
    if (this.all.size < this.maxConcurrency) {
      const onLog = this.options.onLog ?? (() => undefined);
      const sandbox = new LambdaSandbox(this.fn, { ...this.options, onLog: (line) => onLog(this.fn, line) });
      this.all.add(sandbox);
      return Promise.resolve(sandbox);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(sandbox: LambdaSandbox): void {
    if (!sandbox.alive || this.closed) {
      this.all.delete(sandbox);
      void sandbox.close();
      // A waiter takes the freed slot with a fresh sandbox.
      const next = this.waiting.shift();
      if (next && !this.closed) void this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(sandbox);
    else this.idle.push(sandbox);
  }
}
