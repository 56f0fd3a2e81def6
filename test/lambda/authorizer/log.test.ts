import { jsonLogger } from '../../../lambda/authorizer/log';

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
  afterEach(() => jest.restoreAllMocks());

  it.each([0, 1, 9, 10, 99, 100, 999])('writes what Date#toISOString gives, %i ms into a second', (ms) => {
    const out: string[] = [];
    const logger = jsonLogger((l) => out.push(l));
    const base = Date.UTC(2026, 11, 2, 7, 59, 59);
    for (const t of [base + ms, base + 1000 + ms, base + 1000 + ((ms + 1) % 1000)]) {
      jest.spyOn(Date, 'now').mockReturnValue(t);
      logger.log('INFO', 'm', {});
      expect(JSON.parse(out.at(-1)!).timestamp).toBe(new Date(t).toISOString());
    }
  });
});
