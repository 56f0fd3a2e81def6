// Where one `npm start` keeps its files: .local/<PORT>/ (gitignored) holds its cloud assembly (cdk.out/, or
// apps/<name>-<hash>/cdk.out/ for another app served with --app) and its dev issuer's state (dev-issuer.json),
// so two instances in one checkout (PORT=4000 npm start beside the default) share nothing, and
// `npm run token -- --port 4000` can name which it asks.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { readState } from './dev-issuer/state';
import { LocalError } from './errors';

export const instanceDir = (projectDir: string, port: number): string => path.join(projectDir, '.local', String(port));
export const assemblyDirOf = (instance: string): string => path.join(instance, 'cdk.out');
export const stateFileOf = (instance: string): string => path.join(instance, 'dev-issuer.json');

/** The assembly of another app (`npm start -- --app DIR`): one folder per app, so each keeps its own synth stamp. */
export function appAssemblyDirOf(instance: string, appDir: string): string {
  const name = path.basename(appDir).replace(/[^A-Za-z0-9._-]/g, '_') || 'app';
  const id = createHash('sha256').update(path.resolve(appDir)).digest('hex').slice(0, 8);
  return path.join(instance, 'apps', `${name}-${id}`, 'cdk.out');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, but is another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ports of the instances whose dev issuer state is present and whose process still runs. */
export function runningPorts(projectDir: string): number[] {
  const root = path.join(projectDir, '.local');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(stateFileOf(path.join(root, name))))
    .filter((name) => {
      try {
        return alive(readState(stateFileOf(path.join(root, name))).pid);
      } catch {
        return false;
      }
    })
    .map(Number)
    .sort((a, b) => a - b);
}

/** The state file of the instance on `port`, or of the only one running. */
export function stateFileFor(projectDir: string, port: number | undefined): string {
  if (port !== undefined) return stateFileOf(instanceDir(projectDir, port));
  const ports = runningPorts(projectDir);
  if (ports.length === 1) return stateFileOf(instanceDir(projectDir, ports[0]!));
  if (ports.length === 0) throw new LocalError('ISSUER_NOT_RUNNING', 'no dev issuer is running: start the API with `npm start` first (with your own issuer, get a token from it instead)');
  throw new LocalError('USAGE', `${ports.length} npm start instances are running (ports ${ports.join(', ')}): name one with --port`);
}
