// Hand-built compact JWS for attacks that a well-behaved library refuses to produce.
import { createHmac, createSign, type KeyObject } from 'node:crypto';

export const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** header.payload with the given raw signature part. */
export function unsigned(header: unknown, payload: unknown, signature = ''): string {
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

export function hmacSigned(header: unknown, payload: unknown, secret: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function rsaSigned(header: unknown, payload: unknown, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createSign('sha256').update(input).sign(key).toString('base64url')}`;
}

/** Swaps a token's payload for another, keeping header and signature. */
export function withPayload(token: string, payload: unknown): string {
  const [h, , s] = token.split('.');
  return `${h}.${b64(payload)}.${s}`;
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString());
}
