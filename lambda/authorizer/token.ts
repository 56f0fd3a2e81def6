// Finds the bearer credential in a REQUEST authorizer event (RFC 6750 §2.1).
// Header names are case-insensitive; the scheme too. Exactly one header and one credential, or refusal.
import { TokenError } from './errors';

type Headers = Readonly<Record<string, string | undefined>> | null | undefined;
type MultiHeaders = Readonly<Record<string, readonly string[] | undefined>> | null | undefined;

// b64token (RFC 6750 §2.1); the JWS parts are the base64url subset of it.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token, or undefined when no Authorization header is present (or it is blank).
 * Throws TokenError for a header that is present but not exactly one well-formed bearer token.
 */
export function extractBearerToken(headers: Headers, multiValueHeaders: MultiHeaders, maxTokenBytes: number): string | undefined {
  const values: string[] = [];
  if (multiValueHeaders) {
    for (const name in multiValueHeaders) {
      if (name.length === 13 && name.toLowerCase() === 'authorization') values.push(...(multiValueHeaders[name] ?? []));
    }
  }
  if (values.length === 0 && headers) {
    for (const name in headers) {
      const v = headers[name];
      if (name.length === 13 && name.toLowerCase() === 'authorization' && v !== undefined) values.push(v);
    }
  }
  const present = values.filter((v) => v.trim() !== '');
  if (present.length === 0) return undefined;
  if (present.length > 1) throw new TokenError('TOKEN_AMBIGUOUS', 'more than one Authorization header');
  const value = present[0]!;
  if (value.length > maxTokenBytes + 16) throw new TokenError('TOKEN_TOO_LARGE', 'Authorization header is over the size limit');
  const m = BEARER.exec(value.trim());
  if (!m) throw new TokenError('TOKEN_MALFORMED', 'Authorization is not a single Bearer token');
  return m[1]!;
}
