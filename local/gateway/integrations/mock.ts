// A MOCK integration as API Gateway runs it (how CORS preflights are answered): the integration request
// template picks a status code, which selects an integration response (its selection pattern, else the
// default one); that response's header mappings and template, with any $context.responseOverride the
// template sets, make the method response. No backend is called.
import type { IntegrationResponseModel, MethodModel } from '../../template/api-model';
import { headerValue, type ApiRequest } from '../api-request';
import type { GatewayResponseType } from '../gateway-responses';
import { addHeader, type HttpAnswer } from '../http-answer';
import { mappedValue } from '../mapping';
import { renderVtl, type VtlScope, type VtlTemplate, VtlRenderError } from '../../template/vtl';

export interface MockInput {
  readonly method: MethodModel;
  readonly request: ApiRequest;
  readonly context: Record<string, unknown>;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly stageVariables: Readonly<Record<string, string>>;
}

export type MockResult = { readonly ok: true; readonly answer: HttpAnswer } | { readonly ok: false; readonly response: GatewayResponseType; readonly reason: string };

const JSON_TYPE = 'application/json';
const NO_BODY = new Set([204, 304]);

function vtlScope(input: MockInput): VtlScope {
  const header = new Map(Object.entries(input.request.headers));
  const querystring = new Map(Object.entries(input.request.query ?? {}));
  const path = new Map(Object.entries(input.pathParameters ?? {}));
  return {
    // $input.params() is every parameter by kind; $input.params('x') searches path, query string, then headers.
    input: { params: (name?: string) => (name === undefined ? { header, querystring, path } : (path.get(name) ?? querystring.get(name) ?? header.get(name) ?? '')), body: input.request.body.toString('utf8') },
    context: input.context,
    stageVariables: input.stageVariables,
  };
}

/** The integration's status code, from the request template's `statusCode` (200 when it names none). */
function integrationStatus(input: MockInput, scope: VtlScope): { status: number } | Extract<MockResult, { ok: false }> {
  const integration = input.method.integration;
  const templates = integration.requestTemplates ?? {};
  // A request without Content-Type is taken as JSON.
  const contentType = (headerValue(input.request, 'content-type') ?? JSON_TYPE).split(';')[0]!.trim().toLowerCase();
  const template = templates[contentType];
  let text: string;
  if (template) text = renderVtl(template, scope).text;
  else if (integration.passthroughBehavior === 'NEVER' || (integration.passthroughBehavior === 'WHEN_NO_TEMPLATES' && Object.keys(templates).length > 0)) {
    return { ok: false, response: 'UNSUPPORTED_MEDIA_TYPE', reason: `no request template for ${contentType} and passthrough is ${integration.passthroughBehavior}` };
  } else text = input.request.body.toString('utf8');
  const m = /"?statusCode"?\s*:\s*"?(\d{3})\b/.exec(text);
  return { status: m ? Number(m[1]) : 200 };
}

function selectResponse(responses: readonly IntegrationResponseModel[], status: number): IntegrationResponseModel | undefined {
  const code = String(status);
  return (
    responses.find((r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(code)) ??
    responses.find((r) => r.selectionPattern === undefined)
  );
}

/** The response template for the request's Accept, else application/json, else the first. */
function responseTemplate(templates: Readonly<Record<string, VtlTemplate>>, request: ApiRequest): [string, VtlTemplate] | undefined {
  const accepted = (headerValue(request, 'accept') ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const type = accepted.find((t) => Object.hasOwn(templates, t)) ?? (Object.hasOwn(templates, JSON_TYPE) ? JSON_TYPE : Object.keys(templates)[0]);
  return type === undefined ? undefined : [type, templates[type]!];
}

export function runMock(input: MockInput): MockResult {
  const misconfigured = (reason: string): MockResult => ({ ok: false, response: 'API_CONFIGURATION_ERROR', reason });
  const scope = vtlScope(input);
  try {
    const integration = integrationStatus(input, scope);
    if (!('status' in integration)) return integration;
    const chosen = selectResponse(input.method.integration.responses ?? [], integration.status);
    if (!chosen) return misconfigured(`no integration response matches status ${integration.status} and none is the default`);
    const declared = input.method.methodResponses.get(chosen.statusCode);
    if (!declared) return misconfigured(`integration response ${chosen.statusCode} has no method response`);

    const headers: Record<string, string[]> = {};
    for (const [name, expression] of Object.entries(chosen.headers)) {
      // API Gateway refuses to deploy a mapping to an undeclared header; leave it out here.
      if (!declared.has(name)) continue;
      const value = mappedValue(expression, { request: input.request, pathParameters: input.pathParameters, stageVariables: input.stageVariables }, input.context);
      if (value !== undefined) addHeader(headers, name, value);
    }
    const template = responseTemplate(chosen.templates, input.request);
    const rendered = template ? renderVtl(template[1], scope) : { text: '', headers: {} };
    // Overrides are final: they replace what the mappings set.
    for (const [name, value] of Object.entries(rendered.headers)) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
      headers[name] = [value];
    }
    const statusCode = rendered.status ?? chosen.statusCode;
    headers['Content-Type'] ??= [template?.[0] ?? JSON_TYPE];
    return { ok: true, answer: { statusCode, headers, body: NO_BODY.has(statusCode) ? Buffer.alloc(0) : Buffer.from(rendered.text, 'utf8') } };
  } catch (e) {
    if (e instanceof VtlRenderError) return misconfigured(e.message);
    throw e;
  }
}
