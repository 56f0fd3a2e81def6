// Saved files gathered into batches for a watcher: a burst of events ends once `debounceMs` pass without one,
// one batch is handled at a time, and what is saved meanwhile makes the next batch.

export interface Batch {
  /** The files, sorted, as the watcher named them. */
  readonly files: readonly string[];
  /** `a.ts`, or `a.ts and 2 more`, for a log line. */
  readonly what: string;
  /** performance.now() at the batch's first event, for the time a log line reports. */
  readonly startedAt: number;
}

export interface ChangeBatches {
  add(file: string): void;
  /** Resolves once nothing is pending or being handled. */
  idle(): Promise<void>;
  /** No batch starts after this; resolves when the one being handled ends. */
  close(): Promise<void>;
}

export function changeBatches(debounceMs: number, handle: (batch: Batch) => Promise<void>): ChangeBatches {
  const pending = new Set<string>();
  let firstEventAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const kick = () => {
    if (running || closed) return;
    running = drain().finally(() => {
      running = undefined;
      if (pending.size > 0) kick();
    });
  };
  async function drain(): Promise<void> {
    while (pending.size > 0 && !closed) {
      const files = [...pending].sort();
      const startedAt = firstEventAt;
      pending.clear();
      await handle({ files, what: files.length === 1 ? files[0]! : `${files[0]} and ${files.length - 1} more`, startedAt });
    }
  }

  return {
    add(file) {
      if (closed) return;
      if (pending.size === 0) firstEventAt = performance.now();
      pending.add(file);
      clearTimeout(timer);
      timer = setTimeout(kick, debounceMs);
    },
    async idle() {
      while (running || pending.size > 0) {
        await (running ?? new Promise((resolve) => setTimeout(resolve, debounceMs)));
      }
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}
