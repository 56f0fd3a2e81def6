// Matches a request to a method the way API Gateway REST APIs do: a literal path part beats `{param}`,
// which beats a greedy `{proxy+}` (one or more trailing segments); on the matched resource the request's
// own method beats ANY. No match means API Gateway's 403 "Missing Authentication Token", not 404 or 405.
import type { MethodModel } from '../template/api-model';

export interface RouteMatch {
  readonly method: MethodModel;
  /** Decoded values by name; null when the resource path has none, as in a proxy event. */
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

interface Node {
  readonly literal: Map<string, Node>;
  param?: { readonly name: string; readonly node: Node };
  greedy?: { readonly name: string; readonly node: Node };
  readonly methods: Map<string, MethodModel>;
}

const newNode = (): Node => ({ literal: new Map(), methods: new Map() });

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export class Router {
  private readonly root = newNode();

  constructor(methods: readonly MethodModel[]) {
    for (const method of methods) {
      let node = this.root;
      for (const part of method.resourcePath.split('/').filter(Boolean)) {
        const greedy = /^\{(.+)\+\}$/.exec(part);
        const param = /^\{(.+)\}$/.exec(part);
        if (greedy) node = (node.greedy ??= { name: greedy[1]!, node: newNode() }).node;
        else if (param) node = (node.param ??= { name: param[1]!, node: newNode() }).node;
        else {
          let next = node.literal.get(part);
          if (!next) node.literal.set(part, (next = newNode()));
          node = next;
        }
      }
      node.methods.set(method.httpMethod, method);
    }
  }

  match(httpMethod: string, rawPath: string): RouteMatch | undefined {
    const segments = rawPath.split('/').filter(Boolean).map(decode);
    const params: Record<string, string> = {};
    const node = this.walk(this.root, segments, 0, params);
    const method = node?.methods.get(httpMethod) ?? node?.methods.get('ANY');
    if (!method) return undefined;
    return { method, pathParameters: Object.keys(params).length > 0 ? params : null };
  }

  /** The most specific resource matching segments[i..]; fills `params` along the way. */
  private walk(node: Node, segments: readonly string[], i: number, params: Record<string, string>): Node | undefined {
    if (i === segments.length) return node;
    const segment = segments[i]!;
    const literal = node.literal.get(segment);
    const viaLiteral = literal && this.walk(literal, segments, i + 1, params);
    if (viaLiteral) return viaLiteral;
    if (node.param) {
      const found = this.walk(node.param.node, segments, i + 1, params);
      if (found) {
        params[node.param.name] = segment;
        return found;
      }
    }
    if (node.greedy) {
      params[node.greedy.name] = segments.slice(i).join('/');
      return node.greedy.node;
    }
    return undefined;
  }
}
