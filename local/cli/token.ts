// `npm run -s token -- --scope "openid profile"`: asks the dev issuer that `npm start` runs for a token
// and prints it alone on stdout, so `$(npm run -s token)` drops straight into a curl command. Every
// diagnostic goes to stderr, with a non-zero exit. With --dpop the token is bound to a new key, saved for
// `npm run -s dpop` (dpop.ts), and stderr says how to send it.
import * as path from 'node:path';
import { readState, type DevIssuerState } from '../dev-issuer/state';
import { stateFileFor } from '../instance';
import type { TokenRequest } from '../dev-issuer/token';
import { isLocalError, LocalError } from '../errors';
import { dpopKeyFileOf, newDpopKey, writeDpopKeyFile } from './dpop-key';
import { parseTokenArgs, TOKEN_USAGE } from './token-args';

/** POSTs the request to the issuer's /dev/token endpoint. */
export async function requestToken(state: DevIssuerState, request: TokenRequest, fetchFn: typeof fetch = fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetchFn(`${state.issuer}/dev/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${state.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(5000),
    });
  } catch (e) {
    throw new LocalError('ISSUER_NOT_RUNNING', `the dev issuer at ${state.issuer} does not answer: is \`npm start\` still running?`, { cause: e });
  }
  const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error_description?: unknown; error?: unknown };
  if (res.ok && typeof body.access_token === 'string') return body.access_token;
  if (res.status === 401) throw new LocalError('ISSUER_NOT_RUNNING', `the dev issuer at ${state.issuer} refused the secret in the state file: restart \`npm start\``);
  throw new LocalError('TOKEN_REQUEST_INVALID', String(body.error_description ?? body.error ?? `the dev issuer answered HTTP ${res.status}`));
}

/**
 * A token bound to a new key, saved with it in `keyFile`; returns the token and what to tell the user: the key,
 * and a curl command with a proof from `npm run -s dpop` (naming `port` when the user named it).
 */
export async function requestDpopToken(state: DevIssuerState, request: TokenRequest, keyFile: string, port?: number, fetchFn: typeof fetch = fetch): Promise<{ token: string; instructions: string }> {
  const key = await newDpopKey();
  const token = await requestToken(state, { ...request, dpopJwk: key.publicJwk }, fetchFn);
  writeDpopKeyFile(keyFile, { privateJwk: key.privateJwk, token });
  const url = `${state.apiUrl}/profile`;
  const portArg = port !== undefined ? ` --port ${port}` : '';
  const instructions = [
    `A DPoP-bound token (cnf.jkt ${key.jkt}), printed on stdout; it and its private key are in ${keyFile} (mode 0600):`,
    `  ${JSON.stringify(key.privateJwk)}`,
    'Send it with the DPoP scheme and a new proof per request (signed by that key, for the method and URL,',
    'used once, fresh for about a minute); `npm run -s dpop -- METHOD URL` prints one for the saved token:',
    `  TOKEN=$(npm run -s token -- --dpop${portArg})`,
    `  curl -H "Authorization: DPoP $TOKEN" -H "DPoP: $(npm run -s dpop -- GET ${url}${portArg})" ${url}`,
  ].join('\n');
  return { token, instructions };
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parseTokenArgs(argv);
    if (args.help) {
      process.stderr.write(`${TOKEN_USAGE}\n`);
      return 0;
    }
    const stateFile = process.env.DEV_ISSUER_STATE || stateFileFor(path.resolve(__dirname, '..', '..'), args.port);
    if (args.dpop) {
      const { token, instructions } = await requestDpopToken(readState(stateFile), args.request, dpopKeyFileOf(stateFile), args.port);
      process.stderr.write(`${instructions}\n`);
      process.stdout.write(`${token}\n`);
      return 0;
    }
    process.stdout.write(`${await requestToken(readState(stateFile), args.request)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`token: ${isLocalError(e) ? e.message : (e as Error).stack}\n`);
    return isLocalError(e, 'USAGE') ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
