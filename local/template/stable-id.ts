// Stand-ins for the ids API Gateway generates at deployment (API id, resource ids): derived from logical
// ids so that methodArns, and so the policies an authorizer returns, stay the same from run to run.
import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` lowercase letters and digits derived from `seed`, shaped like API Gateway's ids. */
export function stableId(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[digest[i]! % ALPHABET.length];
  return id;
}
