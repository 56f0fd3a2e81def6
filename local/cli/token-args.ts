// Arguments of `npm run -s token -- --scope "openid profile" --email alice@example.com --expires 1h`.
import type { TokenRequest } from '../dev-issuer/token';
import { parseDuration } from './duration';
import { LocalError } from '../errors';
import { unknownArgument } from './unknown-argument';

export const TOKEN_USAGE = `Usage: npm run -s token -- [--scope "openid profile"] [--email alice@example.com] [--expires 1h] [--sub id] [--audience aud] [--claim name=value]… [--dpop] [--port 3000]

Prints one access token from the dev issuer that \`npm start\` runs, and nothing else, on stdout.
  --scope     space-delimited scopes (default "openid profile")
  --email     the email claim, which the API shows as the username (default alice@example.com)
  --expires   lifetime: 90s, 15m, 1h, 2d; negative (--expires=-5m) for an expired token (default 1h)
  --sub       the subject (default derived from the email)
  --audience  another aud, to see a token for someone else's API refused (default the API's)
  --claim     one more claim, repeatable: a JSON value (tenant_id=\"acme\", 'cognito:groups=["admins"]',
              'realm_access={"roles":["manager"]}') or else the text as a string (tenant_id=acme)
  --dpop      a DPoP-bound token (RFC 9449): bound to a new key, saved with the token in .local/PORT/dpop-key.json
              for \`npm run -s dpop -- GET <url>\` to sign proofs with; the key and how to use it go to stderr
  --port      which npm start to ask, by its PORT (default the only one running)`;

const OPTIONS = new Set(['scope', 'email', 'expires', 'sub', 'audience', 'port', 'claim']);

/** `name=value`: the value as JSON when it parses, else as a string. */
function claimArg(arg: string, into: Record<string, unknown>): void {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new LocalError('USAGE', `--claim needs name=value, got ${JSON.stringify(arg)}\n\n${TOKEN_USAGE}`);
  const raw = arg.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself.
  }
  into[arg.slice(0, eq)] = value;
}

export type TokenArgs = { readonly help: true } | { readonly help: false; readonly request: TokenRequest; readonly port?: number; readonly dpop?: true };

export function parseTokenArgs(argv: readonly string[]): TokenArgs {
  const values: Record<string, string> = {};
  const claims: Record<string, unknown> = {};
  let dpop = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { help: true };
    if (arg === '--dpop') {
      dpop = true;
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !OPTIONS.has(m[1]!)) {
      throw new LocalError('USAGE', `${unknownArgument(arg, arg.split('=')[0]!, [...OPTIONS, 'help', 'dpop'].map((o) => `--${o}`))}\n\n${TOKEN_USAGE}`);
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new LocalError('USAGE', `--${m[1]} needs a value\n\n${TOKEN_USAGE}`);
    if (m[1] === 'claim') claimArg(value, claims);
    else values[m[1]!] = value;
  }
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) throw new LocalError('USAGE', `--port must be the PORT of a running npm start, got ${JSON.stringify(values.port)}`);
  return {
    help: false,
    ...(values.port !== undefined ? { port: Number(values.port) } : {}),
    ...(dpop ? { dpop: true as const } : {}),
    request: {
      ...(values.scope !== undefined ? { scope: values.scope.trim().replace(/\s+/g, ' ') } : {}),
      ...(values.email !== undefined ? { email: values.email } : {}),
      ...(values.sub !== undefined ? { sub: values.sub } : {}),
      ...(values.audience !== undefined ? { audience: values.audience } : {}),
      ...(values.expires !== undefined ? { expiresInSeconds: parseDuration(values.expires, '--expires') } : {}),
      ...(Object.keys(claims).length > 0 ? { claims } : {}),
    },
  };
}
