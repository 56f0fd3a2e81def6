// jose's errors as our reason codes, with a detail of our own: jose's messages may quote the token's header.
import { errors as jose } from 'jose';
import { TokenError } from '../../../lambda/authorizer/errors';
import { fromJose } from '../../../lambda/authorizer/jose-errors';

const PLANTED = 'planted-by-the-sender-0123456789';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('fromJose', () => {
  it.each([
    ['an unknown crit entry', new jose.JOSENotSupported(`Extension Header Parameter "${PLANTED}" is not recognized`), 'HEADER_UNSUPPORTED'],
    ['a missing crit parameter', new jose.JWSInvalid(`Extension Header Parameter "${PLANTED}" is missing`), 'TOKEN_MALFORMED'],
    ['a malformed JWT', new jose.JWTInvalid(`JWT ${PLANTED}`), 'TOKEN_MALFORMED'],
    ['an algorithm not allowed', new jose.JOSEAlgNotAllowed(`alg ${PLANTED}`), 'ALG_NOT_ALLOWED'],
    ['a failed signature', new jose.JWSSignatureVerificationFailed(PLANTED), 'SIGNATURE_INVALID'],
    ['no matching key', new jose.JWKSNoMatchingKey(PLANTED), 'KEY_NOT_FOUND'],
    ['an expired token', new jose.JWTExpired(PLANTED, { exp: 1 }, 'exp', 'check_failed'), 'EXPIRED'],
    ['a claim of the wrong type', new jose.JWTClaimValidationFailed(PLANTED, {}, 'nbf', 'invalid'), 'CLAIM_INVALID'],
    ['a wrong issuer', new jose.JWTClaimValidationFailed(PLANTED, { iss: PLANTED }, 'iss', 'check_failed'), 'ISSUER_MISMATCH'],
    ['a claim jose names from the token', new jose.JWTClaimValidationFailed(PLANTED, {}, PLANTED, 'check_failed'), 'CLAIM_INVALID'],
  ])('gives %s a fixed detail that quotes nothing of jose message', (_name, error, code) => {
    const mapped = fromJose(error, TOKEN);
    expect(mapped).toBeInstanceOf(TokenError);
    expect(mapped).toMatchObject({ code });
    expect((mapped as TokenError).message).not.toContain(PLANTED);
    expect((mapped as TokenError).message).toMatch(/^[\x20-\x7e]{1,120}$/);
  });

  it('leaves what is not jose refusing the token as it is', () => {
    const bug = new TypeError('bug');
    expect(fromJose(bug, TOKEN)).toBe(bug);
  });
});
