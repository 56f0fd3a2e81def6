// Lambda entry: configuration (the staged settings file, then the environment) is read and validated once, at cold start, and the key fetch starts
// during init so the first request usually finds keys ready. An issuer outage cannot fail the init:
// the prefetch only logs, and requests answer 503 until keys can be had.
import { readConfig } from './config';
import { createAuthorizer } from './handler';
import { readSettings } from './settings-file';

// In the bundle, __dirname is the function's own directory, where the construct staged oidc-settings.json.
const authorizer = createAuthorizer(readConfig(readSettings(__dirname, process.env)));
// Started just after this module has loaded rather than inside its import: loading the https client and
// opening the connection then overlap with the runtime's own work before the first invocation arrives.
queueMicrotask(() => authorizer.prefetch());

export const handler = authorizer.handler;
