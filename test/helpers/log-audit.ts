// Gathers every log line a suite produces (the authorizer's records, and any line an emulated Lambda or
// gateway writes) together with every token the suite sent, so the suite can end by proving that no
// token, and no token's signature, was ever written to a log.
import type { Logger } from '../../lambda/authorizer/log';

/** Signatures shorter than this are hand-forged fillers ("c2ln") that could match by chance. */
const MIN_SECRET_LENGTH = 16;

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
    const parts = token.split('.');
    for (const s of [token, parts.at(-1) ?? '', parts.length > 1 ? parts.slice(0, -1).join('.') : '']) {
      if (s.length >= MIN_SECRET_LENGTH) this.secrets.add(s);
    }
    return token;
  }

  get watched(): number {
    return this.tokens;
  }

  /** Every (line, secret) pair where a secret was found; empty means clean. Linear in the text logged. */
  leaks(): { line: string; secret: string }[] {
    const byPrefix = new Map<string, string[]>();
    for (const s of this.secrets) {
      const p = s.slice(0, MIN_SECRET_LENGTH);
      byPrefix.set(p, [...(byPrefix.get(p) ?? []), s]);
    }
    const found: { line: string; secret: string }[] = [];
    for (const line of this.lines) {
      for (let i = 0; i + MIN_SECRET_LENGTH <= line.length; i++) {
        for (const secret of byPrefix.get(line.slice(i, i + MIN_SECRET_LENGTH)) ?? []) {
          if (line.startsWith(secret, i)) found.push({ line: line.slice(0, 200), secret: `${secret.slice(0, 12)}…` });
        }
      }
    }
    return found;
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
