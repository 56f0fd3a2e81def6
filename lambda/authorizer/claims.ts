// Claim checks of ours after jose's (RFC 7519 §4.1, RFC 9068 §4): a future iat refused beyond the tolerance,
// sub required, token_use "access" when present, the scopes every token must hold, the username, the size
// of what the answer carries, and the Cognito client_id-as-audience mode. The exp/nbf check is repeated for
// verified-token cache hits.
import { TokenError } from './errors';

export interface ClaimRules {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly clientIdAsAudience: boolean;
  readonly requiredScopes: readonly string[];
  readonly usernameClaim: string;
  readonly toleranceSeconds: number;
}

/** What the rest of the authorizer needs from a verified token. */
export interface Principal {
  readonly sub: string;
  readonly username: string;
  /** Token scopes plus the pseudo-scope `authenticated`. */
  readonly scopes: ReadonlySet<string>;
  /** Space-delimited, for the authorizer context. */
  readonly scopeString: string;
  readonly exp: number;
  readonly nbf: number | undefined;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

// What a token puts in the answer is capped, so that the answer stays small whatever the token says
// (docs/configuration.md, "Claims handed on"): sub at most 255 bytes (OpenID Connect Core §2 allows no more),
// the username too, and the scopes handed on (with `authenticated`) at most 1 KB. A longer one refuses the
// token rather than being cut: a shortened sub or username is somebody else's.
export const MAX_SUBJECT_BYTES = 255;
export const MAX_SCOPES_BYTES = 1024;

const tooLarge = (what: string) => new TokenError('CLAIM_TOO_LARGE', what);

/** Scopes from `scope` (space-delimited, RFC 8693/9068) or `scp` (array or string: Okta, Entra ID). */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  // Each element must be one scope-token (RFC 6749 §3.3): "read write" in one element would become two
  // scopes once the context's space-delimited string is split downstream.
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))) return raw as string[];
  if (raw === undefined) return [];
  throw new TokenError('CLAIM_INVALID', 'scope claim is neither a string nor an array of strings');
}

/** The time checks, shared by fresh verifications and verified-token cache hits. */
export function checkTimes(exp: number, nbf: number | undefined, nowSeconds: number, tolerance: number): void {
  if (exp <= nowSeconds - tolerance) throw new TokenError('EXPIRED', 'token has expired');
  if (nbf !== undefined && nbf > nowSeconds + tolerance) throw new TokenError('NOT_YET_VALID', 'token is not valid yet (nbf)');
}

interface ScopeSets {
  /** The token's own scopes. */
  readonly held: ReadonlySet<string>;
  /** Those plus `authenticated`, and the same space-delimited. */
  readonly scopes: ReadonlySet<string>;
  readonly scopeString: string;
}

// Tokens of one client carry the same scope string, so its sets are made once and shared (they are never
// mutated). Bounded; filled only after a signature has verified.
const scopeMemo = new Map<string, ScopeSets>();
const SCOPE_MEMO_SIZE = 256;

function scopeSets(claims: Record<string, unknown>): ScopeSets {
  const raw = claims.scope ?? claims.scp;
  const memoized = typeof raw === 'string' ? scopeMemo.get(raw) : undefined;
  if (memoized) return memoized;
  const held = new Set(scopesOf(claims));
  const scopes = new Set(held).add('authenticated');
  const sets: ScopeSets = { held, scopes, scopeString: [...scopes].join(' ') };
  if (typeof raw === 'string') {
    if (scopeMemo.size >= SCOPE_MEMO_SIZE) scopeMemo.clear();
    scopeMemo.set(raw, sets);
  }
  return sets;
}

/**
 * The claim rules jose does not know, applied after jwtVerify has checked the signature, iss, aud (unless
 * client_id stands in for it), exp, nbf and the types of the registered time claims.
 */
export function validateClaims(claims: Record<string, unknown>, rules: ClaimRules, nowSeconds: number): Principal {
  if (rules.clientIdAsAudience) checkAudienceOrClientId(claims, rules.audiences);

  const { exp, nbf, iat, sub } = claims as { exp: number; nbf: number | undefined; iat: number | undefined; sub: unknown };
  if (iat !== undefined && iat > nowSeconds + rules.toleranceSeconds) throw new TokenError('ISSUED_IN_FUTURE', 'iat is in the future');
  if (typeof sub !== 'string' || sub === '') throw new TokenError('CLAIM_INVALID', 'sub is missing');
  if (Buffer.byteLength(sub) > MAX_SUBJECT_BYTES) throw tooLarge('sub is over 255 bytes');
  // Cognito marks its ID tokens token_use "id": only access tokens are bearer credentials for an API.
  if (claims.token_use !== undefined && claims.token_use !== 'access') throw new TokenError('TOKEN_USE_INVALID', 'token_use is not "access"');

  const { held, scopes, scopeString } = scopeSets(claims);
  for (const s of rules.requiredScopes) {
    if (!held.has(s)) throw new TokenError('SCOPE_MISSING', `token lacks the required scope ${s}`, { sub, missingScope: s });
  }
  if (Buffer.byteLength(scopeString) > MAX_SCOPES_BYTES) throw tooLarge('the scopes are over 1024 bytes');

  const named = claims[rules.usernameClaim];
  const username = typeof named === 'string' && named !== '' ? named : sub;
  if (Buffer.byteLength(username) > MAX_SUBJECT_BYTES) throw tooLarge('the username claim is over 255 bytes');
  return {
    sub,
    username,
    scopes,
    scopeString,
    exp,
    nbf,
  };
}

/** aud as jose checks it when present; when absent, a client_id that is an allowed audience (Cognito access tokens). */
function checkAudienceOrClientId(claims: Record<string, unknown>, audiences: ReadonlySet<string>): void {
  const { aud, client_id: clientId } = claims;
  if (aud === undefined) {
    if (!(typeof clientId === 'string' && audiences.has(clientId))) throw new TokenError('AUDIENCE_MISMATCH', 'token has neither aud nor an allowed client_id');
  } else if (typeof aud === 'string') {
    if (!audiences.has(aud)) throw new TokenError('AUDIENCE_MISMATCH', 'aud is not an allowed audience');
  } else if (Array.isArray(aud)) {
    if (!aud.some((a) => typeof a === 'string' && audiences.has(a))) throw new TokenError('AUDIENCE_MISMATCH', 'aud holds no allowed audience');
  } else {
    throw new TokenError('CLAIM_INVALID', 'aud is neither a string nor an array');
  }
}
