// The project's one error tree, for the Lambdas, the construct and the example app alike. Every failure carries
// a stable `code`, and a configuration error the setting it names and why apart from each other: callers branch
// on those fields, never on message text.

export abstract class OidcError extends Error {
  abstract readonly code: string;
}

/**
 * A setting is missing or malformed. `setting` names it as whoever set it wrote it (OIDC_ROUTES at cold start, a
 * construct prop at synth), `reason` says what is wrong; the message is both, `<setting>: <reason>`.
 */
export class ConfigError extends OidcError {
  // Spelled out: the authorizer is minified without keepNames, which would mangle the class name.
  override readonly name: string = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly setting: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${reason}`, options);
  }
}
