// One version of the served API: the model read from an assembly, a LambdaRunner per function and the
// gateway over them. A reload makes a new generation; requests already inside the old one finish there,
// and the old one's runners close once its last request has, unless the new generation still uses them.
import { AuthorizerCache, type AuthorizerCacheOptions } from './gateway/authorizer/cache';
import { Gateway } from './gateway/gateway';
import type { ApiModel, FunctionModel } from './template/api-model';
import type { LambdaRunner } from './lambda/runner';

export type RunnerFactory = (fn: FunctionModel, model: ApiModel) => LambdaRunner;

export class Generation {
  readonly gateway: Gateway;
  private inflight = 0;
  private retired = false;
  private onDrained: (() => void) | undefined;

  constructor(
    readonly model: ApiModel,
    readonly runners: ReadonlyMap<string, LambdaRunner>,
    readonly cache: AuthorizerCache,
  ) {
    this.gateway = new Gateway(model, runners, cache);
  }

  /** Runs one request in this generation, counting it until it ends. */
  async serve<T>(fn: (gateway: Gateway) => Promise<T>): Promise<T> {
    this.inflight++;
    try {
      return await fn(this.gateway);
    } finally {
      this.inflight--;
      if (this.retired && this.inflight === 0) this.onDrained?.();
    }
  }

  /** Resolves once no request is in this generation any more; it takes no new ones from then on. */
  retire(): Promise<void> {
    this.retired = true;
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onDrained = resolve;
    });
  }
}

/**
 * The next generation for `model`: functions whose model is unchanged keep their runner (and warm
 * sandboxes); the others get a new one. A fresh authorizer cache, since a cached policy came from the old code.
 */
export function nextGeneration(model: ApiModel, previous: Generation | undefined, create: RunnerFactory, cacheOptions: AuthorizerCacheOptions): Generation {
  const runners = new Map<string, LambdaRunner>();
  for (const fn of model.functions.values()) {
    const old = previous?.runners.get(fn.logicalId);
    runners.set(fn.logicalId, old && sameFunction(old.fn, fn) ? old : create(fn, model));
  }
  return new Generation(model, runners, new AuthorizerCache(cacheOptions));
}

function sameFunction(a: FunctionModel, b: FunctionModel): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
