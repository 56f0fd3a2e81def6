// One JSON line per event on stdout, which Lambda's JSON log format keeps as a structured record.
// Callers pass reason codes and identifiers only: never a token, a signature, or a header value.

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, message: string, fields: LogFields): void;
}

/** Writes one line per record; `write` is swappable so tests can collect lines. */
export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return {
    log(level, message, fields) {
      write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...fields })}\n`);
    },
  };
}
