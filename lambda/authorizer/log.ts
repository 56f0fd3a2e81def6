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

/** The most characters `untrusted` writes, its `...` aside. */
export const MAX_UNTRUSTED_CHARS = 128;

/**
 * A value a token chose (its unverified `iss`), fit for a log line: printable ASCII only, with a backslash,
 * control characters and everything beyond ASCII escaped as `\uXXXX` (`\u{XXXXX}` beyond the BMP), URL
 * credentials and anything shaped like a compact JWS (a token planted there) dropped, and cut at 128
 * characters with `...`, so a token can neither forge a line, nor hide in look-alike characters, nor fill the
 * log, nor have another token written down. Anything but a string is named by its type.
 */
export function untrusted(value: unknown): string {
  if (typeof value !== 'string') return value === null ? '(null)' : `(${Array.isArray(value) ? 'array' : typeof value})`;
  // `scheme://user:pass@host` → `scheme://***@host`: never a URL's credentials, even one a token made up.
  const text = value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1***@').replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '(jws)');
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const piece = c >= 0x20 && c <= 0x7e && ch !== '\\' ? ch : c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\u{${c.toString(16)}}`;
    if (out.length + piece.length > MAX_UNTRUSTED_CHARS) return `${out}...`;
    out += piece;
  }
  return out;
}
