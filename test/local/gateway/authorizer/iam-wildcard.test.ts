import { iamWildcardMatch } from '../../../../local/gateway/authorizer/iam-wildcard';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items/42';

describe('iamWildcardMatch', () => {
  test.each([
    ['exact', ARN, true],
    ['* spans slashes and colons', 'arn:aws:execute-api:*', true],
    ['* in the middle', 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/items/*', true],
    ['? is one character', 'arn:aws:execute-api:us-east-1:123456789012:abc123/pro?/GET/items/4?', true],
    ['? is not zero characters', 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items/42?', false],
    ['another method', 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/*', false],
    ['a prefix is not a match', 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items', false],
    ['lone *', '*', true],
    ['case matters in resources', ARN.toUpperCase(), false],
  ])('%s', (_name, pattern, expected) => {
    expect(iamWildcardMatch(pattern, ARN)).toBe(expected);
  });

  test('the root resource ends in a slash, which GET/* also covers', () => {
    const root = 'arn:aws:execute-api:us-east-1:1:api/prod/GET/';
    expect(iamWildcardMatch('arn:aws:execute-api:us-east-1:1:api/prod/GET/', root)).toBe(true);
    expect(iamWildcardMatch('arn:aws:execute-api:us-east-1:1:api/prod/GET/*', root)).toBe(true);
    expect(iamWildcardMatch('arn:aws:execute-api:us-east-1:1:api/prod/GET/profile', root)).toBe(false);
  });

  test('actions compare without case', () => {
    expect(iamWildcardMatch('execute-api:invoke', 'execute-api:Invoke', true)).toBe(true);
    expect(iamWildcardMatch('Execute-API:*', 'execute-api:Invoke', true)).toBe(true);
    expect(iamWildcardMatch('execute-api:ManageConnections', 'execute-api:Invoke', true)).toBe(false);
  });

  test('empty pattern and value', () => {
    expect(iamWildcardMatch('', '')).toBe(true);
    expect(iamWildcardMatch('*', '')).toBe(true);
    expect(iamWildcardMatch('?', '')).toBe(false);
  });

  test('a pattern made to backtrack stays fast', () => {
    const value = 'a'.repeat(20000);
    const pattern = `${'*a'.repeat(200)}b`;
    const started = performance.now();
    expect(iamWildcardMatch(pattern, value)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
