// Gathers every log line a suite produces (the authorizer's records, and any line an emulated Lambda or
// gateway writes) together with every token the suite sent, so the suite can end by proving that no
// token, and no token's signature, was ever written to a log.
import type { Logger } from '../../lambda/authorizer/log';

/** Signatures shorter than this are hand-forged fillers ("c2ln") that could match by chance. */
const MIN_SECRET_LENGTH = 16;

/** The secrets worth looking for in a credential: itself, its signature and its signing input. */
function secretsOf(token: string): string[] {
  const parts = token.split('.');
  return [token, parts.at(-1) ?? '', parts.length > 1 ? parts.slice(0, -1).join('.') : ''].filter((s) => s.length >= MIN_SECRET_LENGTH);
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

  /** Remembers a token (or any credential) sent, its signature and its signing input. */
  watch<T extends string>(token: T): T {
    this.tokens++;
    for (const s of secretsOf(token)) this.secrets.add(s);
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
    it('hold no token and no token signature in any line this suite produced', () => {
      expect(audit.lines.length).toBeGreaterThanOrEqual(minimumLines);
      expect(audit.watched).toBeGreaterThan(0);
      expect(audit.leaks()).toEqual([]);
    });
  });
}
