// Which requests an execute-api resource pattern reaches. In IAM, `*` matches any run of characters, `/`
// included, so `GET/items/*` matches `GET/items/admin` and `GET/items/5/secret` too. A route's own requests
// are narrower: a `{param}` is one path segment (no `/`), `{proxy+}` one or more, `ANY` one method name; and
// since a request path may repeat a slash or end with one and still be routed there (the methodArn keeps the
// path as sent), every `/` of a route stands for one or more, with any number at the end.

/** What a pattern is made of: a route's method and resource path (shared/routes.ts RouteRule has them). */
export interface RouteShape {
  readonly method: string;
  readonly resourcePath: string;
}

/** `GET /items/{id}` → `GET/items/*`; `ANY` → `*`: the route's resource in a policy, after the stage. */
export function routePattern(rule: RouteShape): string {
  const path = rule.resourcePath.replace(/\{[^}]+\}/g, '*').replace(/^\//, '');
  return `${rule.method === 'ANY' ? '*' : rule.method}/${path}`;
}

/**
 * The resources a policy names for `rule`: its pattern and, unless that already ends in `/` or `*`, the same
 * with a trailing slash. API Gateway routes `GET /profile/` to `/profile` and the methodArn keeps the path as
 * sent, so without it a valid token would get 403 there. A doubled slash inside a path (`GET //profile`) is
 * routed too but named by no policy: such a request is refused (403) rather than covered by a wider pattern.
 */
export function policyResources(rule: RouteShape): readonly string[] {
  const pattern = routePattern(rule);
  return pattern.endsWith('/') || pattern.endsWith('*') ? [pattern] : [pattern, `${pattern}/`];
}

/**
 * One step of a route's request language: a literal character, or one character of a class (`segment`: not
 * `/`; `any`; `slash`: only `/`), once or, with `repeat`, any number of times.
 */
type Step = { readonly char: string } | { readonly cls: 'segment' | 'any' | 'slash'; readonly repeat: boolean };

/** `GET /items/{id}` → the language of `GET/items/<one segment>`, as it appears after the stage in a methodArn. */
export function routeLanguage(rule: RouteShape): readonly Step[] {
  const steps: Step[] = [];
  const literal = (text: string) => {
    for (const char of text) {
      steps.push({ char });
      if (char === '/') steps.push({ cls: 'slash', repeat: true });
    }
  };
  const oneOrMore = (cls: 'segment' | 'any') => steps.push({ cls, repeat: false }, { cls, repeat: true });
  if (rule.method === 'ANY') oneOrMore('segment');
  else literal(rule.method);
  literal('/');
  rule.resourcePath
    .slice(1)
    .split(/(\{[^}]+\})/)
    .forEach((part) => (part.startsWith('{') ? oneOrMore(part.endsWith('+}') ? 'any' : 'segment') : literal(part)));
  steps.push({ cls: 'slash', repeat: true });
  return steps;
}

/** Whether IAM `pattern` (with `*`) matches some request of `language`: a search over both automata at once. */
export function patternReaches(pattern: string, language: readonly Step[]): boolean {
  // Characters that can tell the two apart: every literal, `/`, and one character that is neither.
  const alphabet = new Set<string>(['/', '\u0001']);
  for (const c of pattern) if (c !== '*') alphabet.add(c);
  for (const s of language) if ('char' in s) alphabet.add(s.char);

  // Epsilon closures: a `*` may match nothing, a repeated class may match nothing.
  const closeP = (x: number): number[] => (pattern[x] === '*' ? [x, ...closeP(x + 1)] : [x]);
  const closeL = (y: number): number[] => {
    const s = language[y];
    return s && 'repeat' in s && s.repeat ? [y, ...closeL(y + 1)] : [y];
  };
  const stepP = (x: number, c: string): number[] => (pattern[x] === '*' ? [x] : x < pattern.length && pattern[x] === c ? [x + 1] : []);
  const stepL = (y: number, c: string): number[] => {
    const s = language[y];
    if (!s) return [];
    if ('char' in s) return s.char === c ? [y + 1] : [];
    if ((s.cls === 'segment' && c === '/') || (s.cls === 'slash' && c !== '/')) return [];
    return s.repeat ? [y] : [y + 1];
  };

  const seen = new Set<string>();
  const queue: [number, number][] = [];
  const visit = (x: number, y: number) => {
    for (const a of closeP(x))
      for (const b of closeL(y)) {
        const key = `${a},${b}`;
        if (!seen.has(key)) {
          seen.add(key);
          queue.push([a, b]);
        }
      }
  };
  visit(0, 0);
  while (queue.length > 0) {
    const [x, y] = queue.pop()!;
    if (x === pattern.length && y === language.length) return true;
    for (const c of alphabet) for (const a of stepP(x, c)) for (const b of stepL(y, c)) visit(a, b);
  }
  return false;
}
