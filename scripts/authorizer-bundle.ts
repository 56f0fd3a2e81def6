// Builds dist/authorizer/ (index.js and its source map) from lambda/authorizer/. Run by `npm run build`, by
// the example app before each synth and by jest's global setup, so what is served and tested is never stale.
import { buildSync } from 'esbuild';
import * as path from 'node:path';
import { esbuildOptions } from '../infra/constructs/bundling';

const ROOT = path.resolve(__dirname, '..');
export const AUTHORIZER_ENTRY = path.join(ROOT, 'lambda', 'authorizer', 'index.ts');
export const AUTHORIZER_BUNDLE_DIR = path.join(ROOT, 'dist', 'authorizer');

export function buildAuthorizerBundle(): void {
  // keepNames off: the authorizer logs reason codes, not stack traces, and its errors name themselves.
  const result = buildSync(esbuildOptions({ entry: AUTHORIZER_ENTRY, keepNames: false }, AUTHORIZER_BUNDLE_DIR));
  if (result.errors.length > 0) throw new Error(`esbuild failed for ${AUTHORIZER_ENTRY}: ${result.errors.map((e) => e.text).join('; ')}`);
}
