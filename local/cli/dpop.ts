// `npm run -s dpop -- GET http://127.0.0.1:3000/profile`: prints one DPoP proof (RFC 9449) for that request,
// alone on stdout, signed by the key `npm run -s token -- --dpop` saved and carrying the hash of the token
// saved with it, so `-H "DPoP: $(npm run -s dpop -- GET <url>)"` drops into a curl command. A proof is good
// for one request: make a new one for each. Diagnostics go to stderr, with a non-zero exit.
import * as path from 'node:path';
import { stateFileFor } from '../instance';
import { isLocalError, LocalError } from '../errors';
import { dpopKeyFileOf, makeProof, readDpopKeyFile } from './dpop-key';

export const DPOP_USAGE = `Usage: npm run -s dpop -- METHOD URL [--token TOKEN] [--key FILE] [--port 3000]

Prints a DPoP proof for one request to URL (its query and fragment are left out of htu), signed by the key
\`npm run -s token -- --dpop\` saved, for the token saved with it.
  --token   the access token the proof is for (its ath), when not the saved one
  --key     the file \`token --dpop\` wrote (default .local/PORT/dpop-key.json, or DPOP_KEY_FILE)
  --port    which npm start's key, by its PORT (default the only one running)`;

export interface DpopArgs {
  readonly help: boolean;
  readonly method: string;
  readonly url: string;
  readonly token?: string;
  readonly keyFile?: string;
  readonly port?: number;
}

export function parseDpopArgs(argv: readonly string[]): DpopArgs {
  const positional: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { help: true, method: '', url: '' };
    const m = /^--(token|key|port)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      if (arg.startsWith('--')) throw new LocalError('USAGE', `unknown argument ${JSON.stringify(arg)}\n\n${DPOP_USAGE}`);
      positional.push(arg);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new LocalError('USAGE', `--${m[1]} needs a value\n\n${DPOP_USAGE}`);
    values[m[1]!] = value;
  }
  if (positional.length !== 2) throw new LocalError('USAGE', `give the request's METHOD and URL\n\n${DPOP_USAGE}`);
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port)) throw new LocalError('USAGE', `--port must be the PORT of a running npm start, got ${JSON.stringify(values.port)}`);
  return {
    help: false,
    method: positional[0]!,
    url: positional[1]!,
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values.key !== undefined ? { keyFile: values.key } : {}),
    ...(values.port !== undefined ? { port: Number(values.port) } : {}),
  };
}

/** The proof `argv` asks for; `env` may name the key file (DPOP_KEY_FILE) or the dev issuer state (DEV_ISSUER_STATE). */
export async function dpopProof(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, projectDir: string): Promise<string | undefined> {
  const args = parseDpopArgs(argv);
  if (args.help) return undefined;
  const keyFile = args.keyFile ?? (env.DPOP_KEY_FILE || dpopKeyFileOf(env.DEV_ISSUER_STATE || stateFileFor(projectDir, args.port)));
  const saved = readDpopKeyFile(keyFile);
  return makeProof({ privateJwk: saved.privateJwk, token: args.token ?? saved.token, method: args.method, url: args.url });
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const proof = await dpopProof(argv, process.env, path.resolve(__dirname, '..', '..'));
    if (proof === undefined) process.stderr.write(`${DPOP_USAGE}\n`);
    else process.stdout.write(`${proof}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`dpop: ${isLocalError(e) ? e.message : (e as Error).stack}\n`);
    return isLocalError(e, 'USAGE') ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
