// What decides another app's synth (`npm start -- --app DIR`): its own files, not what it installed or produced,
// plus the apigw-oidc-authorizer it resolves; a folder too large to hash is synthesized every time.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { APP_MAX_FILES, appInputFiles, inputsHash } from '../../../local/template/synth';
import { tempDir } from '../support/temp-dir';

let temp: ReturnType<typeof tempDir>;
let app: string;

function write(file: string, text = 'x'): void {
  mkdirSync(path.dirname(path.join(temp.path, file)), { recursive: true });
  writeFileSync(path.join(temp.path, file), text);
}

beforeEach(() => {
  temp = tempDir('app-inputs');
  app = path.join(temp.path, 'shop');
  for (const file of ['cdk.json', 'app.js', 'handlers/orders.js', 'handlers/node_modules/dep/index.js', 'node_modules/aws-cdk-lib/index.js', 'cdk.out/manifest.json', '.git/HEAD', '.env', 'assembly/manifest.json']) write(`shop/${file}`);
  write('shop/node_modules/.package-lock.json', '{}');
  write('shop/node_modules/apigw-oidc-authorizer/package.json', '{}');
  write('shop/node_modules/apigw-oidc-authorizer/dist/authorizer/index.js');
  write('shop/node_modules/apigw-oidc-authorizer/README.md');
});

afterEach(() => temp.remove());

const relative = (files: string[] | undefined) => files?.map((f) => path.relative(app, f));
const hash = (outDir = path.join(app, 'assembly')) => inputsHash({ projectDir: app, inputs: 'app', outDir, context: { issuer: 'http://127.0.0.1:3001' } });

test('every file of the app, but not node_modules, cdk.out, dot-folders or the assembly; with what npm installed and the package', () => {
  expect(relative(appInputFiles(app, [path.join(app, 'assembly')]))).toEqual([
    '.env',
    'app.js',
    'cdk.json',
    'handlers/orders.js',
    'node_modules/.package-lock.json',
    'node_modules/apigw-oidc-authorizer/package.json',
    'node_modules/apigw-oidc-authorizer/dist/authorizer/index.js',
  ]);
});

test('a linked apigw-oidc-authorizer is hashed where it lives, so rebuilding it forces a synth', () => {
  temp.remove();
  temp = tempDir('app-inputs');
  app = path.join(temp.path, 'shop');
  write('shop/cdk.json');
  write('main/package.json', '{}');
  write('main/dist/authorizer/index.js', 'v1');
  mkdirSync(path.join(app, 'node_modules'));
  symlinkSync(path.join(temp.path, 'main'), path.join(app, 'node_modules', 'apigw-oidc-authorizer'), 'dir');
  const before = hash();
  expect(hash()).toBe(before);
  write('main/dist/authorizer/index.js', 'v2');
  expect(hash()).not.toBe(before);
});

test('the hash follows the app’s files and the context, and ignores what was installed or produced', () => {
  const before = hash();
  write('shop/node_modules/aws-cdk-lib/index.js', 'changed');
  write('shop/cdk.out/manifest.json', 'changed');
  write('shop/assembly/manifest.json', 'changed');
  expect(hash()).toBe(before);
  write('shop/handlers/orders.js', 'changed');
  expect(hash()).not.toBe(before);
  expect(inputsHash({ projectDir: app, inputs: 'app', outDir: path.join(app, 'assembly'), context: { issuer: 'http://127.0.0.1:4001' } })).not.toBe(hash());
});

test(`beyond ${APP_MAX_FILES} files the folder is not hashed, and every run synthesizes`, () => {
  for (let i = 0; i <= APP_MAX_FILES; i++) write(`shop/data/${i}.json`);
  expect(appInputFiles(app)).toBeUndefined();
  expect(hash()).not.toBe(hash());
});
