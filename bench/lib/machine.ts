// What the figures were measured on, for the results file and bench/README.md.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly nproc: number;
  readonly memoryMiB: number;
  readonly node: string;
  readonly platform: string;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not Linux */
  }
  return { cpu, nproc: cpus().length, memoryMiB: Math.round(totalmem() / 1048576), node: process.version, platform: `${process.platform}-${process.arch}` };
}
