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
