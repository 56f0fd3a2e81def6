import { readProxyResponse } from '../../../../local/gateway/integrations/proxy-response';

const ok = (result: unknown, binary = false) => {
  const check = readProxyResponse(result, binary);
  if (!check.ok) throw new Error(check.reason);
  return { ...check.answer, body: check.answer.body.toString('utf8') };
};
const reason = (result: unknown) => {
  const check = readProxyResponse(result, false);
  return check.ok ? undefined : check.reason;
};

describe('readProxyResponse', () => {
  test('status, headers and body; Content-Type defaults to application/json', () => {
    expect(ok({ statusCode: 200, body: '{"a":1}' })).toEqual({ statusCode: 200, headers: { 'Content-Type': ['application/json'] }, body: '{"a":1}' });
    expect(ok({ statusCode: 204 })).toEqual({ statusCode: 204, headers: { 'Content-Type': ['application/json'] }, body: '' });
  });

  test('headers and multiValueHeaders merge; a pair given in both appears once', () => {
    const answer = ok({
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'X-A': 'one', 'x-n': 5 },
      multiValueHeaders: { 'x-a': ['one', 'two'], 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'hi',
    });
    expect(answer.headers).toEqual({ 'x-a': ['one', 'two'], 'Set-Cookie': ['a=1', 'b=2'], 'content-type': ['text/plain'], 'x-n': ['5'] });
  });

  test('a numeric-string status code is accepted', () => {
    expect(ok({ statusCode: '404', body: '' }).statusCode).toBe(404);
  });

  test('isBase64Encoded bodies become bytes only when the client accepts a binary media type', () => {
    const result = { statusCode: 200, body: Buffer.from('PNG!').toString('base64'), isBase64Encoded: true };
    expect(ok(result, true).body).toBe('PNG!');
    expect(ok(result, false).body).toBe(result.body);
  });

  test.each([
    ['null', null, /returned null/],
    ['a string', 'hello', /returned string/],
    ['no statusCode', { body: 'x' }, /statusCode/],
    ['a fractional statusCode', { statusCode: 200.5 }, /statusCode/],
    ['an object body', { statusCode: 200, body: { a: 1 } }, /body is not a string/],
    ['an object header', { statusCode: 200, headers: { a: { b: 1 } } }, /headers\.a/],
    ['a scalar in multiValueHeaders', { statusCode: 200, multiValueHeaders: { a: 'b' } }, /multiValueHeaders\.a/],
    ['a string isBase64Encoded', { statusCode: 200, isBase64Encoded: 'true' }, /isBase64Encoded/],
  ])('refuses %s as malformed (API Gateway answers 502)', (_name, result, pattern) => {
    expect(reason(result)).toMatch(/^Malformed Lambda proxy response/);
    expect(reason(result)).toMatch(pattern);
  });
});
