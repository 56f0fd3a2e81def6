// The DPoP key `npm run token -- --dpop` binds a token to, kept with that token in one 0600 file beside the dev
// issuer's state (.local/<PORT>/dpop-key.json), so `npm run -s dpop -- GET <url>` can sign proofs for it. Proofs
// are made by panva's `dpop` package: the same library a client would use, not code of ours.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateProof, type KeyPair } from 'dpop';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { LocalError } from '../errors';

/** Proofs are signed with ES256, which every IdP and the authorizer's default dpopAlgorithms accept. */
export const DPOP_ALG = 'ES256';

export interface DpopKeyFile {
  /** The private key (JWK, with `d`): keep it to yourself. */
  readonly privateJwk: JWK;
  /** The access token bound to it (cnf.jkt). */
  readonly token: string;
}

/** Where the key of the instance whose dev issuer state is `stateFile` lives. */
export const dpopKeyFileOf = (stateFile: string): string => path.join(path.dirname(stateFile), 'dpop-key.json');

/** A new key pair: the private JWK to keep, the public one to bind a token to, and its RFC 7638 thumbprint. */
export async function newDpopKey(): Promise<{ privateJwk: JWK; publicJwk: JWK; jkt: string }> {
  const { privateKey, publicKey } = await generateKeyPair(DPOP_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateJwk: { ...(await exportJWK(privateKey)), alg: DPOP_ALG }, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

export function writeDpopKeyFile(file: string, content: DpopKeyFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600); // the mode above is filtered by the umask
  renameSync(temp, file);
}

export function readDpopKeyFile(file: string): DpopKeyFile {
  let parsed: Partial<DpopKeyFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DpopKeyFile>;
  } catch {
    throw new LocalError('USAGE', `no DPoP key in ${file}: get a bound token first with \`npm run -s token -- --dpop\``);
  }
  if (typeof parsed.token !== 'string' || typeof parsed.privateJwk !== 'object' || parsed.privateJwk === null || typeof parsed.privateJwk.d !== 'string') {
    throw new LocalError('USAGE', `${file} holds no DPoP key and token: run \`npm run -s token -- --dpop\` again`);
  }
  return parsed as DpopKeyFile;
}

/**
 * A DPoP proof (RFC 9449 §4.2) for one request: `htm` the method, `htu` the URL without query and fragment,
 * `ath` the token's hash, signed with `privateJwk`, a new `jti` and the current `iat`.
 */
export async function makeProof(input: { privateJwk: JWK; token: string; method: string; url: string }): Promise<string> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new LocalError('USAGE', `${JSON.stringify(input.url)} is not an absolute URL such as http://127.0.0.1:3000/profile`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LocalError('USAGE', `the URL must be http or https, got ${url.protocol}`);
  if (!/^[A-Za-z]+$/.test(input.method)) throw new LocalError('USAGE', `${JSON.stringify(input.method)} is not an HTTP method such as GET`);
  const htu = `${url.origin}${url.pathname}`;
  const { d: _private, ...publicJwk } = input.privateJwk;
  const alg = input.privateJwk.alg ?? DPOP_ALG;
  const privateKey = await importJWK(input.privateJwk, alg);
  const publicKey = await importJWK({ ...publicJwk, ext: true }, alg);
  return generateProof({ privateKey, publicKey } as KeyPair, htu, input.method.toUpperCase(), undefined, input.token);
}
