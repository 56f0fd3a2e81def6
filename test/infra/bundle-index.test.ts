import * as path from 'node:path';
import { bundleIndex } from '../../infra/bundle-index';
import { esbuildOptions } from '../../infra/constructs/bundling';
import { ROUTES } from '../../infra/routes';
import { synth } from './synth';

const ROOT = path.resolve(__dirname, '..', '..');

test('the bundle index names every function by logical id, with the very esbuild options its asset was built with', () => {
  const { app, stack, template } = synth();
  const index = bundleIndex(app, ROOT);
  const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
  expect(index.map((e) => e.logicalId).sort()).toEqual(functions.sort());
  expect(new Set(index.map((e) => e.templateFile))).toEqual(new Set([stack.templateFile]));
  const byEntry = new Map(index.map((e) => [(e.options.entryPoints as string[])[0], e.options]));
  expect([...byEntry.keys()].sort()).toEqual(['lambda/authorizer/index.ts', ...ROUTES.map((r) => `lambda/${r.handler}/index.ts`)].sort());
  const { outfile: _o, entryPoints: _e, ...authorizer } = esbuildOptions({ entry: 'x', keepNames: false }, '.');
  expect(byEntry.get('lambda/authorizer/index.ts')).toEqual({ ...authorizer, entryPoints: ['lambda/authorizer/index.ts'] });
  expect(byEntry.get('lambda/profile/index.ts')!.keepNames).toBe(true);
});
