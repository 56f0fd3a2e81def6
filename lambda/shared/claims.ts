// Claims by reference, shared by the authorizer (route rules, the context it hands on) and the Lambdas (their
// own re-check, reading the context back). A reference is a claim name exactly as the token spells it
// (`tenant_id`, `cognito:groups`, `https://example.com/roles`), or, for a nested claim, an RFC 6901 JSON
// Pointer starting with `/` (`/realm_access/roles`; `~1` stands for `/` and `~0` for `~` inside a name).
import { ConfigError } from './errors';

/** The longest claim reference accepted in configuration. */
const MAX_REFERENCE_LENGTH = 200;

/** Throws a message naming `where` unless `ref` is a usable claim reference. */
export function checkClaimReference(ref: unknown, where: string): string {
  if (typeof ref !== 'string' || ref === '' || ref.length > MAX_REFERENCE_LENGTH || /[\s\u0000-\u001f]/.test(ref)) {
    throw new ConfigError(where, `${JSON.stringify(ref)} is not a claim name (a non-empty name without spaces, or a JSON Pointer such as /realm_access/roles)`);
  }
  // As an object key it would set a prototype rather than name a claim.
  if (ref === '__proto__') throw new ConfigError(where, `"__proto__" cannot name a claim`);
  if (ref.startsWith('/') && (ref === '/' || /~[^01]|~$/.test(ref))) {
    throw new ConfigError(where, `${JSON.stringify(ref)} is not a JSON Pointer (RFC 6901): each step after a / needs a name, ~ only as ~0 or ~1`);
  }
  return ref;
}

/** The value `ref` names in `claims`, or undefined. Never walks into a prototype. */
export function readClaim(claims: Readonly<Record<string, unknown>>, ref: string): unknown {
  if (!ref.startsWith('/')) return Object.hasOwn(claims, ref) ? claims[ref] : undefined;
  let node: unknown = claims;
  for (const raw of ref.slice(1).split('/')) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/** A value a claim rule asks for; it meets a claim value of the same type only (`1` is not `"1"`). */
export type ClaimValue = string | number | boolean;

/** Claim rules of a route: every listed claim must hold at least one of its listed values. */
export type ClaimRules = Readonly<Record<string, readonly ClaimValue[]>>;

/**
 * Claims whose string is a space-delimited list by definition: `scope` (RFC 8693 §4.2, RFC 9068 §2.2.3) and
 * `scp` as Entra ID sends it. Any other string claim is one value, spaces and all: "user admin" is no admin.
 */
const SPACE_DELIMITED: ReadonlySet<string> = new Set(['scope', 'scp', '/scope', '/scp']);

/** Whether a claim's `value` holds `wanted`: equal to it, or an array with a member equal to it. */
function holds(value: unknown, wanted: ClaimValue, spaceDelimited: boolean): boolean {
  if (Array.isArray(value)) return value.includes(wanted);
  if (spaceDelimited && typeof value === 'string' && typeof wanted === 'string') return value.split(' ').includes(wanted);
  return value === wanted;
}

/** Whether the claims `read` gives meet every rule. */
export function meetsClaimRules(rules: ClaimRules, read: (ref: string) => unknown): boolean {
  for (const ref of Object.keys(rules)) {
    const value = read(ref);
    const split = SPACE_DELIMITED.has(ref);
    if (!rules[ref]!.some((v) => holds(value, v, split))) return false;
  }
  return true;
}

const isClaimValue = (v: unknown): v is ClaimValue =>
  (typeof v === 'string' && v !== '' && !/\s/.test(v)) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

/** Booleans, numbers, strings, each in order: one spelling of a rule however it was written. */
const byTypeThenValue = (a: ClaimValue, b: ClaimValue) => (typeof a !== typeof b ? (typeof a < typeof b ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0);

/**
 * Validates a route's `claims` setting: an object of claim reference → non-empty array of values, each a
 * string without spaces, a number or a boolean, met by a claim value of the same type.
 */
export function parseClaimRules(value: unknown, where: string): ClaimRules {
  if (value === undefined) return Object.freeze({});
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(where, `claims must be an object such as {"cognito:groups": ["admins"]}`);
  const out: Record<string, readonly ClaimValue[]> = {};
  for (const [ref, values] of Object.entries(value)) {
    checkClaimReference(ref, where);
    if (!Array.isArray(values) || values.length === 0 || !values.every(isClaimValue)) {
      throw new ConfigError(
        where,
        `claims[${JSON.stringify(ref)}] must be a non-empty array of values: strings without spaces, numbers or booleans, each met only by a claim value of its type (["admins"], [3], [true])`,
      );
    }
    out[ref] = Object.freeze([...new Set(values)].sort(byTypeThenValue));
  }
  return Object.freeze(out);
}

// --- the authorizer context -------------------------------------------------------------------------------
// API Gateway takes only string, number and boolean context values, and hands them to proxy integrations as
// strings. A claim goes in as `claim:<reference>`: strings and numbers as they are, booleans, arrays and
// objects as JSON; `claimTypes` (JSON) records which, so the reader gives each back as the token had it.

export const CLAIM_KEY_PREFIX = 'claim:';
export const CLAIM_TYPES_KEY = 'claimTypes';
/** A claim whose context value would be longer than this is left out of the context (the authorizer logs it). */
export const MAX_CONTEXT_CLAIM_BYTES = 512;

type ContextValue = string | number | boolean;
type ClaimType = 's' | 'n' | 'j';

/**
 * The context entries for `refs` of a verified token's `claims`; absent claims are left out. Returns the
 * references left out for size too, so the caller can say so.
 */
export function encodeContextClaims(
  claims: Readonly<Record<string, unknown>>,
  refs: readonly string[],
): { readonly entries: Record<string, ContextValue>; readonly tooLarge: readonly string[] } {
  const entries: Record<string, ContextValue> = {};
  const types: Record<string, ClaimType> = {};
  const tooLarge: string[] = [];
  for (const ref of refs) {
    const value = readClaim(claims, ref);
    if (value === undefined || value === null) continue;
    const [encoded, type]: [ContextValue, ClaimType] = typeof value === 'string' ? [value, 's'] : typeof value === 'number' && Number.isFinite(value) ? [value, 'n'] : [JSON.stringify(value), 'j'];
    if (Buffer.byteLength(String(encoded)) > MAX_CONTEXT_CLAIM_BYTES) {
      tooLarge.push(ref);
      continue;
    }
    entries[CLAIM_KEY_PREFIX + ref] = encoded;
    types[ref] = type;
  }
  if (Object.keys(types).length > 0) entries[CLAIM_TYPES_KEY] = JSON.stringify(types);
  return { entries, tooLarge };
}

/** The claims an authorizer context carries, typed again: what encodeContextClaims put in. */
export function decodeContextClaims(context: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  let types: Record<string, ClaimType>;
  try {
    const parsed = JSON.parse(String(context[CLAIM_TYPES_KEY] ?? '{}')) as unknown;
    types = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, ClaimType>) : {};
  } catch {
    types = {};
  }
  const out: Record<string, unknown> = {};
  for (const [ref, type] of Object.entries(types)) {
    if (ref === '__proto__') continue;
    const raw = context[CLAIM_KEY_PREFIX + ref];
    if (raw === undefined) continue;
    try {
      out[ref] = type === 's' ? String(raw) : type === 'n' ? Number(raw) : JSON.parse(String(raw));
    } catch {
      // A value API Gateway would never have handed on: left out rather than guessed at.
    }
  }
  return Object.freeze(out);
}
