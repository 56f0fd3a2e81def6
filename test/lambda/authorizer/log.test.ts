import { jsonLogger, MAX_UNTRUSTED_CHARS, untrusted } from '../../../lambda/authorizer/log';

describe('jsonLogger', () => {
  it('writes one JSON object per line with level, message and fields', () => {
    const out: string[] = [];
    jsonLogger((l) => out.push(l)).log('WARN', 'key fetch failed', { code: 'FETCH_TIMEOUT', ms: 3001, kid: undefined });
    expect(out).toHaveLength(1);
    expect(out[0]!.endsWith('\n')).toBe(true);
    const record = JSON.parse(out[0]!);
    expect(record).toMatchObject({ level: 'WARN', message: 'key fetch failed', code: 'FETCH_TIMEOUT', ms: 3001 });
    expect(Date.parse(record.timestamp)).not.toBeNaN();
    expect('kid' in record).toBe(false);
  });
});

describe('jsonLogger timestamps', () => {
  afterEach(() => jest.useRealTimers());

  it('stamps each line with the time it was written, to the millisecond, in UTC', () => {
    const out: string[] = [];
    const logger = jsonLogger((l) => out.push(l));
    for (const t of [Date.UTC(2026, 11, 2, 7, 59, 59, 7), Date.UTC(2026, 11, 2, 8, 0, 0, 999)]) {
      jest.useFakeTimers({ now: t });
      logger.log('INFO', 'm', {});
      expect(JSON.parse(out.at(-1)!).timestamp).toBe(new Date(t).toISOString());
    }
  });
});

describe('jsonLogger lines', () => {
  afterEach(() => jest.useRealTimers());

  const strings = ['', 'plain', 'GET /profile', 'quote "q"', 'back\\slash', 'tab\there', 'nl\n', '\u0000\u001f\u007f', 'é ü 漢字', '\u2028\u2029', '\ud800 lone', '😀', '</script>', 'a'.repeat(300)];
  const values: (string | number | boolean | undefined)[] = [...strings, 0, -0, 1.5, -42, 1e21, 5e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, true, false, undefined];

  it('writes exactly what JSON.stringify of the record gives, for awkward keys and values', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 2, 7, 0, 0, 5) });
    const out: string[] = [];
    const logger = jsonLogger((l) => out.push(l));
    const expected: string[] = [];
    for (const [i, value] of values.entries()) {
      const key = strings[i % strings.length]! || 'k';
      const fields = { event: 'decision', [key]: value, after: i };
      const message = strings[(i * 7) % strings.length]!;
      logger.log('INFO', message, fields);
      expected.push(`${JSON.stringify({ timestamp: new Date().toISOString(), level: 'INFO', message, ...fields })}\n`);
    }
    expect(out).toEqual(expected);
  });
});

describe('untrusted (a value a token chose, for a log line)', () => {
  it('keeps printable ASCII and escapes everything else, a backslash too', () => {
    expect(untrusted('https://idp.example.com/')).toBe('https://idp.example.com/');
    expect(untrusted('a\\b')).toBe('a\\u005cb');
    expect(untrusted('x\r\n\u0000\u007f\u00e9\u2028\u202e\ud800')).toBe('x\\u000d\\u000a\\u0000\\u007f\\u00e9\\u2028\\u202e\\ud800');
    expect(untrusted('\u{1f600}')).toBe('\\u{1f600}');
  });

  it('drops URL credentials and names non-strings by their type', () => {
    expect(untrusted('https://user:pass@idp.example.com/x@y')).toBe('https://***@idp.example.com/x@y');
    expect(untrusted('https://idp.example.com/eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl/x')).toBe('https://idp.example.com/(jws)/x');
    expect(untrusted('https://login.microsoftonline.com/v2.0')).toBe('https://login.microsoftonline.com/v2.0');
    expect([null, 1, true, {}, ['a'], undefined].map(untrusted)).toEqual(['(null)', '(number)', '(boolean)', '(object)', '(array)', '(undefined)']);
  });

  it('never writes more than the cap, nor anything but printable ASCII, whatever it is given', () => {
    const inputs = ['a'.repeat(10_000), '\u0001'.repeat(500), '\u{1f600}'.repeat(100), `${'b'.repeat(127)}\u0001`, Array.from({ length: 2000 }, (_, i) => String.fromCharCode(i * 37 % 65536)).join('')];
    for (const input of inputs) {
      const out = untrusted(input);
      expect(out.length).toBeLessThanOrEqual(MAX_UNTRUSTED_CHARS + 3);
      expect(out).toMatch(/^[\x20-\x7e]*$/);
    }
    expect(untrusted('c'.repeat(128))).toBe('c'.repeat(128));
    expect(untrusted('c'.repeat(129))).toBe(`${'c'.repeat(128)}...`);
    expect(untrusted(`${'b'.repeat(127)}\u0001`)).toBe(`${'b'.repeat(127)}...`);
  });
});
