// IAM policies from the route table. A valid token is allowed every route whose scopes, claim rules and
// issuers it meets and no other, so the policy API Gateway caches for the Authorization header is right for every route it is
// later reused on (caching a policy for the current methodArn alone answers 403 on the next route).
// That a route's pattern never reaches another route with another requirement is checked when the route
// table is parsed (shared/routes.ts), so an Allow can never cover a route the token lacks scopes for.
import { policyResources } from '../shared/arn-pattern';
import { meetsClaimRules } from '../shared/claims';
import { anonymousMay, holdsAll, type RouteRule } from '../shared/routes';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';

type PolicyDocument = APIGatewayAuthorizerResult['policyDocument'];

/** What the route rules look at in a verified token. */
export interface Holder {
  /** Its scopes plus `authenticated`; one object per scope string (claims.ts interns them). */
  readonly scopes: ReadonlySet<string>;
  /** The configured issuer that vouched for it. */
  readonly issuer: string;
  /** Its claims, by reference (shared/claims.ts). */
  claim(ref: string): unknown;
}

/** Why a token's policy leaves a route out, for the decision's log line. */
export type Shortfall = 'INSUFFICIENT_SCOPE' | 'CLAIM_RULE_UNMET' | 'ISSUER_NOT_ALLOWED';

/** `arn:aws:execute-api:region:account:api/stage/GET/x` → `arn:aws:execute-api:region:account:api/stage/`. */
export function stagePrefix(methodArn: string): string | undefined {
  const api = methodArn.indexOf('/');
  const stage = api < 0 ? -1 : methodArn.indexOf('/', api + 1);
  return stage < 0 ? undefined : methodArn.slice(0, stage + 1);
}

export class PolicyBuilder {
  private readonly suffixes: readonly (readonly string[])[];
  private readonly memo = new Map<string, PolicyDocument>();
  // Every decision asks for the allowed routes and their policy; principals share interned scope sets
  // (claims.ts), so both are worked out once per scope set rather than per request.
  private readonly anonymous: readonly number[];
  private readonly allowedMemo = new WeakMap<ReadonlySet<string>, readonly number[]>();
  private readonly joined = new WeakMap<readonly number[], string>();
  private readonly sizes = new WeakMap<PolicyDocument, number>();

  /** Whether any route has claim or issuer rules: without any, the allowed routes depend on the scopes alone. */
  private readonly scopesOnly: boolean;
  /** Whether any route has claim rules, so that a holder's claims are ever read. */
  readonly readsClaims: boolean;

  constructor(private readonly routes: readonly RouteRule[]) {
    this.suffixes = routes.map(policyResources);
    this.readsClaims = routes.some((r) => Object.keys(r.claims).length > 0);
    this.scopesOnly = !this.readsClaims && routes.every((r) => r.issuers.length === 0);
    this.anonymous = this.compute(undefined);
  }

  /**
   * The routes a caller may use: anonymous callers the optional ones that require nothing of a token, token
   * holders those whose scopes, claim rules and issuers they meet. Without claim or issuer rules, remembered per
   * `scopes` object, which must not change afterwards (a principal's never does).
   */
  allowedRoutes(holder: Holder | undefined): readonly number[] {
    if (!holder) return this.anonymous;
    // With claim or issuer rules the answer is the holder's own; it is worked out once per verified token
    // (the handler keeps it with the cache entry).
    if (!this.scopesOnly) return this.compute(holder);
    let allowed = this.allowedMemo.get(holder.scopes);
    if (!allowed) {
      allowed = this.compute(holder);
      this.allowedMemo.set(holder.scopes, allowed);
    }
    return allowed;
  }

  /** Why route `index` is not allowed to `holder` (undefined when it is). */
  shortfall(index: number, holder: Holder): Shortfall | undefined {
    const r = this.routes[index]!;
    if (!holdsAll(holder.scopes, r.scopes)) return 'INSUFFICIENT_SCOPE';
    if (r.issuers.length > 0 && !r.issuers.includes(holder.issuer)) return 'ISSUER_NOT_ALLOWED';
    if (!meetsClaimRules(r.claims, (ref) => holder.claim(ref))) return 'CLAIM_RULE_UNMET';
    return undefined;
  }

  /**
   * The policy for `allowed` route indexes under the methodArn's stage. When nothing is allowed, an explicit
   * Deny of the whole stage (or of the methodArn itself when it has no stage), so that a cached answer is
   * right on every route too.
   */
  policy(methodArn: string, allowed: readonly number[]): PolicyDocument {
    const prefix = stagePrefix(methodArn);
    if (prefix === undefined || allowed.length === 0) {
      return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: prefix === undefined ? methodArn : `${prefix}*` }] };
    }
    let list = this.joined.get(allowed);
    if (list === undefined) {
      list = allowed.join(',');
      if (Object.isFrozen(allowed)) this.joined.set(allowed, list);
    }
    const key = `${prefix}|${list}`;
    let doc = this.memo.get(key);
    if (!doc) {
      doc = { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allowed.flatMap((i) => this.suffixes[i]!.map((s) => prefix + s)) }] };
      if (this.memo.size >= 256) this.memo.clear();
      this.memo.set(key, doc);
    }
    return doc;
  }

  /** `doc`'s size as JSON, in bytes: worked out once for each policy remembered. */
  bytes(doc: PolicyDocument): number {
    let n = this.sizes.get(doc);
    if (n === undefined) {
      n = Buffer.byteLength(JSON.stringify(doc));
      this.sizes.set(doc, n);
    }
    return n;
  }

  private compute(holder: Holder | undefined): readonly number[] {
    const out: number[] = [];
    this.routes.forEach((r, i) => {
      if (holder ? this.shortfall(i, holder) === undefined : anonymousMay(r)) out.push(i);
    });
    return Object.freeze(out);
  }
}
