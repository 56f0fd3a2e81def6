// Identity sources of a Lambda authorizer (parsed from the template by local/template/identity-sources.ts),
// read from a request. Their values are both the precondition for invoking the authorizer and its cache key.
import type { IdentitySourceRef } from '../../template/api-model';
import { headerValue, type ApiRequest } from '../api-request';

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
