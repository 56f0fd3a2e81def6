// What the warm and memory children drive: one verifier, built once with its keys in hand (no network).
import { authorizerEvent } from '../event';
import type { Fixtures } from '../fixtures';

export type ContenderName = 'floor' | 'ours' | 'ours-no-metrics' | 'jose-local' | 'jose-key' | 'jose-authorizer' | 'aws-jwt-verify';

export interface Contender {
  readonly name: ContenderName;
  /** Turns tokens into what `run` takes (events for our handler); not timed. */
  prepare(tokens: readonly string[]): unknown[];
  /** True when `run` returns a value rather than a promise (the floor): it is then not awaited. */
  readonly sync: boolean;
  run(input: unknown): unknown;
}

export type MakeContender = (fx: Fixtures) => Promise<Contender>;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The verification-only contenders take the token as a minimal authorizer would: out of a fresh event. */
export const tokensFromEvents = (tokens: readonly string[]) => tokens.map((t) => authorizerEvent(t).headers!.Authorization!.slice('Bearer '.length));
