// Evaluates an authorizer's policy for one request as IAM does: the request's methodArn against each
// statement's Resource with wildcards, `execute-api:Invoke` against its Action. An explicit Deny beats
// any Allow; no matching Allow is an implicit deny. Both are API Gateway's 403 ACCESS_DENIED.
import type { PolicyStatement } from './answer';
import { iamWildcardMatch } from './iam-wildcard';

export type PolicyDecision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

export interface PolicyRequest {
  /** @default 'execute-api:Invoke' */
  readonly action?: string;
  /** The request's methodArn. */
  readonly resource: string;
}

function applies(s: PolicyStatement, action: string, resource: string): boolean {
  const actionHit = s.Action ? s.Action.some((p) => iamWildcardMatch(p, action, true)) : !s.NotAction!.some((p) => iamWildcardMatch(p, action, true));
  const resourceHit = s.Resource ? s.Resource.some((p) => iamWildcardMatch(p, resource)) : !s.NotResource!.some((p) => iamWildcardMatch(p, resource));
  return actionHit && resourceHit;
}

/**
 * The decision for `request`. Conditions are not evaluated locally: an Allow with a Condition is taken as
 * not met and a Deny with one as met, so the emulator errs towards refusing (docs/local.md says so).
 */
export function evaluatePolicy(statements: readonly PolicyStatement[], request: PolicyRequest): PolicyDecision {
  const action = request.action ?? 'execute-api:Invoke';
  let allowed = false;
  for (const s of statements) {
    if (!applies(s, action, request.resource)) continue;
    if (s.Effect === 'Deny') return 'EXPLICIT_DENY';
    if (s.Condition === undefined) allowed = true;
  }
  return allowed ? 'ALLOW' : 'IMPLICIT_DENY';
}
