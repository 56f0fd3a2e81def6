// Gathers every log line a suite produces (the authorizer's records, and any line an emulated Lambda or
// gateway writes) together with every token the suite sent, so the suite can end by proving that no
// token, no token's signature, and nothing the sender planted in its header was ever written to a log.
import type { Logger } from '../../lambda/authorizer/log';

/** Signatures shorter than this are hand-forged fillers ("c2ln") that could match by chance. */
const MIN_SECRET_LENGTH = 16;

/**
 * Every string in a decoded header, names and values, at any depth, but the top-level `kid`: a decision line
 * names the key that verified a token. (Claims are not searched: a configured issuer, audience or subject
 * recurs in them, and the decision lines name those.)
 */
function stringsIn(value: unknown, out: string[], depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out, depth + 1);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      if (!(depth === 0 && k === 'kid')) stringsIn(v, out, depth + 1);
    }
  }
}

/** The strings a compact JWS's header holds, or none when it is not a JSON header. */
function plantedIn(token: string): string[] {
  const parts = token.split('.');
  if (parts.length < 2) return [];
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
  } catch {
    return [];
  }
  const out: string[] = [];
  stringsIn(header, out);
  return out;
}

/**
 * The secrets worth looking for in a credential: itself, its signature and its signing input, and each
 * string its header carries (with the signature and signing input of a token planted there).
 */
function secretsOf(token: string, planted = true): string[] {
  const parts = token.split('.');
  const own = [token, parts.at(-1) ?? '', parts.length > 1 ? parts.slice(0, -1).join('.') : ''];
  const inside = planted ? plantedIn(token).flatMap((s) => secretsOf(s, false)) : [];
  return [...own, ...inside].filter((s) => s.length >= MIN_SECRET_LENGTH);
}

/** Finds every occurrence of any secret in `line`, in time linear in the line's length. */
function find(line: string, byPrefix: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  for (let i = 0; i + MIN_SECRET_LENGTH <= line.length; i++) {
    for (const secret of byPrefix.get(line.slice(i, i + MIN_SECRET_LENGTH)) ?? []) if (line.startsWith(secret, i)) found.push(secret);
  }
  return found;
}

function index(into: Map<string, string[]>, secret: string): void {
  const p = secret.slice(0, MIN_SECRET_LENGTH);
  const list = into.get(p);
  if (!list) into.set(p, [secret]);
  else if (!list.includes(secret)) list.push(secret);
}

/** Checks lines as they come, keeping none of them: for long runs (the load test). Watch tokens first. */
export class LeakScanner {
  private readonly byPrefix = new Map<string, string[]>();
  lines = 0;
  leaks = 0;

  watch(token: string): void {
    for (const s of secretsOf(token)) index(this.byPrefix, s);
  }

  check(line: string): void {
    this.lines++;
    if (find(line, this.byPrefix).length > 0) this.leaks++;
  }
}

export class LogAudit {
  readonly lines: string[] = [];
  private readonly secrets = new Set<string>();
  private tokens = 0;

  /**
   * `configured`: values a line may name because they are configuration (an issuer URL), which a forged
   * header may repeat, whole or in part.
   */
  constructor(private readonly configured: readonly string[] = []) {}

  /** A Logger for createAuthorizer that writes each record as the JSON line production would. */
  readonly logger: Logger = {
    log: (level, message, fields) => {
      this.lines.push(JSON.stringify({ level, message, ...fields }));
    },
  };

  /** For raw lines from elsewhere (emulated Lambdas' stdout, the gateway's request log). */
  readonly write = (line: string): void => {
    this.lines.push(line);
  };

  /** Remembers a token (or any credential) sent, its signature, its signing input and what it carries. */
  watch<T extends string>(token: T): T {
    this.tokens++;
    for (const s of secretsOf(token)) if (!this.configured.some((c) => c.includes(s))) this.secrets.add(s);
    return token;
  }

  get watched(): number {
    return this.tokens;
  }

  /** Every (line, secret) pair where a secret was found; empty means clean. Linear in the text logged. */
  leaks(): { line: string; secret: string }[] {
    const byPrefix = new Map<string, string[]>();
    for (const s of this.secrets) index(byPrefix, s);
    return this.lines.flatMap((line) => find(line, byPrefix).map((secret) => ({ line: line.slice(0, 200), secret: `${secret.slice(0, 12)}…` })));
  }
}

/**
 * Adds the suite's closing test: it runs after every other test in the file (jest runs a file's tests in
 * declaration order), so call it last, at top level.
 */
export function auditLogsAtEnd(audit: LogAudit, minimumLines = 1): void {
  describe('logs', () => {
    it('hold no token, no token signature and nothing from a token header in any line this suite produced', () => {
      expect(audit.lines.length).toBeGreaterThanOrEqual(minimumLines);
      expect(audit.watched).toBeGreaterThan(0);
      expect(audit.leaks()).toEqual([]);
    });
  });
}
