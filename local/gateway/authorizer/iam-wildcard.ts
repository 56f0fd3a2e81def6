// IAM's wildcard matching for policy Resource and Action values: `*` matches any run of characters
// (including `/` and `:`), `?` exactly one, everything else itself. Linear-time greedy matching with a
// single backtrack point, so a hostile pattern from an authorizer cannot make a request slow.

/** True when `value` matches `pattern`; actions compare case-insensitively, resources do not. */
export function iamWildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1; // position in p just after the last `*`
  let mark = 0; // position in v that star is currently absorbing up to
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = ++pi;
      mark = vi;
    } else if (star >= 0) {
      pi = star;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
