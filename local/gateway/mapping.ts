// API Gateway's parameter mapping expressions, as gateway responses and integration responses use them for
// header values: 'literal', method.request.header|querystring|path.X, context.X and stageVariables.X.
// integration.response.header|body.X name what a backend sent; a MOCK integration sends none, so they are absent.
import { headerValue, type ApiRequest } from './api-request';
import { contextVariable } from './request-context';

export interface MappingScope {
  readonly request: ApiRequest;
  readonly pathParameters?: Readonly<Record<string, string>> | null;
  readonly stageVariables: Readonly<Record<string, string>>;
}

/** The value `expression` maps to, or undefined when it names nothing (the header is then left out). */
export function mappedValue(expression: string, scope: MappingScope, context: Record<string, unknown>): string | undefined {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return literal[1];
  const [, source, name] = /^(method\.request\.(?:header|querystring|path)|stageVariables|context)\.(.+)$/.exec(expression) ?? [];
  if (!source || !name) return undefined;
  if (source === 'method.request.header') return headerValue(scope.request, name);
  if (source === 'method.request.querystring') return scope.request.multiValueQuery?.[name]?.at(-1);
  if (source === 'method.request.path') return scope.pathParameters?.[name];
  if (source === 'stageVariables') return scope.stageVariables[name];
  return contextVariable(context, name);
}
