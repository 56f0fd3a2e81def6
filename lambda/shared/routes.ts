// The route table as the Lambdas see it: what each API method requires, parsed once at cold start.
// The construct collects it from the methods it protects and stages it as OIDC_ROUTES.
import { ConfigError } from './errors';
import { patternReaches, routeLanguage, routePattern } from './arn-pattern';
import { parseClaimRules, type ClaimRules } from './claims';

export type AuthMode = 'optional' | 'required';

/**
 * Proof of possession (RFC 9449 DPoP, RFC 8705 certificate-bound tokens): `off` takes Bearer only, and refuses
 * a bound token once any route takes proofs (possession.ts); `allowed` takes Bearer and proofs, but a token
 * carrying `cnf` only with its proof; `required` takes only sender-constrained tokens with their proof.
 */
export const SENDER_CONSTRAINTS = ['off', 'allowed', 'required'] as const;
export type SenderConstraint = (typeof SENDER_CONSTRAINTS)[number];

/** `value` as a SenderConstraint, or a ConfigError naming `setting` (and `where` within it). */
export function senderConstraintOf(value: unknown, setting: string, where = 'senderConstraint'): SenderConstraint {
  if (typeof value === 'string' && (SENDER_CONSTRAINTS as readonly string[]).includes(value)) return value as SenderConstraint;
  throw new ConfigError(setting, `${where} must be one of ${SENDER_CONSTRAINTS.join(', ')}, got ${JSON.stringify(value)}`);
}

/** Every method a route may declare, as API Gateway names them; ANY is every method. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface RouteRule {
  /** HTTP method as API Gateway names it (GET, POST, …, or ANY). */
  readonly method: string;
  /** API Gateway resource path, e.g. `/`, `/profile`, `/items/{id}`, `/files/{proxy+}`. */
  readonly resourcePath: string;
  /** `optional`: anonymous callers are let through; a presented token must still be valid. */
  readonly auth: AuthMode;
  /** Scopes a token must hold, beyond the globally required ones. */
  readonly scopes: readonly string[];
  /** Claims a token must hold (each at least one of its values), beside the scopes: shared/claims.ts. */
  readonly claims: ClaimRules;
  /** Issuers whose tokens may use the route; empty for every configured issuer. */
  readonly issuers: readonly string[];
  /** Proof of possession on this route; unset takes the token issuer's (itself the global setting by default). */
  readonly senderConstraint?: SenderConstraint;
}

const ROUTE_KEYS = new Set(['method', 'resourcePath', 'auth', 'scopes', 'claims', 'issuers', 'senderConstraint']);

const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token
const RESOURCE_PATH = /^\/([A-Za-z0-9._~!$&'()*+,;=:@-]+|\{[A-Za-z0-9_]+\+?\})?(\/([A-Za-z0-9._~!$&'()*+,;=:@-]+|\{[A-Za-z0-9_]+\+?\}))*$/;

/** Validates one rule, throwing a message that names `setting`. */
export function validateRouteRule(value: unknown, setting: string): RouteRule {
  if (typeof value !== 'object' || value === null) throw new ConfigError(setting, `each route must be an object`);
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!ROUTE_KEYS.has(key)) throw new ConfigError(setting, `a route has the unknown setting ${JSON.stringify(key)}; known: ${[...ROUTE_KEYS].join(', ')}`);
  }
  const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
  if (!METHODS.has(method)) throw new ConfigError(setting, `route method ${JSON.stringify(r.method)} is not one of ${[...METHODS].join(', ')}`);
  if (typeof r.resourcePath !== 'string' || !RESOURCE_PATH.test(r.resourcePath)) {
    throw new ConfigError(setting, `route path ${JSON.stringify(r.resourcePath)} is not an API Gateway resource path such as /items/{id}`);
  }
  if (r.auth !== 'optional' && r.auth !== 'required') throw new ConfigError(setting, `route ${method} ${r.resourcePath} needs auth "optional" or "required"`);
  const scopes = r.scopes ?? [];
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))) {
    throw new ConfigError(setting, `route ${method} ${r.resourcePath} scopes must be an array of scope tokens`);
  }
  const where = `${setting}: route ${method} ${r.resourcePath}`;
  const claims = parseClaimRules(r.claims, where);
  const issuers = r.issuers ?? [];
  if (!Array.isArray(issuers) || !issuers.every((i) => typeof i === 'string' && i !== '')) throw new ConfigError(where, `issuers must be an array of issuer URLs`);
  const senderConstraint = r.senderConstraint === undefined ? undefined : senderConstraintOf(r.senderConstraint, setting, `route ${method} ${r.resourcePath} senderConstraint`);
  return Object.freeze({
    method,
    resourcePath: r.resourcePath,
    auth: r.auth,
    scopes: Object.freeze([...new Set(scopes as string[])]),
    claims,
    issuers: Object.freeze([...new Set(issuers as string[])].sort()),
    ...(senderConstraint === undefined ? {} : { senderConstraint }),
  });
}

/** Parses the JSON route table (the value of OIDC_ROUTES). */
export function parseRouteTable(json: string | undefined, setting = 'OIDC_ROUTES'): readonly RouteRule[] {
  if (json === undefined || json.trim() === '') throw new ConfigError(setting, `is required: the OidcAuthorizer construct sets it from the methods it protects`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError(setting, `is not valid JSON: it must be an array of {method, resourcePath, auth, scopes}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError(setting, `must be a non-empty JSON array of routes`);
  const rules = parsed.map((r) => validateRouteRule(r, setting));
  const seen = new Set<string>();
  for (const r of rules) {
    const key = `${r.method} ${r.resourcePath}`;
    if (seen.has(key)) throw new ConfigError(setting, `route ${key} is declared twice`);
    seen.add(key);
  }
  checkReach(rules, setting);
  return Object.freeze(rules);
}

const describe = (r: RouteRule) =>
  `${r.method} ${r.resourcePath} (${r.auth}${r.scopes.length ? `, scopes ${r.scopes.join(' ')}` : ''}` +
  `${Object.keys(r.claims).length ? `, claims ${JSON.stringify(r.claims)}` : ''}${r.issuers.length ? `, issuers ${r.issuers.join(' ')}` : ''}` +
  `${r.senderConstraint ? `, senderConstraint ${r.senderConstraint}` : ''})`;

/**
 * The authorizer allows a token each route's resource pattern, and API Gateway reuses that policy for the
 * token on every route. In IAM a `*` (from `ANY`, `{param}` or `{proxy+}`) matches any run of characters,
 * `/` included, so `GET/items/*` also matches `GET/items/admin`. A route whose pattern reaches a route with
 * another requirement would let a token through to it: such a table is refused here, at synth and at cold start.
 */
function checkReach(rules: readonly RouteRule[], setting: string): void {
  // Harmless when everyone allowed `a` is allowed `b` anyway: anonymous callers get the optional routes that
  // require no scope, token holders the routes whose scopes they hold (authorizer/policy.ts).
  const implies = (a: RouteRule, b: RouteRule) => (!anonymousMay(a) || anonymousMay(b)) && requirementImplies(a, b);
  const languages = rules.map(routeLanguage);
  rules.forEach((r, i) => {
    const pattern = routePattern(r);
    if (!pattern.includes('*')) return;
    rules.forEach((other, j) => {
      if (j !== i && !implies(r, other) && patternReaches(pattern, languages[j]!)) {
        throw new ConfigError(
          setting,
          `the policy pattern ${pattern} of ${describe(r)} also matches requests of ${describe(other)}, ` +
            'so a caller allowed the first would reach the second through a cached policy. Require at least as much on the first, or move one to a path the other cannot match.',
        );
      }
    });
  });
}

/**
 * Whether a caller without a token may use `rule`: an optional route that requires nothing of a token (no
 * scope, claim or issuer). An optional route with such rules lets token holders who miss them through to
 * nothing, so it must not let anonymous callers through either (its Lambda answers them 401, shared/respond.ts).
 */
export function anonymousMay(rule: RouteRule): boolean {
  return rule.auth === 'optional' && rule.scopes.length === 0 && Object.keys(rule.claims).length === 0 && rule.issuers.length === 0;
}

/**
 * Whether every token that meets `a`'s requirements meets `b`'s: `b`'s scopes are among `a`'s, each claim `b`
 * requires `a` requires too with values among `b`'s, and `a` admits no issuer `b` does not.
 */
export function requirementImplies(a: RouteRule, b: RouteRule): boolean {
  if (!b.scopes.every((s) => a.scopes.includes(s))) return false;
  // Unset takes the issuer's setting, which only an equally unset route surely shares.
  if (a.senderConstraint !== b.senderConstraint && (b.senderConstraint === undefined || a.senderConstraint === undefined || rank(a.senderConstraint) < rank(b.senderConstraint))) return false;
  for (const ref in b.claims) {
    const mine = a.claims[ref];
    if (!mine || !mine.every((v) => b.claims[ref]!.includes(v))) return false;
  }
  if (b.issuers.length === 0) return true;
  return a.issuers.length > 0 && a.issuers.every((i) => b.issuers.includes(i));
}

/** True when every one of `required` is in `held`. */
export function holdsAll(held: ReadonlySet<string>, required: readonly string[]): boolean {
  for (const s of required) if (!held.has(s)) return false;
  return true;
}

const rank = (c: SenderConstraint) => SENDER_CONSTRAINTS.indexOf(c);

/** What decides a route's effective sender constraint besides the route: each issuer's (its own, or the global). */
export interface ProofIssuer {
  readonly issuer: string;
  readonly senderConstraint: SenderConstraint;
}

/** The sender constraint on `route` for a token of `issuer`: the route's when set, else the issuer's. */
export function effectiveConstraint(route: Pick<RouteRule, 'senderConstraint'>, issuer: Pick<ProofIssuer, 'senderConstraint'>): SenderConstraint {
  return route.senderConstraint ?? issuer.senderConstraint;
}

/**
 * Whether `route` can take a proof (DPoP or a client certificate) from a token of some issuer that may use it:
 * its methods then go behind an authorizer whose answers API Gateway never caches (a cached Allow would accept
 * the same proof again: RFC 9449 §11.1). `issuers` are the configured ones with their effective settings.
 */
export function routeTakesProof(route: Pick<RouteRule, 'senderConstraint' | 'issuers'>, issuers: readonly ProofIssuer[]): boolean {
  if (route.senderConstraint !== undefined) return route.senderConstraint !== 'off';
  return issuers.some((i) => (route.issuers.length === 0 || route.issuers.includes(i.issuer)) && i.senderConstraint !== 'off');
}
