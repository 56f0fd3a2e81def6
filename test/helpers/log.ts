// Collects the authorizer's log lines so tests can assert on decisions and on what never appears.
import type { Logger, LogFields, LogLevel } from '../../lambda/authorizer/log';

export interface Captured {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

export function captureLogger(): Logger & { lines: Captured[]; text(): string } {
  const lines: Captured[] = [];
  return {
    lines,
    log(level, message, fields) {
      lines.push({ level, message, fields });
    },
    text() {
      return lines.map((l) => JSON.stringify(l)).join('\n');
    },
  };
}
