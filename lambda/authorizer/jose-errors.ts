// The one place jose's errors become our stable reason codes (docs/operations.md, "Logs"). Branches on jose's
// `code` and `claim` only, never on message text, and never passes that text on: jose's messages quote what
// the token says (an unknown `crit` entry, whole), and the decision log writes the detail. Anything that is
// not jose saying the token is bad (a TypeError from a key, a code not listed here, an error of ours) is not
// made a TokenError: a token that could not be checked is not called invalid.
import { decodeProtectedHeader } from 'jose';
import { JOSEError } from 'jose/errors';
import { TokenError, type TokenErrorCode } from './errors';

type JoseError = JOSEError & { claim?: string; reason?: string; payload?: Record<string, unknown> };

const BY_CODE: Readonly<Record<string, TokenErrorCode>> = {
  ERR_JWS_INVALID: 'TOKEN_MALFORMED',
  ERR_JWT_INVALID: 'TOKEN_MALFORMED',
  ERR_JOSE_ALG_NOT_ALLOWED: 'ALG_NOT_ALLOWED',
  ERR_JOSE_NOT_SUPPORTED: 'HEADER_UNSUPPORTED', // a crit extension jose does not know
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'SIGNATURE_INVALID',
  ERR_JWKS_NO_MATCHING_KEY: 'KEY_NOT_FOUND',
  ERR_JWT_EXPIRED: 'EXPIRED',
};

const BY_CLAIM: Readonly<Record<string, TokenErrorCode>> = {
  iss: 'ISSUER_MISMATCH',
  aud: 'AUDIENCE_MISMATCH',
  nbf: 'NOT_YET_VALID',
  typ: 'TYP_INVALID',
};

/** What the decision log says for each code made here: fixed text, never jose's message. */
const DETAIL: Readonly<Partial<Record<TokenErrorCode, string>>> = {
  TOKEN_MALFORMED: 'jose: not a well-formed JWS or JWT',
  ALG_NOT_ALLOWED: 'jose: alg is missing or not allowed',
  HEADER_UNSUPPORTED: 'jose: crit names an extension it does not support',
  SIGNATURE_INVALID: 'jose: signature verification failed',
  KEY_NOT_FOUND: 'jose: no key fits',
  EXPIRED: 'jose: exp is in the past',
  ISSUER_MISMATCH: 'jose: iss is not the configured issuer',
  AUDIENCE_MISMATCH: 'jose: aud holds no configured audience',
  NOT_YET_VALID: 'jose: nbf is in the future',
  TYP_INVALID: 'jose: typ is not the one required',
};

/** The registered claims jose checks: the only claim names a detail may carry. */
const REGISTERED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'typ']);

/** jose's verdict on `token` as a TokenError, or `error` itself when it is not jose refusing the token. */
export function fromJose(error: unknown, token: string): unknown {
  if (!(error instanceof JOSEError)) return error;
  const e = error as JoseError;
  const code = codeOf(e, token);
  if (code === undefined) return error;
  const claim = REGISTERED.has(e.claim ?? '') ? e.claim : 'a registered claim';
  // The token's own iss goes to the decision log beside the configured one (bounded and escaped there).
  const facts = code === 'ISSUER_MISMATCH' ? { tokenIss: e.payload?.iss } : {};
  return new TokenError(code, DETAIL[code] ?? `jose: ${claim} is missing or invalid`, facts);
}

function codeOf(e: JoseError, token: string): TokenErrorCode | undefined {
  if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    // A registered claim of the wrong type (an object for aud, a string for nbf) is malformed, not a mismatch.
    if (e.reason === 'invalid' || (e.claim === 'aud' && e.payload?.aud !== undefined && !isAudience(e.payload.aud))) return 'CLAIM_INVALID';
    return BY_CLAIM[e.claim ?? ''] ?? 'CLAIM_INVALID';
  }
  // jose calls a header without a usable alg malformed; to an operator it is an algorithm not allowed.
  if (e.code === 'ERR_JWS_INVALID' && hasNoAlg(token)) return 'ALG_NOT_ALLOWED';
  return BY_CODE[e.code];
}

const isAudience = (aud: unknown) => typeof aud === 'string' || Array.isArray(aud);

function hasNoAlg(token: string): boolean {
  try {
    const { alg } = decodeProtectedHeader(token);
    return typeof alg !== 'string' || alg === '';
  } catch {
    return false;
  }
}
