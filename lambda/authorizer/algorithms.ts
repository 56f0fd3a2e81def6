// The JWS algorithms an operator may allow (RFC 7518 §3, RFC 8037). jose binds each to the key types and
// curves it fits; HMAC and `none` are absent on purpose: they have no place with an issuer's public keys
// (RFC 8725 §3.1), and OIDC_ALGORITHMS cannot name them.

export const SUPPORTED_ALGORITHMS = Object.freeze(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

/** The default allowlist: every supported algorithm. */
export const DEFAULT_ALGORITHMS = SUPPORTED_ALGORITHMS;

/** Smallest RSA modulus we accept (RFC 7518 §3.3, §3.5); jose refuses smaller ones when verifying, too. */
export const MIN_RSA_BITS = 2048;
