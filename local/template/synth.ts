// Runs the real `cdk synth` (the app in cdk.json, NodejsFunction bundling and all) so the local API serves
// exactly what would deploy. Skipped when neither the inputs (this repository's infra/, lambda/, lockfile,
// CDK and TS config, or every file of another app's folder; and the context) nor the assembly itself changed
// since our last synth: a `cdk synth` run by hand with other context changes the assembly, and so forces a
// new one.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readCloudAssembly } from './cloud-assembly';
import { LocalError } from '../errors';

export interface SynthOptions {
  /** Holds cdk.json. */
  readonly projectDir: string;
  /**
   * What the synth reads: `project` is this repository (infra/, lambda/ and its configuration files); `app` is
   * any other CDK app, whose every file counts (see `appInputFiles`), with the apigw-oidc-authorizer it installed.
   * @default 'project'
   */
  readonly inputs?: 'project' | 'app';
  /** The cloud assembly directory (cdk.out). */
  readonly outDir: string;
  /** CDK context values, passed as -c key=value. */
  readonly context: Readonly<Record<string, string>>;
  /** Synthesize even when nothing changed. @default false */
  readonly force?: boolean;
  /** Receives cdk's own output. @default discarded, and included in the error when synth fails */
  readonly onOutput?: (text: string) => void;
  /**
   * Run CDK's built-in CloudFormation template validation (about 2 s of every synth). The local run
   * leaves it to `cdk synth` and `cdk deploy`, which keep it. @default false
   */
  readonly templateValidation?: boolean;
  /**
   * Stops a synth under way: its process group is killed and the promise rejects with SYNTH_ABORTED.
   * @default never stopped
   */
  readonly signal?: AbortSignal;
}

export interface SynthResult {
  readonly skipped: boolean;
  readonly ms: number;
}

const INPUT_DIRS = ['infra', 'lambda'];
const INPUT_FILES = ['package-lock.json', 'cdk.json', 'tsconfig.json'];
const STAMP_FILE = 'local-synth.json';
/** Folders of an app that never decide its synth: what it installed (its lockfile does) and what it produced. */
const APP_SKIPPED_DIRS = new Set(['node_modules', 'cdk.out']);
/** Beyond either bound an app's folder is not hashed, and every run synthesizes. */
export const APP_MAX_FILES = 5000;
export const APP_MAX_BYTES = 64 * 1024 * 1024;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/**
 * The files of the app in `appDir` that decide its synth, sorted: every file under it except in node_modules,
 * cdk.out, dot-folders (.git, .local…) and `skip` (the assembly, when --output puts it inside), plus what npm
 * installed (node_modules/.package-lock.json) and the apigw-oidc-authorizer the app resolves (its package.json
 * and dist/, which a linked checkout rebuilds in place). Undefined beyond APP_MAX_FILES or APP_MAX_BYTES.
 */
export function appInputFiles(appDir: string, skip: readonly string[] = []): string[] | undefined {
  const skipped = new Set(skip.map((d) => path.resolve(d)));
  const files: string[] = [];
  let bytes = 0;
  const walk = (dir: string, prune: boolean): boolean => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      let stats;
      try {
        stats = statSync(full);
      } catch {
        continue; // A dangling link, or removed while listed.
      }
      if (stats.isDirectory()) {
        // Symbolic links to folders are not followed: they may loop, or lead into a whole other tree.
        if (entry.isSymbolicLink() || skipped.has(full) || (prune && (APP_SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')))) continue;
        if (!walk(full, prune)) return false;
      } else if (stats.isFile()) {
        files.push(full);
        bytes += stats.size;
        if (files.length > APP_MAX_FILES || bytes > APP_MAX_BYTES) return false;
      }
    }
    return true;
  };
  if (!walk(appDir, true)) return undefined;
  const installed = path.join(appDir, 'node_modules', '.package-lock.json');
  if (existsSync(installed)) files.push(installed);
  const pkg = installedPackageDir(appDir);
  if (pkg !== undefined) {
    files.push(path.join(pkg, 'package.json'));
    if (existsSync(path.join(pkg, 'dist')) && !walk(path.join(pkg, 'dist'), false)) return undefined;
  }
  return files;
}

/**
 * The folder of the apigw-oidc-authorizer that `appDir` resolves, links followed; undefined when it has none.
 * Looked up as Node does, by hand: under jest, require.resolve is jest's own resolver, and answers differently.
 */
function installedPackageDir(appDir: string): string | undefined {
  for (let dir = path.resolve(appDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'apigw-oidc-authorizer');
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Hash of everything that decides what `cdk synth` produces; for an app whose folder is too large to hash, a
 * value never seen before, so that it is synthesized every time.
 */
export function inputsHash(options: Pick<SynthOptions, 'projectDir' | 'context' | 'inputs' | 'outDir'>): string {
  const { projectDir } = options;
  const hash = createHash('sha256').update(JSON.stringify(Object.entries(options.context).sort()));
  let files: string[];
  if (options.inputs === 'app') {
    const found = appInputFiles(projectDir, [options.outDir]);
    if (found === undefined) return `unhashed-${randomUUID()}`;
    files = found;
  } else {
    files = [...INPUT_DIRS.flatMap((d) => filesUnder(path.join(projectDir, d))), ...INPUT_FILES.map((f) => path.join(projectDir, f)).filter(existsSync)];
  }
  for (const file of files) hash.update(path.relative(projectDir, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Hash of the assembly's manifest and templates, to notice a synth we did not run. */
function assemblyHash(outDir: string): string | undefined {
  try {
    const hash = createHash('sha256').update(readFileSync(path.join(outDir, 'manifest.json')));
    for (const stack of readCloudAssembly(outDir)) hash.update(readFileSync(stack.templateFile));
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

function upToDate(outDir: string, inputs: string): boolean {
  try {
    const stamp = JSON.parse(readFileSync(path.join(outDir, STAMP_FILE), 'utf8')) as { inputs?: string; assembly?: string };
    return stamp.inputs === inputs && stamp.assembly !== undefined && stamp.assembly === assemblyHash(outDir);
  } catch {
    return false;
  }
}

/** The CLI that synthesizes the app: its own aws-cdk when it has one, else this repository's. */
export function cdkCli(projectDir: string): string {
  for (const from of [projectDir, __dirname]) {
    try {
      return require.resolve('aws-cdk/bin/cdk', { paths: [from] });
    } catch {
      // Not installed there: try the next.
    }
  }
  throw new LocalError('SYNTH_FAILED', `no aws-cdk CLI found for ${projectDir} nor in apigw-oidc-authorizer: run npm install (in either)`);
}

function runCdk(options: SynthOptions): Promise<void> {
  const cli = cdkCli(options.projectDir);
  const args = [cli, 'synth', '--quiet', '--output', options.outDir, ...Object.entries(options.context).flatMap(([k, v]) => ['--context', `${k}=${v}`])];
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const env = { ...process.env, ...(options.templateValidation ? {} : { CDK_VALIDATION: 'false' }) };
    // Its own process group: a terminal's Ctrl-C reaches npm start alone, which stops the synth (cdk, the app
    // and the esbuild the app runs) through `signal`, instead of every one of them dying mid-write, each its own way.
    const child = spawn(process.execPath, args, { cwd: options.projectDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // The group is gone already.
      }
    };
    signal?.addEventListener('abort', kill, { once: true });
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      options.onOutput?.(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (e) => reject(new LocalError('SYNTH_FAILED', `could not run cdk synth: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      signal?.removeEventListener('abort', kill);
      if (signal?.aborted) return reject(aborted());
      if (code === 0) return resolve();
      reject(new LocalError('SYNTH_FAILED', `cdk synth exited with ${code}:\n${synthErrorText(output.join(''))}`));
    });
  });
}

const aborted = () => new LocalError('SYNTH_ABORTED', 'cdk synth was stopped');

/**
 * What a failed synth said, without the CLI's closing `Subprocess exited with error 1` (the exit code is
 * already in the message), its `Bundling asset` progress lines, stack frames and Node's version banner:
 * the last 30 lines of the rest.
 */
export function synthErrorText(output: string): string {
  const noise = /^Bundling asset |: Subprocess exited with error \d+$|^\s+at |^Node\.js v\d/;
  const lines = output.trim().split('\n').filter((l) => !noise.test(l));
  return lines.slice(-30).join('\n');
}

export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const started = performance.now();
  const inputs = inputsHash(options);
  if (!options.force && upToDate(options.outDir, inputs)) return { skipped: true, ms: Math.round(performance.now() - started) };
  await runCdk(options);
  writeFileSync(path.join(options.outDir, STAMP_FILE), JSON.stringify({ inputs, assembly: assemblyHash(options.outDir) }, null, 2));
  return { skipped: false, ms: Math.round(performance.now() - started) };
}
