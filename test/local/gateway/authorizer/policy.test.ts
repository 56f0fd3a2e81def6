import type { PolicyStatement } from '../../../../local/gateway/authorizer/answer';
import { evaluatePolicy } from '../../../../local/gateway/authorizer/policy';

const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/';
const allow = (...Resource: string[]): PolicyStatement => ({ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource });
const deny = (...Resource: string[]): PolicyStatement => ({ Effect: 'Deny', Action: ['execute-api:Invoke'], Resource });

describe('evaluatePolicy', () => {
  test('an Allow covering the methodArn allows', () => {
    expect(evaluatePolicy([allow(`${PREFIX}GET/profile`)], { resource: `${PREFIX}GET/profile` })).toBe('ALLOW');
  });

  test('no matching Allow is an implicit deny', () => {
    expect(evaluatePolicy([allow(`${PREFIX}GET/`)], { resource: `${PREFIX}GET/profile` })).toBe('IMPLICIT_DENY');
  });

  test('an explicit Deny beats an Allow, whatever the order', () => {
    const resource = `${PREFIX}GET/admin`;
    expect(evaluatePolicy([allow(`${PREFIX}*`), deny(`${PREFIX}GET/admin`)], { resource })).toBe('EXPLICIT_DENY');
    expect(evaluatePolicy([deny(`${PREFIX}*/admin`), allow(`${PREFIX}*`)], { resource })).toBe('EXPLICIT_DENY');
  });

  test('a Deny for another resource does not matter', () => {
    expect(evaluatePolicy([allow(`${PREFIX}*`), deny(`${PREFIX}GET/admin`)], { resource: `${PREFIX}GET/profile` })).toBe('ALLOW');
  });

  test('the action must match, with wildcards and without case', () => {
    const resource = `${PREFIX}GET/x`;
    expect(evaluatePolicy([{ Effect: 'Allow', Action: ['execute-api:*'], Resource: ['*'] }], { resource })).toBe('ALLOW');
    expect(evaluatePolicy([{ Effect: 'Allow', Action: ['EXECUTE-API:INVOKE'], Resource: ['*'] }], { resource })).toBe('ALLOW');
    expect(evaluatePolicy([{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }], { resource })).toBe('IMPLICIT_DENY');
  });

  test('NotResource and NotAction invert the match', () => {
    const resource = `${PREFIX}GET/admin`;
    expect(evaluatePolicy([{ Effect: 'Allow', Action: ['execute-api:Invoke'], NotResource: [`${PREFIX}GET/admin`] }], { resource })).toBe('IMPLICIT_DENY');
    expect(evaluatePolicy([{ Effect: 'Allow', Action: ['execute-api:Invoke'], NotResource: [`${PREFIX}GET/other`] }], { resource })).toBe('ALLOW');
    expect(evaluatePolicy([{ Effect: 'Deny', NotAction: ['s3:*'], Resource: ['*'] }, allow('*')], { resource })).toBe('EXPLICIT_DENY');
  });

  test('conditions are not evaluated: a conditional Allow never allows, a conditional Deny always denies', () => {
    const resource = `${PREFIX}GET/x`;
    const Condition = { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } };
    expect(evaluatePolicy([{ ...allow('*'), Condition }], { resource })).toBe('IMPLICIT_DENY');
    expect(evaluatePolicy([allow('*'), { ...deny('*'), Condition }], { resource })).toBe('EXPLICIT_DENY');
  });
});
