// One JSON line per event on stdout, which Lambda's JSON log format keeps as a structured record.
// Callers pass reason codes and identifiers only: never a token, a signature, or a header value.

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, message: string, fields: LogFields): void;
}

// Printable ASCII but `"` and `\\`: such a string is its own JSON body, so the line is spliced from parts
// rather than built by JSON.stringify of a fields object (half the cost, and a line per decision).
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const jsonString = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));
const jsonValue = (v: string | number | boolean): string => (typeof v === 'string' ? jsonString(v) : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : v ? 'true' : 'false');

/** Writes one line per record; `write` is swappable so tests can collect lines. */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  // This runs once per decision: the ISO timestamp's date and time are formatted once a second (Date's
  // formatter was a tenth of the line's cost). The output is what
  // JSON.stringify({ timestamp, level, message, ...fields }) gives (test/lambda/authorizer/log.test.ts).
  let second = NaN;
  let prefix = '';
  return {
    log(level, message, fields) {
      const t = Date.now();
      const s = Math.floor(t / 1000);
      if (s !== second) {
        second = s;
        prefix = new Date(s * 1000).toISOString().slice(0, 20);
      }
      const ms = t - s * 1000;
      let line = `{"timestamp":"${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z","level":"${level}","message":${jsonString(message)}`;
      for (const key of Object.keys(fields)) {
        const value = fields[key];
        if (value !== undefined) line += `,${jsonString(key)}:${jsonValue(value)}`;
      }
      write(`${line}}\n`);
    },
  };
}
