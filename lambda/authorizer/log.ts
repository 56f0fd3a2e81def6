// One JSON line per event on stdout, which Lambda's JSON log format keeps as a structured record.
// Callers pass reason codes and identifiers only: never a token, a signature, or a header value.

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, message: string, fields: LogFields): void;
}

/** Writes one line per record; `write` is swappable so tests can collect lines. */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  // This runs once per decision: the ISO timestamp's date and time are formatted once a second (Date's
  // formatter was a tenth of the line's cost), and the line is spliced rather than built from a spread copy
  // of `fields`. The output is what JSON.stringify({ timestamp, level, message, ...fields }) gives
  // (test/lambda/authorizer/log.test.ts).
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
      const stamp = `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
      const rest = JSON.stringify(fields);
      write(`{"timestamp":"${stamp}","level":"${level}","message":${JSON.stringify(message)}${rest === '{}' ? '}' : `,${rest.slice(1)}`}\n`);
    },
  };
}
