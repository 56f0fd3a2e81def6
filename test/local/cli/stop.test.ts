// Ctrl-C on `npm start -- --watch` (in a throwaway copy of the project) as a terminal sends it: SIGINT to the
// whole foreground process group, npm start and every child in its group (the esbuild service of --watch among
// them). Stopping while a re-synth runs exits 0, prints nothing after `Stopping…`, and leaves no synth process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../support/free-port';
import { projectCopy, type ProjectCopy } from '../support/project-copy';

const BOUND_MS = 10_000;
let copy: ProjectCopy;
let child: ChildProcess | undefined;
let output = '';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process group of the `cdk synth` npm start runs for the copy, once there is one, within the bound. */
async function synthGroup(): Promise<number> {
  const started = performance.now();
  for (;;) {
    const ps = spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' }).stdout.split('\n');
    const line = ps.find((l) => l.includes('aws-cdk/bin/cdk synth') && l.includes(copy.dir));
    if (line) return Number(line.trim().split(/\s+/)[1]);
    if (performance.now() - started > BOUND_MS) throw new Error(`no cdk synth started within ${BOUND_MS} ms; npm start said:\n${output}`);
    await sleep(20);
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  copy = projectCopy();
  const [port, issuerPort] = [await freePort(), await freePort()];
  child = spawn(process.execPath, ['--import', 'tsx', 'local/cli/start.ts', '--watch'], {
    cwd: copy.dir,
    detached: true, // its own group, standing for the terminal's foreground group
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), ISSUER_PORT: String(issuerPort), DEV_ISSUER_STATE: '' },
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ctrl-C stops.')) resolve();
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  copy?.remove();
});

test('Ctrl-C during a re-synth stops the synth and everything else, quietly, with exit 0', async () => {
  copy.edit('infra/routes.ts', 'export const ROUTES', '// saved while npm start watches\nexport const ROUTES');
  const synth = await synthGroup();
  const exited = new Promise<number | null>((resolve) => {
    child!.removeAllListeners('exit');
    child!.on('close', (code) => resolve(code));
  });
  process.kill(-child!.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  expect(output.slice(output.indexOf('Stopping…'))).toBe('Stopping…\n');
  const started = performance.now();
  while (groupAlive(synth) && performance.now() - started < BOUND_MS) await sleep(20);
  expect(groupAlive(synth)).toBe(false);
}, 60_000);
