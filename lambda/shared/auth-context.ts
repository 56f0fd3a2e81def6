// Reads what the authorizer handed to a downstream Lambda. API Gateway stringifies context values for
// proxy integrations ("false", not false), so both forms are read.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { decodeContextClaims } from './claims';

export interface AuthContext {
  readonly anonymous: boolean;
  /** The token's username claim (email by default), or its sub; undefined for anonymous callers. */
  readonly username: string | undefined;
  readonly sub: string | undefined;
  /** The token's scopes plus `authenticated`; empty for anonymous callers. */
  readonly scopes: ReadonlySet<string>;
  /** The configured issuer that vouched for the token; undefined for anonymous callers. */
  readonly issuer: string | undefined;
  /** The claims the authorizer handed on, typed as the token had them (`cognito:groups` → string[]). */
  readonly claims: Readonly<Record<string, unknown>>;
  hasScopes(...required: readonly string[]): boolean;
  /** One handed-on claim by its reference (shared/claims.ts), or undefined. */
  claim(ref: string): unknown;
}

const ANONYMOUS: AuthContext = Object.freeze({
  anonymous: true,
  username: undefined,
  sub: undefined,
  scopes: new Set<string>(),
  issuer: undefined,
  claims: Object.freeze({}),
  hasScopes: (...required: readonly string[]) => required.length === 0,
  claim: () => undefined,
});

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** Anonymous unless the authorizer vouched for a principal; never trusts request headers. */
export function readAuthContext(event: Pick<APIGatewayProxyEvent, 'requestContext'>): AuthContext {
  const a = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  // The flag, not the principal: a user whose sub happens to be "anonymous" is still a user.
  if (!a || a.anonymous === true || a.anonymous === 'true') return ANONYMOUS;
  const sub = text(a.sub) ?? text(a.principalId);
  if (sub === undefined) return ANONYMOUS;
  const scopes = new Set(String(a.scopes ?? '').split(' ').filter(Boolean));
  const claims = decodeContextClaims(a);
  return Object.freeze({
    anonymous: false,
    username: text(a.username) ?? sub,
    sub,
    scopes,
    issuer: text(a.issuer),
    claims,
    hasScopes: (...required: readonly string[]) => required.every((s) => scopes.has(s)),
    claim: (ref: string) => (Object.hasOwn(claims, ref) ? claims[ref] : undefined),
  });
}
