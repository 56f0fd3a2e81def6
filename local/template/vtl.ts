// Mapping templates (VTL) as API Gateway runs them, rendered by velocityjs. What this emulator reads of them:
// text, references ($x, $!x, ${x}, property and method chains such as $input.params().header.get('Origin')),
// #set, #if/#elseif/#else/#end, comments. Anything else (#foreach, macros, $util, $input.json…) is refused
// when the template is read, never half-rendered; so is an #if without #end or an #end without #if, which
// Velocity refuses and velocityjs would render.
import { Compile, parse } from 'velocityjs';
import { LocalError } from '../errors';

export interface VtlTemplate {
  readonly source: string;
  readonly asts: ReturnType<typeof parse>;
}

/** What a template reads: `$input`, `$context`, `$stageVariables`. Maps are JS Maps, objects are records. */
export interface VtlScope {
  readonly input: { readonly params: (name?: string) => unknown; readonly body: string };
  readonly context: Readonly<Record<string, unknown>>;
  readonly stageVariables: Readonly<Record<string, string>>;
}

export interface VtlOutput {
  readonly text: string;
  /** $context.responseOverride.header.X, by X. */
  readonly headers: Readonly<Record<string, string>>;
  /** $context.responseOverride.status. */
  readonly status?: number;
}

/** Thrown while rendering: the answer is API Gateway's 500, with this as the logged reason. */
export class VtlRenderError extends Error {
  override readonly name = 'VtlRenderError';
}

const unsupported = (line: number | string, why: string) => new LocalError('TEMPLATE_UNSUPPORTED', `VTL line ${line}: ${why}`);

const BLOCK_DIRECTIVES = new Set(['if', 'foreach', 'macro', 'define']);
const OTHER_DIRECTIVES = new Set(['foreach', 'macro', 'define', 'include', 'parse', 'evaluate', 'stop', 'break']);

/** Directives, outside comments: Velocity's we do not emulate are refused, and every block must be closed. */
function checkDirectives(source: string): void {
  const code = source.replace(/#\*[\s\S]*?\*#|##[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
  let open = 0;
  for (const m of code.matchAll(/#\{?([a-z]+)\b/g)) {
    const name = m[1]!;
    const line = code.slice(0, m.index).split('\n').length;
    if (OTHER_DIRECTIVES.has(name)) throw unsupported(line, `#${name} is not emulated (only #set, #if, #elseif, #else, #end)`);
    if (BLOCK_DIRECTIVES.has(name)) open++;
    else if (name === 'end' && --open < 0) throw unsupported(line, '#end without #if');
  }
  if (open > 0) throw unsupported(code.split('\n').length, '#if without #end');
}

type Node = { type?: string; id?: unknown; path?: readonly { type: string; id: unknown }[]; equal?: readonly [Node, unknown]; pos?: { first_line: number } };

const READ_ROOTS = new Set(['input', 'context', 'stageVariables']);
const UNSUPPORTED_ROOTS = new Set(['util', 'method', 'integration']);

/** References and assignments: only what the emulator provides, and #set only of variables and overrides. */
function checkNodes(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const node = value as Node;
  const line = node.pos?.first_line ?? '?';
  if (node.type === 'macro_call') throw unsupported(line, `#${String(node.id)} is not emulated (only #set, #if, #elseif, #else, #end)`);
  if (node.type === 'references') {
    const root = String(node.id);
    const first = node.path?.[0]?.id;
    if (UNSUPPORTED_ROOTS.has(root)) throw unsupported(line, `$${root} is not emulated`);
    if (root === 'input' && first !== 'params' && first !== 'body') throw unsupported(line, `$input.${String(first ?? '')} is not emulated (only $input.params and $input.body)`);
  }
  if (node.type === 'set') {
    const target = node.equal![0];
    const path = (target.path ?? []).map((p) => (p.type === 'property' ? String(p.id) : '()'));
    const override = target.id === 'context' && path[0] === 'responseOverride' && ((path[1] === 'header' && path.length === 3) || (path[1] === 'status' && path.length === 2));
    if (READ_ROOTS.has(String(target.id)) ? !override : path.length > 0) {
      throw unsupported(line, `#set($${[target.id, ...path].join('.')} …) is not emulated (only plain variables and $context.responseOverride.header.X / .status)`);
    }
  }
  for (const v of Object.values(node)) checkNodes(v);
}

/** Parses a mapping template; throws LocalError TEMPLATE_UNSUPPORTED for what is not emulated. */
export function parseVtl(source: string): VtlTemplate {
  checkDirectives(source);
  let asts: VtlTemplate['asts'];
  try {
    asts = parse(source);
  } catch (e) {
    const { hash } = e as { hash?: { loc?: { first_line: number } } };
    throw unsupported(hash?.loc?.first_line ?? '?', (e as Error).message.split('\n').at(-1)!);
  }
  checkNodes(asts);
  return { source, asts };
}

type MethodCall = { property: string; context: unknown; params: unknown[] };
/** Java's Map methods that JavaScript's Map spells otherwise. */
const MAP_METHODS = [
  { uid: 'containsKey', match: (c: MethodCall) => c.context instanceof Map && c.property === 'containsKey', resolve: (c: MethodCall) => (c.context as Map<unknown, unknown>).has(c.params[0]) },
  { uid: 'isEmpty', match: (c: MethodCall) => c.context instanceof Map && c.property === 'isEmpty', resolve: (c: MethodCall) => (c.context as Map<unknown, unknown>).size === 0 },
];

/** Renders `template`; throws VtlRenderError for what API Gateway would answer with a 500. */
export function renderVtl(template: VtlTemplate, scope: VtlScope): VtlOutput {
  const headers: Record<string, string> = {};
  let status: number | undefined;
  // API Gateway: "Overrides are final"; overriding one parameter twice is a 5XX.
  const header = new Proxy(headers, {
    set(target, name: string, value: unknown) {
      if (Object.hasOwn(target, name)) throw new VtlRenderError(`VTL overrides the header ${name} twice`);
      if (value !== null && value !== undefined) target[name] = String(value);
      return true;
    },
  });
  const responseOverride = {
    header,
    get status() {
      return status;
    },
    set status(value: unknown) {
      if (status !== undefined) throw new VtlRenderError('VTL overrides $context.responseOverride.status twice');
      const n = Number(value);
      if (!Number.isInteger(n) || n < 100 || n > 599) throw new VtlRenderError(`VTL sets $context.responseOverride.status to ${String(value)}`);
      status = n;
    },
  };
  const context = { input: scope.input, context: { ...scope.context, responseOverride }, stageVariables: scope.stageVariables };
  let text: string;
  try {
    text = new Compile(template.asts, { customMethodHandlers: MAP_METHODS }).render(context);
  } catch (e) {
    if (e instanceof VtlRenderError) throw e;
    throw new VtlRenderError(`VTL: ${(e as Error).message}`);
  }
  return { text, headers, ...(status !== undefined ? { status } : {}) };
}
