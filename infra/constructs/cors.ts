// CORS in API Gateway itself: an OPTIONS method on every declared resource answered by a MOCK integration
// (no authorizer, no Lambda), and the static headers API Gateway's own error answers carry. docs/browser.md
// explains the choices, in particular gateway responses with several origins.
import { Validations } from 'aws-cdk-lib';
import { ConfigError } from '../../lambda/shared/errors';
import { AuthorizationType, type IResource, type Method, MockIntegration, PassthroughBehavior } from 'aws-cdk-lib/aws-apigateway';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, type CorsOrigins } from '../../lambda/shared/cors';
import type { HttpMethod } from '../../lambda/shared/routes';

export interface CorsSettings {
  readonly origins: CorsOrigins;
  /** How long a browser may reuse a preflight's answer (Chromium caps it at 7200). @default 600 (seconds) */
  readonly maxAgeSeconds: number;
}

export const DEFAULT_CORS_MAX_AGE_SECONDS = 600;
const EVERY_METHOD = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];
const PREFLIGHT_STATUS = '204';

/**
 * The methods each resource path declares, as its preflight lists them (ANY stands for every method).
 * A declared OPTIONS route is refused: with CORS on, API Gateway answers OPTIONS itself.
 */
export function preflightMethods(routes: readonly { readonly method: HttpMethod; readonly path: string }[]): Map<string, string[]> {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    if (route.method === 'OPTIONS') {
      throw new ConfigError('corsOrigins', `is set, so API Gateway answers OPTIONS ${route.path} as the CORS preflight; remove the OPTIONS route from infra/routes.ts or leave corsOrigins unset`);
    }
    const methods = byPath.get(route.path) ?? new Set<string>();
    for (const m of route.method === 'ANY' ? EVERY_METHOD : [route.method]) methods.add(m);
    byPath.set(route.path, methods);
  }
  return new Map([...byPath].map(([path, methods]) => [path, [...methods].sort()]));
}

/**
 * The VTL of the preflight's integration response: it echoes the request's Origin only when it is one of
 * `origins`, through $context.responseOverride, so any other origin gets no Access-Control-Allow-Origin
 * (a static mapping could only name one origin for everybody). Origins are checked by the parser: they hold
 * no quote, `$` or `#`, so they sit safely in single-quoted VTL literals.
 */
export function preflightOriginTemplate(origins: readonly string[]): string {
  return [
    "#set($origin = $input.params().header.get('Origin'))",
    "#if(\"$!origin\" == \"\")#set($origin = $input.params().header.get('origin'))#end",
    `#if(${origins.map((o) => `$origin == '${o}'`).join(' || ')})`,
    '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    '#end',
  ].join('\n');
}

/**
 * Static Access-Control-* values for API Gateway's own answers (gateway responses), which can hold only
 * literals or request values, never a condition: `*` when any origin is allowed, the origin itself when
 * there is one, and `*` when there are several (see docs/browser.md: their bodies are fixed and carry no secret).
 */
export function gatewayResponseCorsHeaders(origins: CorsOrigins): Record<string, string> {
  const allowOrigin = !origins.any && origins.origins.length === 1 ? origins.origins[0]! : '*';
  return { 'Access-Control-Allow-Origin': `'${allowOrigin}'`, 'Access-Control-Expose-Headers': `'${CORS_EXPOSE_HEADERS}'` };
}

/** Adds the MOCK OPTIONS method answering preflights for `methods` on `resource`. */
export function addCorsPreflight(resource: IResource, methods: readonly string[], cors: CorsSettings): Method {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Methods': `'${methods.join(', ')}'`,
    'Access-Control-Allow-Headers': `'${CORS_ALLOW_HEADERS}'`,
    'Access-Control-Max-Age': `'${cors.maxAgeSeconds}'`,
    ...(cors.origins.any ? { 'Access-Control-Allow-Origin': "'*'" } : { Vary: "'Origin'" }),
  };
  const integrationHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [`method.response.header.${name}`, value]));
  // Access-Control-Allow-Origin is declared even when only the template sets it.
  const declared = Object.fromEntries(['Access-Control-Allow-Origin', ...Object.keys(headers)].map((name) => [`method.response.header.${name}`, true]));

  const method = resource.addMethod(
    'OPTIONS',
    new MockIntegration({
      // A preflight has no body and no Content-Type, so API Gateway picks the application/json template.
      requestTemplates: { 'application/json': `{"statusCode": ${PREFLIGHT_STATUS}}` },
      passthroughBehavior: PassthroughBehavior.NEVER,
      integrationResponses: [
        {
          statusCode: PREFLIGHT_STATUS,
          responseParameters: integrationHeaders,
          ...(cors.origins.any ? {} : { responseTemplates: { 'application/json': preflightOriginTemplate(cors.origins.origins) } }),
        },
      ],
    }),
    {
      authorizationType: AuthorizationType.NONE,
      methodResponses: [{ statusCode: PREFLIGHT_STATUS, responseParameters: declared }],
    },
  );
  Validations.of(method).acknowledge(
    {
      id: 'AwsSolutions-APIG4',
      reason: 'A CORS preflight cannot carry credentials (browsers never send Authorization on it); this MOCK method only returns Access-Control-* headers and reaches no Lambda.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'A CORS preflight cannot carry credentials (browsers never send Authorization on it), so no authorizer of any kind can be put in front of it.',
    },
  );
  return method;
}
