import { ConfigError, FetchError, KeySetError, KeysUnavailableError, TokenError, TokenMissingError, AuthorizerError } from '../../../lambda/authorizer/errors';
import { OidcError } from '../../../lambda/shared/errors';
import { SettingError } from '../../../infra/constructs/authorizer-settings';
import { ContextError } from '../../../infra/config';

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
      expect(error).toBeInstanceOf(OidcError);
      expect(error instanceof AuthorizerError).toBe(!(error instanceof ConfigError));
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
    }
    expect(new ConfigError('OIDC_ISSUER', 'is required').message).toBe('OIDC_ISSUER: is required');
  });

  it('is one tree for the Lambdas, the construct and the example app: a refusal of a setting is a ConfigError with its fields', () => {
    const refusals = [new ConfigError('OIDC_ISSUER', 'is required'), new SettingError('issuer', 'is required'), new ContextError('issuer', 'CDK context value issuer is required')];
    for (const e of refusals) {
      expect(e).toBeInstanceOf(ConfigError);
      expect(e).toMatchObject({ code: 'CONFIG_INVALID', reason: expect.stringContaining('is required') });
    }
    expect(refusals.map((e) => e.setting)).toEqual(['OIDC_ISSUER', 'issuer', 'issuer']);
    expect(refusals.map((e) => e.message)).toEqual(['OIDC_ISSUER: is required', 'issuer is required', 'CDK context value issuer is required']);
  });
});
