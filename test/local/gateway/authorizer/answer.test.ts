import { checkAuthorizerAnswer } from '../../../../local/gateway/authorizer/answer';

const policyDocument = { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:*' }] };

describe('checkAuthorizerAnswer', () => {
  test('accepts the answer the authorizer gives, normalising Action and Resource to lists', () => {
    const check = checkAuthorizerAnswer({ principalId: 'sub-1', policyDocument, context: { username: 'a', anonymous: false, n: 1 }, usageIdentifierKey: 'k' });
    expect(check).toEqual({
      ok: true,
      answer: {
        principalId: 'sub-1',
        statements: [{ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: ['arn:aws:execute-api:*'] }],
        context: { username: 'a', anonymous: false, n: 1 },
        usageIdentifierKey: 'k',
      },
    });
  });

  test('a single Statement object and a missing context are fine', () => {
    const check = checkAuthorizerAnswer({ principalId: 'p', policyDocument: { Statement: policyDocument.Statement[0] } });
    expect(check.ok && check.answer.context).toEqual({});
  });

  test.each([
    ['null', null, 'ANSWER_NOT_OBJECT'],
    ['a string', 'Allow', 'ANSWER_NOT_OBJECT'],
    ['an array', [], 'ANSWER_NOT_OBJECT'],
    ['no principalId', { policyDocument }, 'PRINCIPAL_MISSING'],
    ['a numeric principalId', { principalId: 7, policyDocument }, 'PRINCIPAL_MISSING'],
    ['no policyDocument', { principalId: 'p' }, 'POLICY_INVALID'],
    ['an empty Statement list', { principalId: 'p', policyDocument: { Statement: [] } }, 'POLICY_INVALID'],
    ['a lower-case effect', { principalId: 'p', policyDocument: { Statement: [{ ...policyDocument.Statement[0], Effect: 'allow' }] } }, 'POLICY_INVALID'],
    ['no Resource', { principalId: 'p', policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow' }] } }, 'POLICY_INVALID'],
    ['Resource and NotResource', { principalId: 'p', policyDocument: { Statement: [{ ...policyDocument.Statement[0], NotResource: '*' }] } }, 'POLICY_INVALID'],
    ['an empty Resource list', { principalId: 'p', policyDocument: { Statement: [{ ...policyDocument.Statement[0], Resource: [] }] } }, 'POLICY_INVALID'],
    ['an object in context', { principalId: 'p', policyDocument, context: { claims: { sub: 'x' } } }, 'CONTEXT_INVALID'],
    ['an array in context', { principalId: 'p', policyDocument, context: { groups: ['a'] } }, 'CONTEXT_INVALID'],
    ['null in context', { principalId: 'p', policyDocument, context: { email: null } }, 'CONTEXT_INVALID'],
    ['context as an array', { principalId: 'p', policyDocument, context: [] }, 'CONTEXT_INVALID'],
  ])('refuses %s', (_name, answer, code) => {
    const check = checkAuthorizerAnswer(answer);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.code).toBe(code);
  });
});
