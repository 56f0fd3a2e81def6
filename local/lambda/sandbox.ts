// One warm copy of a Lambda function: a worker thread running worker.cjs with the function's own
// environment. It serves one invocation at a time, like a Lambda execution environment, and is thrown
// away when it times out, crashes or fails its init, so the next invocation starts cold in a fresh one.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { FunctionModel } from '../template/api-model';

export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
}

export type SandboxResult = ({ readonly ok: true; readonly payload: unknown } | { readonly ok: false; readonly error: LambdaError }) & {
  /** What the function wrote to stdout during this invocation. @default '' */
  readonly stdout?: string;
};

export interface SandboxOptions {
  readonly region: string;
  readonly accountId: string;
  /** Added to (and overriding) the function's environment, like SAM's --env-vars. */
  readonly envOverrides?: Readonly<Record<string, string>>;
  readonly onLog: (line: string) => void;
}

const WORKER_FILE = path.join(__dirname, 'worker.cjs');

/** The variables Lambda sets in every Node.js execution environment, after the function's own. */
function environment(fn: FunctionModel, options: SandboxOptions, logStream: string): Record<string, string> {
  return {
    ...fn.environment,
    ...options.envOverrides,
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: fn.assetDir,
    _HANDLER: fn.handler,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  };
}

export class LambdaSandbox {
  /** False once the sandbox must not be reused. */
  alive = true;
  invocations = 0;
  private readonly worker: Worker;
  private readonly logStream = `local/[$LATEST]${randomUUID().replace(/-/g, '')}`;
  private pending: ((result: SandboxResult) => void) | undefined;
  private nextId = 0;

  constructor(
    private readonly fn: FunctionModel,
    private readonly options: SandboxOptions,
  ) {
    const sourceMaps = /--enable-source-maps\b/.test(fn.environment.NODE_OPTIONS ?? '');
    this.worker = new Worker(WORKER_FILE, {
      workerData: { assetDir: fn.assetDir, handler: fn.handler, sourceMaps },
      env: environment(fn, options, this.logStream),
      stdout: true,
      stderr: true,
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', options.onLog);
    }
    this.worker.on('message', (msg: { type: string; ok?: boolean; payload?: string; error?: LambdaError; stdout?: string }) => {
      if (msg.type === 'init-error') this.alive = false;
      if (msg.type !== 'result') return;
      const stdout = msg.stdout ?? '';
      this.settle(msg.ok ? { ok: true, payload: JSON.parse(msg.payload!), stdout } : { ok: false, error: msg.error!, stdout });
    });
    this.worker.on('error', (e) => this.die({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${e.message}` }));
    this.worker.on('exit', (code) => this.die({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: exit status ${code}` }));
  }

  /** Runs one invocation; a timeout ends this sandbox, as Lambda ends the environment. */
  invoke(event: unknown, requestId: string): Promise<SandboxResult> {
    this.invocations++;
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.die({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds` });
      }, timeoutMs);
      this.pending = (result) => {
        clearTimeout(timer);
        resolve(result);
      };
      this.worker.postMessage({
        type: 'invoke',
        id: this.nextId++,
        event: JSON.stringify(event),
        context: {
          awsRequestId: requestId,
          functionName: this.fn.functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${this.fn.functionName}`,
          memoryLimitInMB: String(this.fn.memoryMb),
          logGroupName: `/aws/lambda/${this.fn.functionName}`,
          logStreamName: this.logStream,
          deadlineMs: Date.now() + timeoutMs,
        },
      });
    });
  }

  async close(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }

  private settle(result: SandboxResult): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(result);
  }

  private die(error: LambdaError): void {
    if (this.alive) {
      this.alive = false;
      void this.worker.terminate();
    }
    this.settle({ ok: false, error });
  }
}
