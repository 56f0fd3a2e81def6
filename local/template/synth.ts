// Runs the real `cdk synth` (the app in cdk.json, NodejsFunction bundling and all) so the local API serves
// exactly what would deploy. Skipped when neither the inputs (infra/, lambda/, lockfile, CDK and TS
// config, the context) nor the assembly itself changed since our last synth: a `cdk synth` run by hand
// with other context changes the assembly, and so forces a new one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readCloudAssembly } from './cloud-assembly';
import { LocalError } from '../errors';

export interface SynthOptions {
  /** Holds cdk.json. */
  readonly projectDir: string;
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
}

export interface SynthResult {
  readonly skipped: boolean;
  readonly ms: number;
}

const INPUT_DIRS = ['infra', 'lambda'];
const INPUT_FILES = ['package-lock.json', 'cdk.json', 'tsconfig.json'];
const STAMP_FILE = 'local-synth.json';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** Hash of everything that decides what `cdk synth` produces. */
export function inputsHash(projectDir: string, context: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256').update(JSON.stringify(Object.entries(context).sort()));
  const files = [...INPUT_DIRS.flatMap((d) => filesUnder(path.join(projectDir, d))), ...INPUT_FILES.map((f) => path.join(projectDir, f)).filter(existsSync)];
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

function runCdk(options: SynthOptions): Promise<void> {
  const cli = require.resolve('aws-cdk/bin/cdk', { paths: [options.projectDir] });
  const args = [cli, 'synth', '--quiet', '--output', options.outDir, ...Object.entries(options.context).flatMap(([k, v]) => ['--context', `${k}=${v}`])];
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(options.templateValidation ? {} : { CDK_VALIDATION: 'false' }) };
    const child = spawn(process.execPath, args, { cwd: options.projectDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (code === 0) return resolve();
      reject(new LocalError('SYNTH_FAILED', `cdk synth exited with ${code}:\n${synthErrorText(output.join(''))}`));
    });
  });
}

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
  const inputs = inputsHash(options.projectDir, options.context);
  if (!options.force && upToDate(options.outDir, inputs)) return { skipped: true, ms: Math.round(performance.now() - started) };
  await runCdk(options);
  writeFileSync(path.join(options.outDir, STAMP_FILE), JSON.stringify({ inputs, assembly: assemblyHash(options.outDir) }, null, 2));
  return { skipped: false, ms: Math.round(performance.now() - started) };
}
