// Two `npm start`s in one checkout (a throwaway copy of it), on two ports: each has its own assembly and
// dev issuer state under .local/<PORT>/, `npm run token` asks the one named by --port and refuses to guess
// between two, and a token of one instance is not accepted by the other.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../support/free-port';
import { request } from '../support/http';
import { projectCopy, type ProjectCopy } from '../support/project-copy';

let copy: ProjectCopy;
const instances: { port: number; child: ChildProcess; output: string }[] = [];

function start(port: number, issuerPort: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli/start.ts'], {
    cwd: copy.dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), ISSUER_PORT: String(issuerPort), DEV_ISSUER_STATE: '' },
  });
  const instance = { port, child, output: '' };
  instances.push(instance);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      instance.output += chunk.toString('utf8');
      if (instance.output.includes('Ctrl-C stops.')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`npm start on ${port} exited with ${code}:\n${instance.output}`)));
  });
}

const token = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'local/cli/token.ts', ...args], { cwd: copy.dir, encoding: 'utf8', env: { ...process.env, DEV_ISSUER_STATE: '' } });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
};

beforeAll(async () => {
  copy = projectCopy();
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  await Promise.all([start(ports[0]!, ports[1]!), start(ports[2]!, ports[3]!)]);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    instances.map(({ child }) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      process.kill(-child.pid!, 'SIGINT');
    })),
  );
  copy?.remove();
});

test('each instance has its own assembly and dev issuer state', () => {
  for (const { port } of instances) {
    expect(existsSync(path.join(copy.dir, '.local', String(port), 'cdk.out', 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(copy.dir, '.local', String(port), 'dev-issuer.json'))).toBe(true);
  }
  expect(existsSync(path.join(copy.dir, 'cdk.out'))).toBe(false);
});

test('npm run token names the instance with --port, and will not guess between two', async () => {
  const [a, b] = instances;
  const guess = token();
  expect(guess.code).toBe(2);
  expect(guess.stderr).toBe(`token: 2 npm start instances are running (ports ${[a!.port, b!.port].sort((x, y) => x - y).join(', ')}): name one with --port`);

  const fromA = token('--port', String(a!.port), '--scope', 'openid profile');
  expect(fromA.code).toBe(0);
  const auth = { headers: { Authorization: `Bearer ${fromA.stdout}` } };
  expect((await request(`http://127.0.0.1:${a!.port}`, '/profile', auth)).status).toBe(200);
  // B's authorizer trusts B's issuer only.
  expect((await request(`http://127.0.0.1:${b!.port}`, '/profile', auth)).status).toBe(401);
});

test('the start output is one line for the synth, then the banner: no cdk or esbuild chatter', () => {
  for (const { output } of instances) {
    expect(output).toMatch(/^Synthesizing the CDK app \(issuer http:\/\/127\.0\.0\.1:\d+, audience local-dev-api\)… \d+\.\d s\n\nLocal API Gateway/);
    expect(output).not.toMatch(/Bundling asset|feature flags|esbuild|⚡/);
  }
});
