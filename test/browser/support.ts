// What the browser suites share: the Chromium they drive (Debian's, never downloaded) and `npm start` run as
// a user runs it, in its own process group so it is stopped as Ctrl-C stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL = 'sudo apt-get update && sudo apt-get install -y chromium (or set CHROMIUM_PATH to a Chromium or Chrome binary)';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Headless Chromium; fails with the command that installs it when there is none. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install it with ${INSTALL}`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** `npm start -- <args>` on `port`, its assembly and dev-issuer state in `scratch`. */
export class NpmStart {
  /** Everything it printed, stdout and stderr, so far. */
  output = '';
  private child: ChildProcess | undefined;

  /** Resolves once it serves. */
  start(args: readonly string[], port: number, scratch: string): Promise<void> {
    const child = spawn('npm', ['start', '--', ...args, '--output', path.join(scratch, 'cdk.out')], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: String(port), ISSUER_PORT: String(port + 1 > 65535 ? port - 1 : port + 1), DEV_ISSUER_STATE: path.join(scratch, 'dev-issuer.json') },
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString('utf8');
        if (this.output.includes('Ctrl-C stops.')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before serving:\n${this.output}`)));
    });
  }

  /** Ctrl-C to the whole process group, and wait for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGINT');
    await exited;
  }
}
