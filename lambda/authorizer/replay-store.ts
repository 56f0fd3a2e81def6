// Where DPoP proofs are remembered, so that each is accepted once across every container (RFC 9449 §11.1): one
// DynamoDB item per proof, written with a conditional PutItem that fails when the item is there and unexpired.
// DynamoDB's TTL deletes items late (hours), so the condition compares expiresAt itself. A bounded cache in
// front refuses a repeat this container saw without asking DynamoDB; it never accepts on its own.
import type { DynamoDBClient, DynamoDBClientConfig, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReplayStoreUnavailableError, TokenError } from './errors';

export interface ReplayStore {
  /**
   * Records the proof `key` as seen until `expiresAt` (epoch seconds). Throws TokenError DPOP_REPLAY when it was
   * seen before and has not expired at `nowSeconds`, ReplayStoreUnavailableError when that cannot be known.
   */
  remember(key: string, expiresAt: number, nowSeconds: number): Promise<void>;
}

/** The whole write, retries included; the authorizer's Lambda timeout leaves room for it. */
export const REPLAY_TIMEOUT_MS = 1000;
/** Proofs this container remembers having seen; the oldest are forgotten first. */
const SEEN_ENTRIES = 10000;

type Sdk = { client: DynamoDBClient; PutItemCommand: typeof PutItemCommand };

export class DynamoReplayStore implements ReplayStore {
  private readonly seen = new Map<string, number>();
  private sdk: Sdk | undefined;

  /**
   * `clientConfig` is for tests and the emulator (an endpoint, a region, credentials); in Lambda the SDK reads
   * them from the runtime's environment, and AWS_ENDPOINT_URL_DYNAMODB points it elsewhere.
   */
  constructor(
    private readonly table: string,
    private readonly clientConfig: DynamoDBClientConfig = {},
    private readonly timeoutMs = REPLAY_TIMEOUT_MS,
  ) {}

  async remember(key: string, expiresAt: number, nowSeconds: number): Promise<void> {
    const known = this.seen.get(key);
    if (known !== undefined && known >= nowSeconds) throw replayed();
    const { client, PutItemCommand } = this.load();
    try {
      await client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { pk: { S: key }, expiresAt: { N: String(expiresAt) } },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
        { abortSignal: AbortSignal.timeout(this.timeoutMs) },
      );
    } catch (e) {
      // The SDK's exception names are its stable codes; its messages are not logged.
      const name = (e as { name?: unknown }).name;
      if (name === 'ConditionalCheckFailedException') {
        this.note(key, expiresAt);
        throw replayed();
      }
      const why = name === 'AbortError' || name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : typeof name === 'string' ? name : 'an unknown error';
      throw new ReplayStoreUnavailableError(`the replay table could not be written: ${why}`, { cause: e });
    }
    this.note(key, expiresAt);
  }

  private note(key: string, expiresAt: number): void {
    if (this.seen.size >= SEEN_ENTRIES) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, expiresAt);
  }

  /**
   * The SDK, loaded on the first proof so that bearer-only cold starts never load it. `require`, not `import()`:
   * CommonJS resolution honours the Lambda runtime's NODE_PATH, where its SDK lives; ESM resolution does not.
   */
  private load(): Sdk {
    if (this.sdk === undefined) {
      try {
        const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
        // One attempt: a retry after a write that landed but whose answer was lost would meet its own item and
        // refuse a first use as a replay. A failed write is a 503, and the client sends a new proof.
        this.sdk = { client: new DynamoDBClient({ maxAttempts: 1, ...this.clientConfig }), PutItemCommand };
      } catch (e) {
        throw new ReplayStoreUnavailableError('the DynamoDB client could not be loaded', { cause: e });
      }
    }
    return this.sdk;
  }
}

const replayed = () => new TokenError('DPOP_REPLAY', 'the DPoP proof was used before');
