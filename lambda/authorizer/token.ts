// Finds the bearer credential in a REQUEST authorizer event (RFC 6750 §2.1).
// Header names are case-insensitive; the scheme too. Exactly one header and one credential, or refusal.
import { TokenError } from './errors';

type Headers = Readonly<Record<string, string | undefined>> | null | undefined;
type MultiHeaders = Readonly<Record<string, readonly string[] | undefined>> | null | undefined;

// b64token (RFC 6750 §2.1); the JWS parts are the base64url subset of it.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SPACE = 32;
const TAB = 9;

/** Whether `s`, from `at`, is `lower` (lowercase ASCII letters) in any case: no lowercased copy is made. */
function isWordAt(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((s.charCodeAt(at + i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

const isAuthorization = (name: string) => name.length === 13 && isWordAt(name, 0, 'authorization');

const malformed = () => new TokenError('TOKEN_MALFORMED', 'Authorization is not a single Bearer token');

/**
 * The token, or undefined when no Authorization header is present (or its one copy is blank).
 * Throws TokenError for a header that is present but not exactly one well-formed bearer token.
 */
export function extractBearerToken(headers: Headers, multiValueHeaders: MultiHeaders, maxTokenBytes: number): string | undefined {
  const credential = authorizationCredential(headers, multiValueHeaders, maxTokenBytes, false)?.token;
  if (credential !== undefined) checkB64Token(credential);
  return credential;
}

const isOws = (c: number) => c === SPACE || c === TAB;

/** `s` without the spaces and tabs around it (HTTP's OWS), and nothing else: `trim()` strips Unicode spaces too. */
function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

const ambiguous = (why: string) => new TokenError('TOKEN_AMBIGUOUS', why);

/** The scheme and credential of the Authorization header. */
export interface Credential {
  /** `DPoP` only where proofs are taken (RFC 9449 §7.1); `Bearer` otherwise. */
  readonly scheme: 'Bearer' | 'DPoP';
  readonly token: string;
}

/**
 * The one value of the header `isName` picks out, or undefined when there is none; `ambiguous` for a second copy.
 * API Gateway caches its answer under `headers`' copy, the last one sent, so a second copy of any kind (blank
 * too) is ambiguous, and so are `headers` and `multiValueHeaders` that do not name the same one.
 */
export function singleHeader(headers: Headers, multiValueHeaders: MultiHeaders, isName: (name: string) => boolean, ambiguous: (why: string) => Error, label: string): string | undefined {
  let copies = 0;
  let value: string | undefined;
  if (multiValueHeaders) {
    for (const name in multiValueHeaders) {
      if (!isName(name)) continue;
      for (const v of multiValueHeaders[name] ?? []) if (copies++ === 0) value = v;
    }
  }
  let named = 0;
  let last: string | undefined;
  if (headers) {
    for (const name in headers) {
      const v = headers[name];
      if (v !== undefined && isName(name) && named++ === 0) last = v;
    }
  }
  if (copies > 1 || named > 1) throw ambiguous(`more than one ${label} header`);
  if (multiValueHeaders && headers ? copies !== named || value !== last : false) throw ambiguous(`headers and multiValueHeaders disagree on ${label}`);
  return value ?? last;
}

/**
 * The Authorization header's one credential: `Bearer`, or also `DPoP` (scheme in any case) when `dpop` is set.
 * Without the character check of the token, which is checkB64Token: split so that a credential already in the
 * verified-token cache (so checked when it was verified) is not scanned again.
 */
export function authorizationCredential(headers: Headers, multiValueHeaders: MultiHeaders, maxTokenBytes: number, dpop: boolean): Credential | undefined {
  const value = singleHeader(headers, multiValueHeaders, isAuthorization, ambiguous, 'Authorization');
  if (value === undefined) return undefined;
  if (value.length > maxTokenBytes + 16) throw new TokenError('TOKEN_TOO_LARGE', 'Authorization header is over the size limit');
  // `Bearer` (or `DPoP`), in any case, then one or more spaces, then the credential up to the end of the trimmed value.
  const trimmed = trimOws(value);
  if (trimmed === '') return undefined;
  let scheme: Credential['scheme'];
  if (trimmed.length >= 8 && isWordAt(trimmed, 0, 'bearer') && trimmed.charCodeAt(6) === SPACE) scheme = 'Bearer';
  else if (dpop && trimmed.length >= 6 && isWordAt(trimmed, 0, 'dpop') && trimmed.charCodeAt(4) === SPACE) scheme = 'DPoP';
  else throw malformed();
  let start = scheme === 'Bearer' ? 7 : 5;
  while (trimmed.charCodeAt(start) === SPACE) start++;
  if (trimmed.length - start > maxTokenBytes) throw new TokenError('TOKEN_TOO_LARGE', 'the bearer token is over the size limit');
  return { scheme, token: trimmed.slice(start) };
}

/** Throws unless `credential` is a b64token: base64url, base64 or `~` characters, then `=` padding only. */
export function checkB64Token(credential: string): void {
  if (!B64TOKEN.test(credential)) throw malformed();
}
