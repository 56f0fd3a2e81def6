// The DPoP replay store against a real DynamoDB-compatible server (dynalite) on loopback: a proof is accepted
// once across containers, an expired item (which DynamoDB's TTL deletes late) no longer counts, and a store that
// cannot answer is an error (503), never an acceptance.
import { ReplayStoreUnavailableError, TokenError } from '../../../lambda/authorizer/errors';
import { DynamoReplayStore } from '../../../lambda/authorizer/replay-store';
import { startReplayTable, type ReplayTable } from '../../helpers/dynalite';

let table: ReplayTable;
const NOW = 1_800_000_000;

beforeAll(async () => {
  table = await startReplayTable();
});

afterAll(() => table?.close());

const replay = expect.objectContaining({ code: 'DPOP_REPLAY' });

test('accepts a proof once per container, and once across containers sharing the table', async () => {
  const [one, two] = [table.store(), table.store()];
  await one.remember('jkt#a', NOW + 65, NOW);
  await expect(one.remember('jkt#a', NOW + 65, NOW)).rejects.toEqual(replay);
  await expect(two.remember('jkt#a', NOW + 65, NOW + 1)).rejects.toThrow(TokenError);
  await two.remember('jkt#b', NOW + 65, NOW);
});

test('lets an item past its expiresAt be written again: TTL deletion lags, the condition does not', async () => {
  const [one, two] = [table.store(), table.store()];
  await one.remember('jkt#c', NOW + 65, NOW);
  await expect(two.remember('jkt#c', NOW + 65, NOW + 65)).rejects.toEqual(replay);
  await two.remember('jkt#c', NOW + 200, NOW + 66);
});

test('refuses a repeat this container saw without asking the table', async () => {
  const own = await startReplayTable('own');
  const store = own.store();
  await store.remember('jkt#d', NOW + 65, NOW);
  await own.close();
  await expect(store.remember('jkt#d', NOW + 65, NOW + 1)).rejects.toEqual(replay);
  await expect(store.remember('jkt#e', NOW + 65, NOW + 1)).rejects.toThrow(ReplayStoreUnavailableError);
});

test('is unavailable (503), not a refusal, when the table does not exist', async () => {
  const store = new DynamoReplayStore('missing', table.clientConfig);
  await expect(store.remember('jkt#f', NOW + 65, NOW)).rejects.toEqual(expect.objectContaining({ code: 'REPLAY_STORE_UNAVAILABLE', message: 'the replay table could not be written: ResourceNotFoundException' }));
});
