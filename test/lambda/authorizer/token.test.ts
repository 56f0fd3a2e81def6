import { authorizationCredential, extractBearerToken } from '../../../lambda/authorizer/token';

const T = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const extract = (headers: Record<string, string> | null, multi: Record<string, string[]> | null = null, max = 16384) =>
  extractBearerToken(headers, multi, max);

describe('extractBearerToken', () => {
  it.each([
    ['Authorization', `Bearer ${T}`],
    ['authorization', `bearer ${T}`],
    ['AUTHORIZATION', `BEARER ${T}`],
    ['Authorization', `Bearer   ${T}  `],
  ])('finds the token in %s: %s', (name, value) => {
    expect(extract({ [name]: value })).toBe(T);
  });

  it('prefers multiValueHeaders, where API Gateway keeps every copy', () => {
    expect(extract({ Authorization: `Bearer ${T}` }, { authorization: [`Bearer ${T}`] })).toBe(T);
  });

  it.each([
    ['no headers', null],
    ['no Authorization', { Accept: '*/*' }],
    ['a blank Authorization', { Authorization: '   ' }],
  ])('answers undefined (anonymous) for %s', (_n, headers) => {
    expect(extract(headers as Record<string, string> | null)).toBeUndefined();
  });

  it.each([
    ['Basic credentials', { Authorization: 'Basic dXNlcjpwYXNz' }, 'TOKEN_MALFORMED'],
    ['the scheme alone', { Authorization: 'Bearer' }, 'TOKEN_MALFORMED'],
    ['two tokens', { Authorization: `Bearer ${T} ${T}` }, 'TOKEN_MALFORMED'],
    ['a comma-joined pair', { Authorization: `Bearer ${T}, Bearer ${T}` }, 'TOKEN_MALFORMED'],
    ['a token with a space inside', { Authorization: 'Bearer abc def' }, 'TOKEN_MALFORMED'],
    ['a token with control characters', { Authorization: `Bearer ${T}\u0000` }, 'TOKEN_MALFORMED'],
    ['no space after the scheme', { Authorization: `Bearer${T}` }, 'TOKEN_MALFORMED'],
    ['a token over the size cap', { Authorization: `Bearer ${'a'.repeat(20000)}` }, 'TOKEN_TOO_LARGE'],
    ['two headers differing in case', { Authorization: `Bearer ${T}`, authorization: `Bearer ${T}` }, 'TOKEN_AMBIGUOUS'],
  ])('refuses %s', (_n, headers, code) => {
    expect(() => extract(headers)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses two Authorization headers in multiValueHeaders', () => {
    expect(() => extract({ Authorization: `Bearer ${T}` }, { Authorization: [`Bearer ${T}`, `Bearer ${T}`] })).toThrow(
      expect.objectContaining({ code: 'TOKEN_AMBIGUOUS' }),
    );
  });

  it.each([
    ['a blank second copy (NBSP), which headers names', { Authorization: '\u00a0' }, { Authorization: [`Bearer ${T}`, '\u00a0'] }],
    ['an empty second copy', { Authorization: '' }, { Authorization: [`Bearer ${T}`, ''] }],
    ['a blank first copy', { Authorization: `Bearer ${T}` }, { Authorization: ['  ', `Bearer ${T}`] }],
    ['a second copy under another spelling', { authorization: `Bearer ${T}` }, { Authorization: [`Bearer ${T}`], authorization: ['\t'] }],
    ['headers naming another value than multiValueHeaders', { Authorization: 'Bearer other' }, { Authorization: [`Bearer ${T}`] }],
    ['headers naming a blank value', { Authorization: ' ' }, { Authorization: [`Bearer ${T}`] }],
    ['headers without it while multiValueHeaders has it', { Accept: '*/*' }, { Authorization: [`Bearer ${T}`] }],
    ['multiValueHeaders without it while headers has it', { Authorization: `Bearer ${T}` }, { Accept: ['*/*'] }],
  ])('refuses %s as ambiguous: API Gateway caches the answer under one copy', (_n, headers, multi) => {
    expect(() => extract(headers as Record<string, string>, multi as Record<string, string[]>)).toThrow(expect.objectContaining({ code: 'TOKEN_AMBIGUOUS' }));
  });

  it.each([
    ['a byte order mark before the scheme', `\ufeffBearer ${T}`],
    ['a no-break space after the token', `Bearer ${T}\u00a0`],
    ['an ideographic space before the scheme', `\u3000Bearer ${T}`],
    ['a line separator after the token', `Bearer ${T}\u2028`],
    ['a lone no-break space', '\u00a0'],
  ])('trims only spaces and tabs, so it refuses %s', (_n, value) => {
    expect(() => extract({ Authorization: value }, { Authorization: [value] })).toThrow(expect.objectContaining({ code: 'TOKEN_MALFORMED' }));
  });

  it('trims spaces and tabs around the value, and takes a blank one for none', () => {
    expect(extract({ Authorization: `\t Bearer ${T}\t ` }, { Authorization: [`\t Bearer ${T}\t `] })).toBe(T);
    expect(extract({ Authorization: ' \t ' }, { Authorization: [' \t '] })).toBeUndefined();
  });

  it('caps the credential itself at the limit, to the byte', () => {
    expect(extract({ Authorization: `Bearer ${'a'.repeat(512)}` }, null, 512)).toHaveLength(512);
    expect(() => extract({ Authorization: `Bearer ${'a'.repeat(513)}` }, null, 512)).toThrow(expect.objectContaining({ code: 'TOKEN_TOO_LARGE' }));
  });

  it('checks the size before parsing', () => {
    expect(() => extract({ Authorization: `Bearer ${'a'.repeat(600)}` }, null, 512)).toThrow(expect.objectContaining({ code: 'TOKEN_TOO_LARGE' }));
  });
});

describe('authorizationCredential (the DPoP scheme, RFC 9449 §7.1)', () => {
  const read = (value: string, dpop: boolean, multi?: string[]) => authorizationCredential({ Authorization: value }, multi ? { Authorization: multi } : null, 16384, dpop);

  it.each([`DPoP ${T}`, `dpop ${T}`, `DPOP   ${T} `])('reads %s where proofs are taken', (value) => {
    expect(read(value, true)).toEqual({ scheme: 'DPoP', token: T });
  });

  it('reads Bearer alike, with its scheme', () => {
    expect(read(`Bearer ${T}`, true)).toEqual({ scheme: 'Bearer', token: T });
  });

  it('refuses the DPoP scheme where no route takes proofs, as today', () => {
    expect(() => read(`DPoP ${T}`, false)).toThrow(expect.objectContaining({ code: 'TOKEN_MALFORMED' }));
  });

  it.each([
    ['the scheme alone', 'DPoP', 'TOKEN_MALFORMED'],
    ['no space after the scheme', `DPoP${T}`, 'TOKEN_MALFORMED'],
    ['a longer word', `DPoPX ${T}`, 'TOKEN_MALFORMED'],
  ])('refuses %s', (_n, value, code) => {
    expect(() => read(value, true)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses two Authorization headers, one DPoP and one Bearer', () => {
    expect(() => read(`Bearer ${T}`, true, [`DPoP ${T}`, `Bearer ${T}`])).toThrow(expect.objectContaining({ code: 'TOKEN_AMBIGUOUS' }));
  });
});
