// One Lambda execution environment, a Node process forked by sandbox.ts: the function's bundled asset is
// loaded once (Lambda's init phase) with the function's process.env and NODE_OPTIONS, then invoked for each
// message from the emulator. Plain CommonJS run as is by whichever Node the function's runtime gets.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const { assetDir, handler: spec } = JSON.parse(process.argv[2]);
// The emulator went away (even killed): an environment nobody can invoke ends with it.
process.on('disconnect', () => process.exit(0));

class LambdaError extends Error {
  constructor(errorType, message) {
    super(message);
    this.name = errorType;
  }
}

function toError(e) {
  if (e instanceof Error) return { errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack || '').split('\n') };
  // A thrown (or callback'd) string keeps its text as the message, which is how `Unauthorized` reaches API Gateway.
  return { errorType: typeof e, errorMessage: String(e), trace: [] };
}

async function load() {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new LambdaError('Runtime.MalformedHandlerName', `Bad handler ${spec}: expected file.export`);
  const base = path.resolve(assetDir, spec.slice(0, dot));
  const exportName = spec.slice(dot + 1);
  const file = ['.js', '.cjs', '.mjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new LambdaError('Runtime.ImportModuleError', `Error: Cannot find module '${spec.slice(0, dot)}' in ${assetDir}`);
  let mod;
  if (file.endsWith('.mjs')) mod = await import(pathToFileURL(file).href);
  else {
    try {
      mod = require(file);
    } catch (e) {
      if (e && e.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(file).href);
      else throw e;
    }
  }
  const fn = mod[exportName] ?? (mod.default && mod.default[exportName]);
  if (typeof fn !== 'function') throw new LambdaError('Runtime.HandlerNotFound', `${spec} is undefined or not exported`);
  return fn;
}

function run(fn, event, ctx) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, value) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(value);
    };
    const context = {
      ...ctx,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, ctx.deadlineMs - Date.now()),
      done,
      succeed: (value) => done(null, value),
      fail: (err) => done(err ?? new Error('handled')),
    };
    delete context.deadlineMs;
    let returned;
    try {
      returned = fn(event, context, done);
    } catch (e) {
      return done(e);
    }
    if (returned && typeof returned.then === 'function') returned.then((v) => done(null, v), (e) => done(e ?? new Error('rejected')));
    else if (fn.length < 3) done(null, returned);
  });
}

const ready = load();
ready.then(
  () => process.send({ type: 'ready' }),
  (e) => process.send({ type: 'init-error', error: toError(e) }),
);

// What the function writes to stdout during an invocation also travels with its result, so the emulator
// can read the function's structured log records for that very request (its stream may arrive later).
let written;
const write = process.stdout.write;
process.stdout.write = function (chunk, ...rest) {
  if (written) written.push(String(chunk));
  return write.call(this, chunk, ...rest);
};

process.on('message', async (msg) => {
  if (msg.type !== 'invoke') return;
  written = [];
  try {
    const fn = await ready;
    const value = await run(fn, JSON.parse(msg.event), msg.context);
    // What API Gateway receives is the JSON Lambda serialises: undefined becomes null, Dates strings.
    process.send({ type: 'result', id: msg.id, ok: true, payload: JSON.stringify(value === undefined ? null : value), stdout: written.join('') });
  } catch (e) {
    process.send({ type: 'result', id: msg.id, ok: false, error: toError(e), stdout: written.join('') });
  } finally {
    written = undefined;
  }
});
