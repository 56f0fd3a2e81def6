// The subset of Velocity (VTL) that API Gateway runs in integration request and response mapping templates,
// as far as the templates this emulator serves use it: text, references ($x, $!x, ${x}, property and method
// chains such as $input.params().header.get('Origin')), #set, #if/#elseif/#else/#end, ## and #* *# comments,
// string, number and boolean literals, == != < <= > >= && || ! (and, or, not). Anything else (#foreach,
// macros, $util, $input.json…) is refused when the template is read, never half-rendered. Parsed once.
import { LocalError } from '../errors';

type Expr =
  | { readonly t: 'lit'; readonly value: string | number | boolean | null }
  | { readonly t: 'str'; readonly parts: readonly Node[] }
  | { readonly t: 'ref'; readonly ref: Ref }
  | { readonly t: 'not'; readonly e: Expr }
  | { readonly t: 'bin'; readonly op: string; readonly l: Expr; readonly r: Expr };
interface Segment {
  readonly name: string;
  readonly args?: readonly Expr[];
}
interface Ref {
  readonly root: string;
  readonly path: readonly Segment[];
  readonly quiet: boolean;
  readonly raw: string;
}
type Node =
  | { readonly t: 'text'; text: string }
  | { readonly t: 'out'; readonly ref: Ref }
  | { readonly t: 'set'; readonly target: Ref; readonly value: Expr }
  | { readonly t: 'if'; readonly branches: readonly { readonly cond: Expr; readonly body: readonly Node[] }[]; readonly otherwise: readonly Node[] };

export interface VtlTemplate {
  readonly source: string;
  readonly nodes: readonly Node[];
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

const IDENT = /[A-Za-z][A-Za-z0-9_-]*/y;
const READ_ROOTS = new Set(['input', 'context', 'stageVariables']);
const UNSUPPORTED_ROOTS = new Set(['util', 'method', 'integration']);
const DIRECTIVES = new Set(['set', 'if', 'elseif', 'else', 'end']);

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(why: string): never {
    const line = this.s.slice(0, this.i).split('\n').length;
    throw new LocalError('TEMPLATE_UNSUPPORTED', `VTL line ${line}: ${why}`);
  }

  /** Nodes up to the end, or up to one of `stops` (#elseif, #else, #end), which is returned. */
  nodes(stops: readonly string[]): { nodes: Node[]; stop?: string; lineStart?: boolean } {
    const out: Node[] = [];
    const text = (t: string) => {
      const last = out.at(-1);
      if (last?.t === 'text') last.text += t;
      else out.push({ t: 'text', text: t });
    };
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '#' && this.s.startsWith('##', this.i)) {
        const nl = this.s.indexOf('\n', this.i);
        this.i = nl < 0 ? this.s.length : nl;
      } else if (c === '#' && this.s.startsWith('#*', this.i)) {
        const end = this.s.indexOf('*#', this.i + 2);
        if (end < 0) this.fail('an unterminated #* comment');
        this.i = end + 2;
      } else if (c === '#' && /^#\{?[a-z]/.test(this.s.slice(this.i, this.i + 3))) {
        const m = /^#\{?([a-z]+)\}?/.exec(this.s.slice(this.i))!;
        const name = m[1]!;
        if (!DIRECTIVES.has(name)) this.fail(`#${name} is not emulated (only #set, #if, #elseif, #else, #end)`);
        const lineStart = /(^|\n)[ \t]*$/.test(this.s.slice(0, this.i));
        this.i += m[0].length;
        if (name === 'elseif' || name === 'else' || name === 'end') {
          if (!stops.includes(name)) this.fail(`#${name} without #if`);
          if (name !== 'elseif') this.gobble(out, lineStart);
          return { nodes: out, stop: name, lineStart };
        }
        if (name === 'set') {
          out.push(this.set());
          this.gobble(out, lineStart);
        } else out.push(this.if(out, lineStart));
      } else if (c === '$' && this.refAhead()) {
        out.push({ t: 'out', ref: this.ref() });
      } else {
        const next = this.s.slice(this.i + 1).search(/[#$]/);
        const end = next < 0 ? this.s.length : this.i + 1 + next;
        text(this.s.slice(this.i, end));
        this.i = end;
      }
    }
    if (stops.length > 0) this.fail('#if without #end');
    return { nodes: out };
  }

  /** A directive alone on its line takes the line with it, as Velocity's line gobbling does. */
  private gobble(out: Node[], lineStart: boolean): void {
    const rest = /^[ \t]*(\r?\n|$)/.exec(this.s.slice(this.i));
    if (!lineStart || !rest) return;
    this.i += rest[0].length;
    const last = out.at(-1);
    if (last?.t === 'text') last.text = last.text.replace(/[ \t]*$/, '');
  }

  private set(): Node {
    this.expect('(');
    this.space();
    if (!this.refAhead()) this.fail('#set must assign to a $reference');
    const target = this.ref();
    const override = target.root === 'context' && target.path[0]?.name === 'responseOverride';
    const okOverride = override && ((target.path[1]?.name === 'header' && target.path.length === 3) || (target.path[1]?.name === 'status' && target.path.length === 2));
    if (target.path.some((p) => p.args) || (READ_ROOTS.has(target.root) && !okOverride) || (!READ_ROOTS.has(target.root) && target.path.length > 0)) {
      this.fail(`#set(${target.raw} …) is not emulated (only plain variables and $context.responseOverride.header.X / .status)`);
    }
    this.space();
    this.expect('=');
    const value = this.expr();
    this.space();
    this.expect(')');
    return { t: 'set', target, value };
  }

  /** `before` holds what precedes the #if, whose line it may take. */
  private if(before: Node[], lineStart: boolean): Node {
    const branches: { cond: Expr; body: Node[] }[] = [];
    let cond = this.condition();
    this.gobble(before, lineStart);
    for (;;) {
      const { nodes, stop, lineStart: stopAtLineStart } = this.nodes(['elseif', 'else', 'end']);
      branches.push({ cond, body: nodes });
      if (stop === 'elseif') {
        cond = this.condition();
        this.gobble(nodes, stopAtLineStart === true);
        continue;
      }
      if (stop === 'else') {
        const rest = this.nodes(['end']);
        return { t: 'if', branches, otherwise: rest.nodes };
      }
      return { t: 'if', branches, otherwise: [] };
    }
  }

  private condition(): Expr {
    this.space();
    this.expect('(');
    const e = this.expr();
    this.space();
    this.expect(')');
    return e;
  }

  private refAhead(): boolean {
    return /^\$!?\{?[A-Za-z]/.test(this.s.slice(this.i, this.i + 4));
  }

  private ref(): Ref {
    const start = this.i;
    this.expect('$');
    const quiet = this.s[this.i] === '!';
    if (quiet) this.i++;
    const braced = this.s[this.i] === '{';
    if (braced) this.i++;
    const root = this.ident();
    const path: Segment[] = [];
    while (this.s[this.i] === '.' && /[A-Za-z]/.test(this.s[this.i + 1] ?? '')) {
      this.i++;
      const name = this.ident();
      if (this.s[this.i] === '(') {
        this.i++;
        const args: Expr[] = [];
        this.space();
        while (this.s[this.i] !== ')') {
          args.push(this.expr());
          this.space();
          if (this.s[this.i] === ',') this.i++;
          else if (this.s[this.i] !== ')') this.fail('expected , or ) in a method call');
        }
        this.i++;
        path.push({ name, args });
      } else path.push({ name });
    }
    if (braced) this.expect('}');
    if (UNSUPPORTED_ROOTS.has(root)) this.fail(`$${root} is not emulated`);
    if (root === 'input' && !['params', 'body'].includes(path[0]?.name ?? '')) this.fail(`$input.${path[0]?.name ?? ''} is not emulated (only $input.params and $input.body)`);
    return { root, path, quiet, raw: this.s.slice(start, this.i) };
  }

  private ident(): string {
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    if (!m) this.fail('expected a name');
    this.i += m[0].length;
    return m[0];
  }

  private expr(): Expr {
    return this.binary(0);
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [['||', 'or'], ['&&', 'and'], ['==', '!=', 'eq', 'ne'], ['<=', '>=', '<', '>', 'le', 'ge', 'lt', 'gt']];

  private binary(level: number): Expr {
    if (level === Parser.LEVELS.length) return this.unary();
    let l = this.binary(level + 1);
    for (;;) {
      this.space();
      const op = Parser.LEVELS[level]!.find((o) => this.s.startsWith(o, this.i) && (!/[a-z]/.test(o) || !/[A-Za-z0-9]/.test(this.s[this.i + o.length] ?? '')));
      if (!op) return l;
      this.i += op.length;
      const r = this.binary(level + 1);
      l = { t: 'bin', op: ({ or: '||', and: '&&', eq: '==', ne: '!=', le: '<=', ge: '>=', lt: '<', gt: '>' } as Record<string, string>)[op] ?? op, l, r };
    }
  }

  private unary(): Expr {
    this.space();
    if (this.s[this.i] === '!' && this.s[this.i + 1] !== '=') {
      this.i++;
      return { t: 'not', e: this.unary() };
    }
    if (/^not\b/.test(this.s.slice(this.i))) {
      this.i += 3;
      return { t: 'not', e: this.unary() };
    }
    const c = this.s[this.i];
    if (c === '(') {
      this.i++;
      const e = this.expr();
      this.space();
      this.expect(')');
      return e;
    }
    if (c === "'" || c === '"') {
      const end = this.s.indexOf(c, this.i + 1);
      if (end < 0) this.fail('an unterminated string');
      const body = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return c === "'" ? { t: 'lit', value: body } : { t: 'str', parts: new Parser(body).nodes([]).nodes };
    }
    if (c === '$') return { t: 'ref', ref: this.ref() };
    const word = /^(-?\d+(?:\.\d+)?|true|false|null)\b/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      const w = word[1]!;
      return { t: 'lit', value: w === 'true' ? true : w === 'false' ? false : w === 'null' ? null : Number(w) };
    }
    return this.fail(`unexpected ${JSON.stringify(this.s.slice(this.i, this.i + 12))} in an expression`);
  }

  private space(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private expect(token: string): void {
    if (!this.s.startsWith(token, this.i)) this.fail(`expected ${token}`);
    this.i += token.length;
  }
}

/** Parses a mapping template; throws LocalError TEMPLATE_UNSUPPORTED for what is not emulated. */
export function parseVtl(source: string): VtlTemplate {
  return { source, nodes: new Parser(source).nodes([]).nodes };
}

interface State {
  readonly scope: VtlScope;
  readonly vars: Map<string, unknown>;
  readonly headers: Record<string, string>;
  status?: number;
}

const truthy = (v: unknown): boolean => v !== null && v !== undefined && v !== false;
const isNull = (v: unknown): v is null | undefined => v === null || v === undefined;
const display = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v instanceof Map ? Object.fromEntries(v) : v) : String(v));

function callMethod(target: unknown, name: string, args: readonly unknown[]): unknown {
  if (target instanceof Map) {
    if (name === 'get') return target.get(String(args[0]));
    if (name === 'containsKey') return target.has(String(args[0]));
    if (name === 'size') return target.size;
    if (name === 'isEmpty') return target.size === 0;
  } else if (typeof target === 'string') {
    if (name === 'length') return target.length;
    if (name === 'toLowerCase') return target.toLowerCase();
    if (name === 'toUpperCase') return target.toUpperCase();
    if (name === 'equals') return target === display(args[0]);
    if (name === 'contains') return target.includes(display(args[0]));
  } else if (typeof target === 'object' && target !== null && typeof (target as Record<string, unknown>)[name] === 'function') {
    return ((target as Record<string, (...a: unknown[]) => unknown>)[name]!)(...args);
  } else if (isNull(target)) {
    return undefined;
  }
  throw new VtlRenderError(`VTL method ${name}() on ${typeof target} is not emulated`);
}

function resolve(ref: Ref, st: State): unknown {
  let value: unknown = READ_ROOTS.has(ref.root) ? st.scope[ref.root as keyof VtlScope] : st.vars.get(ref.root);
  for (const seg of ref.path) {
    if (seg.args) value = callMethod(value, seg.name, seg.args.map((a) => evaluate(a, st)));
    else if (value instanceof Map) value = value.get(seg.name);
    else value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[seg.name] : undefined;
  }
  return value;
}

function evaluate(e: Expr, st: State): unknown {
  switch (e.t) {
    case 'lit':
      return e.value;
    case 'str':
      return renderNodes(e.parts, st);
    case 'ref':
      return resolve(e.ref, st);
    case 'not':
      return !truthy(evaluate(e.e, st));
    case 'bin': {
      const l = evaluate(e.l, st);
      if (e.op === '||') return truthy(l) || truthy(evaluate(e.r, st));
      if (e.op === '&&') return truthy(l) && truthy(evaluate(e.r, st));
      const r = evaluate(e.r, st);
      if (e.op === '==' || e.op === '!=') {
        const same = isNull(l) || isNull(r) ? isNull(l) && isNull(r) : typeof l === 'number' && typeof r === 'number' ? l === r : display(l) === display(r);
        return e.op === '==' ? same : !same;
      }
      if (typeof l !== 'number' || typeof r !== 'number') throw new VtlRenderError(`VTL ${e.op} needs two numbers`);
      return e.op === '<' ? l < r : e.op === '<=' ? l <= r : e.op === '>' ? l > r : l >= r;
    }
  }
}

function renderNodes(nodes: readonly Node[], st: State): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.text;
    else if (n.t === 'out') {
      const v = resolve(n.ref, st);
      out += isNull(v) ? (n.ref.quiet ? '' : n.ref.raw) : display(v);
    } else if (n.t === 'set') assign(n.target, evaluate(n.value, st), st);
    else {
      const branch = n.branches.find((b) => truthy(evaluate(b.cond, st)));
      out += renderNodes(branch ? branch.body : n.otherwise, st);
    }
  }
  return out;
}

function assign(target: Ref, value: unknown, st: State): void {
  if (target.root !== 'context') {
    st.vars.set(target.root, value);
    return;
  }
  // API Gateway: "Overrides are final"; overriding one parameter twice is a 5XX.
  if (target.path[1]!.name === 'status') {
    if (st.status !== undefined) throw new VtlRenderError('VTL overrides $context.responseOverride.status twice');
    const status = Number(value);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new VtlRenderError(`VTL sets $context.responseOverride.status to ${display(value)}`);
    st.status = status;
    return;
  }
  const name = target.path[2]!.name;
  if (Object.hasOwn(st.headers, name)) throw new VtlRenderError(`VTL overrides the header ${name} twice`);
  if (!isNull(value)) st.headers[name] = display(value);
}

/** Renders `template`; throws VtlRenderError for what API Gateway would answer with a 500. */
export function renderVtl(template: VtlTemplate, scope: VtlScope): VtlOutput {
  const st: State = { scope, vars: new Map(), headers: {} };
  const text = renderNodes(template.nodes, st);
  return { text, headers: st.headers, ...(st.status !== undefined ? { status: st.status } : {}) };
}
