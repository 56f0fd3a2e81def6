// `npm run build` (and `prepare`, so `npm ci` and `npm pack` run it): the package as it is published.
// - dist/authorizer/: the authorizer Lambda, bundled once with the options every function here is bundled
//   with (infra/constructs/bundling.ts); the construct ships it as is, so a consumer's synth bundles nothing.
// - dist/infra/, dist/lambda/: JavaScript and type declarations of the construct (`.`) and of the handlers'
//   runtime kit (`./runtime`), compiled from what those two entry points import, nothing else.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildAuthorizerBundle } from './authorizer-bundle';

const ROOT = path.resolve(__dirname, '..');

rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
buildAuthorizerBundle();
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
