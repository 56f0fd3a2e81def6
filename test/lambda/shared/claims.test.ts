// Claim references, rules, and claims handed on through the authorizer context and read back typed.
import { checkClaimReference, decodeContextClaims, encodeContextClaims, MAX_CONTEXT_CLAIM_BYTES, meetsClaimRules, parseClaimRules, readClaim } from '../../../lambda/shared/claims';

const token = {
  sub: 'u1',
  'cognito:groups': ['admins', 'staff'],
  'https://example.com/roles': ['editor'],
  realm_access: { roles: ['offline_access', 'manager'] },
  'a/b': { 'c~d': 'x' },
  scope: 'openid profile',
  tenant_id: 'acme',
  level: 3,
  verified: true,
};

describe('claim references', () => {
  it.each([
    ['cognito:groups', ['admins', 'staff']],
    ['https://example.com/roles', ['editor']], // dots and slashes in a name taken as written
    ['/realm_access/roles', ['offline_access', 'manager']], // a JSON Pointer into a nested claim
    ['/a~1b/c~0d', 'x'], // RFC 6901 escapes
    ['/realm_access/missing', undefined],
    ['constructor', undefined], // never the prototype
    ['/realm_access/roles/length', undefined],
  ])('%s reads %j', (ref, value) => {
    expect(readClaim(token, ref)).toEqual(value);
  });

  it.each(['', 'has space', '/', '/a~2b', '/a~', 'x'.repeat(201), 5, '__proto__'])('refuses %j as a reference', (ref) => {
    expect(() => checkClaimReference(ref, 'where')).toThrow(/^where: /);
  });
});

describe('claim rules', () => {
  const read = (ref: string) => readClaim(token, ref);
  it('match a string, an array member, scope by its space-delimited values, a number and a boolean', () => {
    expect(meetsClaimRules({ 'cognito:groups': ['admins'] }, read)).toBe(true);
    expect(meetsClaimRules({ tenant_id: ['acme'] }, read)).toBe(true);
    expect(meetsClaimRules({ scope: ['profile'] }, read)).toBe(true);
    expect(meetsClaimRules({ '/realm_access/roles': ['manager', 'boss'] }, read)).toBe(true);
    expect(meetsClaimRules({ level: [3], verified: [true] }, read)).toBe(true);
  });

  it('split only scope and scp: a space in any other claim is part of its one value', () => {
    const claims: Record<string, unknown> = { roles: 'user admin', tenant: 'evil acme', scp: 'read write', scope: 'openid admin', groups: ['user admin'] };
    const r = (ref: string) => readClaim(claims, ref);
    expect(meetsClaimRules({ roles: ['admin'] }, r)).toBe(false);
    expect(meetsClaimRules({ tenant: ['acme'] }, r)).toBe(false);
    expect(meetsClaimRules({ groups: ['admin'] }, r)).toBe(false);
    expect(meetsClaimRules({ scp: ['write'] }, r)).toBe(true);
    expect(meetsClaimRules({ scope: ['admin'] }, r)).toBe(true);
    expect(meetsClaimRules({ '/scope': ['admin'] }, r)).toBe(true);
  });

  it('keep types apart: 1, "1", true and "true" meet only themselves', () => {
    const values = [1, '1', true, 'true'] as const;
    for (const held of values) {
      for (const wanted of values) {
        expect(meetsClaimRules({ c: [wanted] }, () => held)).toBe(held === wanted);
        expect(meetsClaimRules({ c: [wanted] }, () => [held])).toBe(held === wanted);
      }
    }
  });

  it('require every listed claim, each holding at least one of its values', () => {
    expect(meetsClaimRules({ 'cognito:groups': ['admins'], tenant_id: ['other'] }, read)).toBe(false);
    expect(meetsClaimRules({ 'cognito:groups': ['nobody'] }, read)).toBe(false);
    expect(meetsClaimRules({ missing: ['x'] }, read)).toBe(false);
    expect(meetsClaimRules({ realm_access: ['manager'] }, read)).toBe(false); // an object holds no value
    expect(meetsClaimRules({}, read)).toBe(true);
  });

  it('are validated when a route is parsed', () => {
    expect(parseClaimRules({ roles: ['b', 'a', 'a'] }, 'r')).toEqual({ roles: ['a', 'b'] });
    expect(() => parseClaimRules({ roles: [] }, 'r')).toThrow(/non-empty array/);
    expect(() => parseClaimRules({ roles: 'admin' }, 'r')).toThrow(/non-empty array/);
    expect(() => parseClaimRules({ roles: ['two words'] }, 'r')).toThrow(/without spaces/);
    expect(() => parseClaimRules(['roles'], 'r')).toThrow(/must be an object/);
  });

  it('take numbers and booleans as themselves, and refuse what no claim value could equal', () => {
    expect(parseClaimRules({ level: [3, '3', 1], verified: [true] }, 'r')).toEqual({ level: [1, 3, '3'], verified: [true] });
    for (const bad of [[null], [{}], [['a']], [''], [Number.NaN], [Number.POSITIVE_INFINITY]]) {
      expect(() => parseClaimRules({ roles: bad }, 'r')).toThrow(/non-empty array of values/);
    }
  });
});

describe('claims handed on in the context', () => {
  it('pass strings and numbers as they are, the rest as JSON, and come back typed', () => {
    const { entries, tooLarge } = encodeContextClaims(token, ['tenant_id', 'level', 'verified', 'cognito:groups', '/realm_access/roles', 'absent']);
    expect(tooLarge).toEqual([]);
    expect(entries['claim:tenant_id']).toBe('acme');
    expect(entries['claim:level']).toBe(3);
    expect(entries['claim:cognito:groups']).toBe('["admins","staff"]');
    for (const v of Object.values(entries)) expect(['string', 'number', 'boolean']).toContain(typeof v);
    // What a proxy integration receives: every value stringified by API Gateway.
    const stringified = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, String(v)]));
    expect(decodeContextClaims(stringified)).toEqual({
      tenant_id: 'acme',
      level: 3,
      verified: true,
      'cognito:groups': ['admins', 'staff'],
      '/realm_access/roles': ['offline_access', 'manager'],
    });
  });

  it('refuse a __proto__ rule rather than lose it (it would set a prototype, leaving the route open)', () => {
    expect(() => parseClaimRules(JSON.parse('{"__proto__": ["admins"]}'), 'r')).toThrow(/cannot name a claim/);
  });

  it('measure the size cap in bytes, not characters', () => {
    const wide = 'é'.repeat(MAX_CONTEXT_CLAIM_BYTES / 2 + 1); // fewer characters than the cap, more bytes
    expect(encodeContextClaims({ wide }, ['wide']).tooLarge).toEqual(['wide']);
  });

  it('leave out a claim over the size cap, saying which', () => {
    const { entries, tooLarge } = encodeContextClaims({ big: 'x'.repeat(MAX_CONTEXT_CLAIM_BYTES + 1), small: 's' }, ['big', 'small']);
    expect(tooLarge).toEqual(['big']);
    expect(Object.keys(entries).sort()).toEqual(['claim:small', 'claimTypes']);
  });

  it('read nothing from a context without them, or with a forged type record', () => {
    expect(decodeContextClaims({ username: 'u' })).toEqual({});
    expect(decodeContextClaims({ claimTypes: 'not json', 'claim:x': '1' })).toEqual({});
    expect(decodeContextClaims({ claimTypes: '{"x":"j"}', 'claim:x': '{broken' })).toEqual({});
  });
});
