// One JSON line per event on stdout, which Lambda's JSON log format keeps as a structured record.
// Callers pass reason codes and identifiers only: never a token, a signature, or a header value.

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, message: string, fields: LogFields): void;
}

/** Writes one line per record; `write` is swappable so tests can collect lines. */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  // This runs once per decision: the ISO timestamp is reused within a millisecond, and the line is spliced
  // rather than built from a spread copy of `fields`. The output is what
  // JSON.stringify({ timestamp, level, message, ...fields }) gives.
  let stampedAt = NaN;
  let stamp = '';
  return {
    log(level, message, fields) {
      const t = Date.now();
      if (t !== stampedAt) {
        stampedAt = t;
        stamp = new Date(t).toISOString();
      }
      const rest = JSON.stringify(fields);
      write(`{"timestamp":"${stamp}","level":"${level}","message":${JSON.stringify(message)}${rest === '{}' ? '}' : `,${rest.slice(1)}`}\n`);
    },
  };
}
