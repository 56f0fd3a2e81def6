import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { isLocalError } from '../../../local/errors';
import { parseVtl, renderVtl, type VtlScope } from '../../../local/template/vtl';
import { preflightOriginTemplate } from '../../../infra/constructs/cors';

const scope = (headers: Record<string, string> = {}, query: Record<string, string> = {}): VtlScope => ({
  input: {
    params: (name?: string) => (name === undefined ? { header: new Map(Object.entries(headers)), querystring: new Map(Object.entries(query)), path: new Map() } : (query[name] ?? headers[name] ?? '')),
    body: '{"a":1}',
  },
  context: { requestId: 'req-1', identity: { sourceIp: '127.0.0.1' } },
  stageVariables: { color: 'blue' },
});
const render = (source: string, s = scope()) => renderVtl(parseVtl(source), s);

describe('references and text', () => {
  test('context, stage variables, input params and body; unknown references print as written unless quiet', () => {
    expect(render('id=$context.requestId ip=${context.identity.sourceIp} c=$stageVariables.color b=$input.body').text).toBe('id=req-1 ip=127.0.0.1 c=blue b={"a":1}');
    expect(render("o=$input.params().header.get('Origin') q=$input.params('q')", scope({ Origin: 'http://a' }, { q: '1' })).text).toBe('o=http://a q=1');
    expect(render('[$nothing][$!nothing][${missing}][$!{missing}]').text).toBe('[$nothing][][${missing}][]');
  });

  test('a $ or # that starts nothing is text; ## and #* *# are comments', () => {
    // A ## comment ends with its line's newline, which it takes with it (Velocity's SINGLE_LINE_COMMENT token).
    expect(render('cost $5 #1 ## gone\nkept #* also gone *#end').text).toBe('cost $5 #1 kept end');
    expect(render('a\n#* x\ny *#b ## last').text).toBe('a\nb ');
  });

  test('header maps keep the spelling the client sent', () => {
    expect(render("[$!input.params().header.get('Origin')]", scope({ origin: 'http://a' })).text).toBe('[]');
  });
});

describe('directives', () => {
  test('#set, #if/#elseif/#else with == != && || ! and numbers; directive lines are gobbled', () => {
    const source = ['#set($n = 3)', '#if($n > 5)', 'big', '#elseif($n == 3 && !($n != 3) || false)', 'three', '#else', 'other', '#end', 'done'].join('\n');
    expect(render(source).text).toBe('three\ndone');
    expect(render('#set($s = "n is $stageVariables.color")$s').text).toBe('n is blue');
    expect(render("#if($missing == '')yes#{else}no#end").text).toBe('no');
    expect(render('#if("$!missing" == "")empty#end').text).toBe('empty');
  });

  test('$context.responseOverride sets headers and status, once each', () => {
    const out = render("#set($context.responseOverride.header.X-A = 'a')#set($context.responseOverride.status = 418)body");
    expect(out).toEqual({ text: 'body', headers: { 'X-A': 'a' }, status: 418 });
    expect(() => render("#set($context.responseOverride.header.X = 'a')#set($context.responseOverride.header.X = 'b')")).toThrow(/overrides the header X twice/);
    expect(() => render('#set($context.responseOverride.status = 42)')).toThrow(/status to 42/);
  });

  test.each([
    ['#foreach($x in $list)$x#end', /#foreach is not emulated/],
    ["$util.escapeJavaScript('x')", /\$util is not emulated/],
    ["$input.json('$')", /\$input.json is not emulated/],
    ["#set($context.requestId = 'x')", /#set\(\$context.requestId …\) is not emulated/],
    ['#if($a)', /#if without #end/],
    ['#end', /#end without #if/],
    ['#if($a = 1)x#end', /line 1: Expecting 'CLOSE_PARENTHESIS'/],
    ["#if($a)x#{else}y", /#if without #end/],
    ['#if($a)x#end#end', /#end without #if/],
    ['a\n#stop', /line 2: #stop is not emulated/],
    ["#include('x')", /#include is not emulated/],
    ['#mine()', /#mine is not emulated/],
  ])('%s is refused when read', (source, message) => {
    let error: unknown;
    try {
      parseVtl(source);
    } catch (e) {
      error = e;
    }
    expect(isLocalError(error, 'TEMPLATE_UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe('the preflight template the stack writes', () => {
  const template = parseVtl(preflightOriginTemplate(['https://app.example.com', 'http://localhost:5173']));

  test('echoes a listed Origin, in either spelling of the header name, and nothing else', () => {
    expect(renderVtl(template, scope({ Origin: 'http://localhost:5173' })).headers).toEqual({ 'Access-Control-Allow-Origin': 'http://localhost:5173' });
    expect(renderVtl(template, scope({ origin: 'https://app.example.com' })).headers).toEqual({ 'Access-Control-Allow-Origin': 'https://app.example.com' });
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.example', 'null', '']) {
      expect(renderVtl(template, scope({ Origin: origin })).headers).toEqual({});
    }
    expect(renderVtl(template, scope()).headers).toEqual({});
  });
});

describe("the preflight template CDK's defaultCorsPreflightOptions writes", () => {
  const stack = new Stack();
  const api = new RestApi(stack, 'Api', { defaultCorsPreflightOptions: { allowOrigins: ['https://a.example', 'https://b.example', 'https://c.example'] } });
  api.root.addMethod('GET');
  const options = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }))[0]!;
  const integration = options.Properties.Integration as { RequestTemplates: Record<string, string>; IntegrationResponses: { ResponseTemplates: Record<string, string> }[] };
  const template = parseVtl(integration.IntegrationResponses[0]!.ResponseTemplates['application/json']!);

  test('its request template picks status 200', () => {
    expect(render(integration.RequestTemplates['application/json']!).text).toBe('{ statusCode: 200 }');
  });

  test('echoes an Origin listed after the first (the first is the static header), and nothing else', () => {
    for (const origin of ['https://b.example', 'https://c.example']) {
      expect(renderVtl(template, scope({ Origin: origin })).headers).toEqual({ 'Access-Control-Allow-Origin': origin });
    }
    for (const origin of ['https://evil.example', 'https://b.example.evil.example', '']) expect(renderVtl(template, scope({ Origin: origin })).headers).toEqual({});
    expect(renderVtl(template, scope()).headers).toEqual({});
  });
});
