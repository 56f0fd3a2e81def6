// Identity sources of a Lambda authorizer: parsed from the template's IdentitySource, and read from a
// request. Their values are both the precondition for invoking the authorizer and its cache key.
import type { IdentitySourceKind, IdentitySourceRef } from '../../template/api-model';
import { LocalError } from '../../errors';
import { headerValue, type ApiRequest } from '../api-request';

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

export interface IdentityScope {
  readonly request: ApiRequest;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** `$context` variables by dotted name (`requestId`, `identity.sourceIp`, …). */
  readonly context: (name: string) => string | undefined;
}

function valueOf(source: IdentitySourceRef, scope: IdentityScope): string | undefined {
  const { request } = scope;
  const lower = source.name.toLowerCase();
  switch (source.kind) {
    case 'header':
      return headerValue(request, source.name);
    case 'multivalueheader': {
      const entry = Object.entries(request.multiValueHeaders).find(([k]) => k.toLowerCase() === lower);
      return entry ? entry[1].join(',') : undefined;
    }
    case 'querystring':
      return request.multiValueQuery?.[source.name]?.at(-1);
    case 'multivaluequerystring':
      return request.multiValueQuery?.[source.name]?.join(',');
    case 'stageVariable':
      return scope.stageVariables[source.name];
    case 'context':
      return scope.context(source.name);
  }
}

/**
 * The identity-source values in order, or undefined when any is missing, null or empty: API Gateway then
 * answers 401 without invoking the authorizer. An authorizer without identity sources yields `[]`.
 */
export function identityValues(sources: readonly IdentitySourceRef[], scope: IdentityScope): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const value = valueOf(source, scope);
    if (value === undefined || value.trim() === '') return undefined;
    values.push(value);
  }
  return values;
}
