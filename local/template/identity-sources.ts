// A Lambda authorizer's IdentitySource, as the template writes it, parsed into the references the gateway
// reads from each request (local/gateway/authorizer/identity-source.ts).
import type { IdentitySourceKind, IdentitySourceRef } from './api-model';
import { LocalError } from '../errors';

const PREFIXES: ReadonlyArray<readonly [string, IdentitySourceKind]> = [
  ['method.request.header.', 'header'],
  ['method.request.multivalueheader.', 'multivalueheader'],
  ['method.request.querystring.', 'querystring'],
  ['method.request.multivaluequerystring.', 'multivaluequerystring'],
  ['stageVariables.', 'stageVariable'],
  ['context.', 'context'],
];

/** `method.request.header.Authorization, method.request.querystring.key` → refs; blank → none. */
export function parseIdentitySources(expression: string | undefined): IdentitySourceRef[] {
  return (expression ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((expr) => {
      const match = PREFIXES.find(([prefix]) => expr.startsWith(prefix) && expr.length > prefix.length);
      if (!match) throw new LocalError('TEMPLATE_UNSUPPORTED', `identity source ${JSON.stringify(expr)} is not one API Gateway accepts for a Lambda authorizer`);
      return { kind: match[1], name: expr.slice(match[0].length), expression: expr };
    });
}
