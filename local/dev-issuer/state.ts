// Where `npm run token` finds the running dev issuer: .local/<PORT>/dev-issuer.json (gitignored, see
// local/instance.ts), written by `npm start` with mode 0600 because it holds the secret that mints tokens, and removed when it stops.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LocalError } from '../errors';

export interface DevIssuerState {
  readonly issuer: string;
  readonly audience: string;
  readonly secret: string;
  readonly apiUrl: string;
  readonly pid: number;
}

export function writeState(file: string, state: DevIssuerState): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2), { mode: 0o600 });
  chmodSync(temp, 0o600); // the mode above is filtered by the umask
  renameSync(temp, file);
}

export function readState(file: string): DevIssuerState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LocalError('ISSUER_NOT_RUNNING', 'no dev issuer is running: start the API with `npm start` first (with your own issuer, get a token from it instead)');
  }
  const state = JSON.parse(text) as Partial<DevIssuerState>;
  if (typeof state.issuer !== 'string' || typeof state.secret !== 'string') throw new LocalError('ISSUER_NOT_RUNNING', `${file} is damaged: restart npm start`);
  return state as DevIssuerState;
}

/** Removes the file if it is still ours (a second `npm start` may have replaced it). */
export function removeState(file: string, pid = process.pid): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as DevIssuerState).pid === pid) rmSync(file, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}
