// esbuild bundles for the bench: the four authorizers the way the stack bundles the authorizer (minify, no
// keepNames, CommonJS, platform node; target node20 to run here, where the stack targets node24), and the children.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';

const ROOT = join(__dirname, '..');

export const AUTHORIZERS = {
  floor: 'bench/contenders/floor.ts',
  ours: 'lambda/authorizer/index.ts',
  'aws-jwt-verify': 'bench/contenders/aws-jwt-verify.ts',
  jose: 'bench/contenders/jose.ts',
} as const;
export type AuthorizerBundle = keyof typeof AUTHORIZERS;

const CHILDREN = { warm: 'bench/warm.ts', zipf: 'bench/zipf.ts', cold: 'bench/cold.ts' } as const;

/** Memory children: one bundle per contender, holding only that contender's code. [module, factory] */
const MEMORY = {
  floor: ['./lib/contender/floor', 'makeFloor'],
  ours: ['./lib/contender/ours', 'makeOursContender'],
  'jose-local': ['./lib/contender/jose', 'makeJoseLocal'],
  'jose-key': ['./lib/contender/jose', 'makeJoseKey'],
  'aws-jwt-verify': ['./lib/contender/aws-jwt-verify', 'makeAwsJwtVerify'],
} as const;
export type MemoryContender = keyof typeof MEMORY;
export const MEMORY_CONTENDERS = Object.keys(MEMORY) as MemoryContender[];

const STACK_LIKE: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // What Lambda's Node.js runtime provides, left out as the stack leaves it out (infra/constructs/bundling.ts):
  // the replay store's DynamoDB client, required only on a request with a DPoP proof.
  external: ['@aws-sdk/*'],
  logLevel: 'error',
};

export interface Bundles {
  readonly authorizers: Record<AuthorizerBundle, string>;
  /** Ours with a linked source map, as deployed (the stack runs it with --enable-source-maps). */
  readonly oursWithSourceMap: string;
  readonly children: Record<keyof typeof CHILDREN, string>;
  readonly memory: Record<MemoryContender, string>;
  /** Minified bytes and gzip -9 bytes of each authorizer bundle. */
  readonly sizes: Record<AuthorizerBundle, { bytes: number; gzipBytes: number }>;
}

export async function buildAll(outDir: string): Promise<Bundles> {
  const out = (name: string) => join(outDir, `${name}.js`);
  const jobs: Promise<unknown>[] = [];
  for (const [name, entry] of Object.entries({ ...AUTHORIZERS, ...CHILDREN })) {
    jobs.push(build({ ...STACK_LIKE, entryPoints: [join(ROOT, entry)], outfile: out(name) }));
  }
  jobs.push(build({ ...STACK_LIKE, entryPoints: [join(ROOT, AUTHORIZERS.ours)], outfile: out('ours-sourcemap'), sourcemap: true, sourcesContent: false }));
  for (const [name, [module, factory]] of Object.entries(MEMORY)) {
    const contents = `import { runMemory } from './memory';\nimport { ${factory} } from '${module}';\nrunMemory(${factory});\n`;
    jobs.push(build({ ...STACK_LIKE, stdin: { contents, resolveDir: join(ROOT, 'bench'), loader: 'ts' }, outfile: out(`memory-${name}`) }));
  }
  await Promise.all(jobs);

  const sizes = {} as Bundles['sizes'];
  const authorizers = {} as Bundles['authorizers'];
  for (const name of Object.keys(AUTHORIZERS) as AuthorizerBundle[]) {
    authorizers[name] = out(name);
    sizes[name] = { bytes: statSync(out(name)).size, gzipBytes: gzipSync(readFileSync(out(name)), { level: 9 }).length };
  }
  return {
    authorizers,
    oursWithSourceMap: out('ours-sourcemap'),
    children: { warm: out('warm'), zipf: out('zipf'), cold: out('cold') },
    memory: Object.fromEntries(MEMORY_CONTENDERS.map((name) => [name, out(`memory-${name}`)])) as Bundles['memory'],
    sizes,
  };
}
