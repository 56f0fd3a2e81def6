import { ConfigError, FetchError, KeySetError, KeysUnavailableError, TokenError, TokenMissingError, AuthorizerError } from '../../../lambda/authorizer/errors';

describe('the error tree', () => {
  it('names every class itself (the bundle is minified without keepNames) and carries a stable code', () => {
    const errors = [
      [new TokenError('EXPIRED', 'x'), 'TokenError', 'EXPIRED'],
      [new TokenMissingError('x'), 'TokenMissingError', 'TOKEN_MISSING'],
      [new FetchError('FETCH_TIMEOUT', 'x'), 'FetchError', 'FETCH_TIMEOUT'],
      [new KeySetError('JWKS_INVALID', 'x'), 'KeySetError', 'JWKS_INVALID'],
      [new KeysUnavailableError('x'), 'KeysUnavailableError', 'KEYS_UNAVAILABLE'],
      [new ConfigError('OIDC_ISSUER', 'is required'), 'ConfigError', 'CONFIG_INVALID'],
    ] as const;
    for (const [error, name, code] of errors) {
      expect(error).toBeInstanceOf(AuthorizerError);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
    }
    expect(new ConfigError('OIDC_ISSUER', 'is required').message).toBe('OIDC_ISSUER: is required');
  });
});
