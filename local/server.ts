// The local API: reads the REST API from a cloud assembly, starts one LambdaRunner per function and
// serves the API over HTTP, logging one line per request. Used by `npm start` and, in-process, by tests.
// `reload` swaps in a new assembly (or new code for some functions) without dropping a request.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ApiModel, FunctionModel } from './template/api-model';
import type { LocalDynamo } from './dynamo';
import { summarizeEmf } from './emf';
import { toApiRequest } from './gateway/api-request';
import type { AuthorizerCache } from './gateway/authorizer/cache';
import { readCloudAssembly } from './template/cloud-assembly';
import { MAX_PAYLOAD_BYTES } from './gateway/gateway';
import { type Generation, nextGeneration } from './generation';
import type { HttpAnswer } from './gateway/http-answer';
import { lambdaNode, type LambdaNode } from './lambda/node-runtime';
import { LambdaRunner } from './lambda/runner';
import { closeServer, listen } from './listen';
import { requestLogLine } from './gateway/request-log';
import { readApi, type ReadApiOptions } from './template/reader';

export interface LocalApiOptions extends ReadApiOptions {
  /** The cloud assembly (cdk.out) to serve. */
  readonly assemblyDir: string;
  /** 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Milliseconds since the epoch, for the authorizer cache's TTL. @default Date.now */
  readonly now?: () => number;
  /** Receives the per-request log line. @default a line on stdout */
  readonly logRequest?: (line: string) => void;
  /** Receives each line a function writes, but its metrics (EMF). @default `[name] line` on stderr */
  readonly logLambda?: (functionName: string, line: string) => void;
  /** Receives each EMF line a function writes, summed up (`metrics: Deny{reason=EXPIRED}=1 …`). @default dropped */
  readonly logMetrics?: (functionName: string, summary: string) => void;
  /** Extra environment per function, by logical id or display name (a local-only override). */
  readonly envOverrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Warm sandboxes per function at most. @default 8 */
  readonly maxConcurrency?: number;
}

export interface LocalApi {
  readonly url: string;
  readonly port: number;
  /** What is served now. */
  readonly model: ApiModel;
  /** The current generation's API Gateway result cache; a reload starts an empty one. */
  readonly cache: AuthorizerCache;
  /** The local DynamoDB, when the template holds a table (the DPoP replay store); closing it makes the store unreachable. */
  readonly dynamo: LocalDynamo | undefined;
  /** The Node that runs the served functions' code, by their runtime (`nodejs24.x`). */
  readonly lambdaNodes: ReadonlyMap<string, LambdaNode>;
  /**
   * Serves the assembly in `assemblyDir` from now on; if it cannot be read, throws and keeps serving the old.
   * Requests already running finish on the old code, whose runners close when the last of them ends;
   * functions whose model is unchanged keep their warm sandboxes. Resolves once the new code serves.
   */
  reload(assemblyDir: string): Promise<void>;
  /** Serves new code for some functions: logical id → the directory holding the new bundle. */
  reloadFunctions(assetDirs: ReadonlyMap<string, string>): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep one byte past the limit so the gateway can tell, without holding an unbounded body.
      if (size <= MAX_PAYLOAD_BYTES + 1) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_PAYLOAD_BYTES + 1)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, answer: HttpAnswer): void {
  for (const [name, values] of Object.entries(answer.headers)) res.setHeader(name, values.length === 1 ? values[0]! : [...values]);
  res.setHeader('Content-Length', answer.body.length);
  res.writeHead(answer.statusCode);
  res.end(answer.body);
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const logRequest = options.logRequest ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logLambda = options.logLambda ?? ((name: string, line: string) => process.stderr.write(`[${name}] ${line}\n`));
  const nodes = new Map<string, LambdaNode>();
  const nodeFor = (runtime: string): LambdaNode => nodes.get(runtime) ?? nodes.set(runtime, lambdaNode(runtime)).get(runtime)!;
  let dynamo: LocalDynamo | undefined;
  const runnerFor = (fn: FunctionModel, model: ApiModel) =>
    new LambdaRunner(fn, {
      execPath: nodeFor(fn.runtime).execPath,
      region: model.region,
      accountId: model.accountId,
      envOverrides: { ...dynamo?.environment, ...options.envOverrides?.[fn.displayName], ...options.envOverrides?.[fn.logicalId] },
      onLog: (f, line) => {
        // Metrics would bury the function's own lines: they go to logMetrics, or nowhere.
        const metrics = summarizeEmf(line);
        if (metrics === undefined) logLambda(f.displayName, line);
        else options.logMetrics?.(f.displayName, metrics);
      },
      ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
    });
  const cacheOptions = options.now ? { now: options.now } : {};
  const read = (dir: string) => readApi(readCloudAssembly(dir), options);
  /** Starts the local DynamoDB the first time a model holds a table, and creates the model's tables there. */
  const serveTables = async (model: ApiModel) => {
    if (model.tables.length === 0) return;
    // Loaded on first use, with dynalite: an API without tables does not pay for it.
    const { startLocalDynamo } = require('./dynamo') as typeof import('./dynamo');
    dynamo ??= await startLocalDynamo(model.region);
    await dynamo.createTables(model.tables);
  };
  const first = read(options.assemblyDir);
  await serveTables(first);
  let current = nextGeneration(first, undefined, runnerFor, cacheOptions);
  const live = new Set<Generation>([current]);

  /** Closes the runners of drained generations that no live generation uses. */
  const closeUnused = async (gone: Generation) => {
    live.delete(gone);
    const used = new Set([...live].flatMap((g) => [...g.runners.values()]));
    await Promise.all([...gone.runners.values()].filter((r) => !used.has(r)).map((r) => r.close()));
  };
  const swap = async (model: ApiModel) => {
    await serveTables(model);
    const old = current;
    current = nextGeneration(model, old, runnerFor, cacheOptions);
    live.add(current);
    void old.retire().then(() => closeUnused(old));
  };

  const server = createServer(async (req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    let status = 500;
    let line = '';
    try {
      const request = toApiRequest(req, await readBody(req), requestId, Date.now());
      // The generation is taken when the request is read: a reload from here on does not change its code.
      const result = await current.serve((gateway) => gateway.handle(request));
      status = result.answer.statusCode;
      write(res, result.answer);
      line = requestLogLine({ method: request.httpMethod, path: request.rawPath, status, authorizer: result.authorizer, ...(result.tokenCache ? { tokenCache: true } : {}), ms: Math.round(performance.now() - started), ...(result.reason ? { reason: result.reason } : {}) });
    } catch (e) {
      // A bug in the emulator, not an answer API Gateway would give: say so plainly.
      if (!res.headersSent) write(res, { statusCode: 500, headers: { 'Content-Type': ['application/json'] }, body: Buffer.from('{"message":"local emulator error"}') });
      line = requestLogLine({ method: req.method ?? '?', path: (req.url ?? '').split('?')[0]!, status, authorizer: 'none', ms: Math.round(performance.now() - started), reason: `emulator error: ${(e as Error).stack ?? e}` });
    }
    logRequest(line);
  });

  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await listen(server, options.port ?? 3000, host, 'the local API', 'stop whatever holds it or set PORT');
  } catch (e) {
    await Promise.all([...current.runners.values()].map((r) => r.close()));
    await dynamo?.close();
    throw e;
  }
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get model() {
      return current.model;
    },
    get cache() {
      return current.cache;
    },
    get dynamo() {
      return dynamo;
    },
    get lambdaNodes() {
      return new Map([...current.model.functions.values()].map((fn) => [fn.runtime, nodeFor(fn.runtime)]));
    },
    reload: (dir) => swap(read(dir)),
    reloadFunctions(assetDirs) {
      const functions = new Map([...current.model.functions].map(([id, fn]) => [id, assetDirs.has(id) ? { ...fn, assetDir: assetDirs.get(id)! } : fn]));
      return swap({ ...current.model, functions });
    },
    async close() {
      await closeServer(server);
      await Promise.all([...new Set([...live].flatMap((g) => [...g.runners.values()]))].map((r) => r.close()));
      await dynamo?.close();
    },
  };
}
