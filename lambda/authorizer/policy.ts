// IAM policies from the route table. A valid token is allowed every route whose scopes it holds and no
// other, so the policy API Gateway caches for the Authorization header is right for every route it is
// later reused on (caching a policy for the current methodArn alone answers 403 on the next route).
// That a route's pattern never reaches another route with another requirement is checked when the route
// table is parsed (shared/routes.ts), so an Allow can never cover a route the token lacks scopes for.
import { policyResources } from '../shared/arn-pattern';
import { anonymousMay, holdsAll, type RouteRule } from '../shared/routes';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';

type PolicyDocument = APIGatewayAuthorizerResult['policyDocument'];

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

  constructor(private readonly routes: readonly RouteRule[]) {
    this.suffixes = routes.map(policyResources);
    this.anonymous = this.compute(undefined);
  }

  /**
   * The routes a caller may use: anonymous callers the optional ones that require no scope, token holders
   * those whose scopes they hold. Remembered per `scopes` object, which must not change afterwards (a principal's never does).
   */
  allowedRoutes(scopes: ReadonlySet<string> | undefined): readonly number[] {
    if (!scopes) return this.anonymous;
    let allowed = this.allowedMemo.get(scopes);
    if (!allowed) {
      allowed = this.compute(scopes);
      this.allowedMemo.set(scopes, allowed);
    }
    return allowed;
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

  private compute(scopes: ReadonlySet<string> | undefined): readonly number[] {
    const out: number[] = [];
    this.routes.forEach((r, i) => {
      if (scopes ? holdsAll(scopes, r.scopes) : anonymousMay(r)) out.push(i);
    });
    return Object.freeze(out);
  }
}
