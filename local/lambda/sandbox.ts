// One warm copy of a Lambda function: a Node process (the version its runtime declares, see node-runtime.ts)
// running worker.cjs with the function's own environment. It serves one invocation at a time, like a Lambda
// execution environment, and is killed when it times out, crashes or fails its init, so the next invocation
// starts cold in a fresh one.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
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
  /** The Node executable that runs the function (node-runtime.ts chooses it from the function's runtime). */
  readonly execPath: string;
}

const WORKER_FILE = path.join(__dirname, 'worker.cjs');
/**
 * What Lambda's Node.js runtime provides on its NODE_PATH: the AWS SDK (`@aws-sdk/*`, left out of every bundle),
 * and nothing else, so a bundle that misses another package fails here as it would on Lambda. A link to this
 * project's copy; absent when the project has none installed.
 */
const RUNTIME_MODULES = path.join(__dirname, 'runtime-modules');
const NODE_PATH: Record<string, string> = existsSync(path.join(RUNTIME_MODULES, '@aws-sdk')) ? { NODE_PATH: RUNTIME_MODULES } : {};

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
    ...NODE_PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  };
}

export class LambdaSandbox {
  /** False once the sandbox must not be reused. */
  alive = true;
  invocations = 0;
  private readonly child: ChildProcess;
  private readonly logStream = `local/[$LATEST]${randomUUID().replace(/-/g, '')}`;
  private pending: ((result: SandboxResult) => void) | undefined;
  private nextId = 0;

  constructor(
    private readonly fn: FunctionModel,
    private readonly options: SandboxOptions,
  ) {
    this.child = fork(WORKER_FILE, [JSON.stringify({ assetDir: fn.assetDir, handler: fn.handler })], {
      execPath: options.execPath,
      // Not this process's flags (jest's or tsx's loaders): only the function's own NODE_OPTIONS apply, as on Lambda.
      execArgv: [],
      env: environment(fn, options, this.logStream),
      cwd: fn.assetDir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', options.onLog);
    }
    this.child.on('message', (msg: { type: string; ok?: boolean; payload?: string; error?: LambdaError; stdout?: string }) => {
      if (msg.type === 'init-error') this.alive = false;
      if (msg.type !== 'result') return;
      const stdout = msg.stdout ?? '';
      this.settle(msg.ok ? { ok: true, payload: JSON.parse(msg.payload!), stdout } : { ok: false, error: msg.error!, stdout });
    });
    this.child.on('error', (e) => this.die({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${e.message}` }));
    this.child.on('exit', (code, signal) =>
      this.die({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` }),
    );
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
      const message = {
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
      };
      // A process that died since it was picked cannot take the message: the invocation fails as a crash.
      this.child.send(message, (e) => {
        if (e) this.die({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${e.message}` });
      });
    });
  }

  async close(): Promise<void> {
    this.alive = false;
    // Gone already, or never started (an executable that cannot run emits 'error', maybe no 'exit').
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  private settle(result: SandboxResult): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.(result);
  }

  private die(error: LambdaError): void {
    if (this.alive) {
      this.alive = false;
      this.child.kill('SIGKILL');
    }
    this.settle({ ok: false, error });
  }
}
