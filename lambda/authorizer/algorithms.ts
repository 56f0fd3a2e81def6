// The JWS algorithms we verify (RFC 7518 §3, RFC 8037), each bound to the key type it needs.
// HMAC and `none` are absent on purpose: they have no place with an issuer's public keys (RFC 8725 §3.1).
import { constants } from 'node:crypto';

export interface AlgorithmSpec {
  /** Digest for node:crypto.verify, or null for EdDSA. */
  readonly hash: string | null;
  /** JWK `kty` the key must have. */
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** JWK `crv` the key must have (EC, OKP). */
  readonly crv?: string;
  /** Exact signature length in bytes, where the algorithm fixes it. */
  readonly signatureBytes?: number;
  readonly padding?: number;
  readonly saltLength?: number;
  readonly dsaEncoding?: 'ieee-p1363';
}

const rsa = (hash: string): AlgorithmSpec => ({ hash, kty: 'RSA', padding: constants.RSA_PKCS1_PADDING });
const pss = (hash: string, saltLength: number): AlgorithmSpec => ({
  hash,
  kty: 'RSA',
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength,
});
const ec = (hash: string, crv: string, signatureBytes: number): AlgorithmSpec => ({
  hash,
  kty: 'EC',
  crv,
  signatureBytes,
  dsaEncoding: 'ieee-p1363',
});

export const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = Object.freeze({
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: pss('sha256', 32),
  PS384: pss('sha384', 48),
  PS512: pss('sha512', 64),
  ES256: ec('sha256', 'P-256', 64),
  ES384: ec('sha384', 'P-384', 96),
  ES512: ec('sha512', 'P-521', 132),
  EdDSA: { hash: null, kty: 'OKP', crv: 'Ed25519', signatureBytes: 64 },
});

export const DEFAULT_ALGORITHMS = Object.freeze(Object.keys(ALGORITHMS));

/** Smallest RSA modulus we accept (RFC 7518 §3.3, §3.5). */
export const MIN_RSA_BITS = 2048;
