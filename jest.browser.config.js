// `npm run test:browser`: the suites that drive a real browser (Debian's chromium) against `npm start`.
// Kept out of `npm test` so that it needs no browser; CI runs both.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['**/test/browser/**/*.browser.ts'], testTimeout: 60000 };
