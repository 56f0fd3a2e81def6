// Finds the CloudFormation templates in a cloud assembly (cdk.out): the manifest's stack artifacts,
// including those of nested assemblies (CDK Stages), with the directory their asset paths are relative to.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LocalError } from '../errors';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
}

export interface StackTemplate {
  readonly stackName: string;
  /** The directory holding the template; `aws:asset:path` values are relative to it. */
  readonly assemblyDir: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
}

interface Manifest {
  artifacts?: Record<string, { type?: string; displayName?: string; properties?: Record<string, unknown> }>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Every stack template in the assembly at `dir`. */
export function readCloudAssembly(dir: string): StackTemplate[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new LocalError('ASSEMBLY_NOT_FOUND', `${manifestFile} does not exist: synthesize first (npx cdk synth) or let npm start do it`);
  }
  const stacks: StackTemplate[] = [];
  const manifest = readJson<Manifest>(manifestFile);
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'aws:cloudformation:stack' && typeof props.templateFile === 'string') {
      const templateFile = path.join(dir, props.templateFile);
      stacks.push({ stackName: String(props.stackName ?? id), assemblyDir: dir, templateFile, template: readJson<CfnTemplate>(templateFile) });
    } else if (artifact.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
      stacks.push(...readCloudAssembly(path.join(dir, props.directoryName)));
    }
  }
  return stacks;
}
