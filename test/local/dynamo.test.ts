// The local DynamoDB: dynalite on loopback, tables made from the template's key schema, and the conditional
// put the DPoP replay store relies on, answered by a real DynamoDB-compatible server.
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../../local/dynamo';
import type { TableModel } from '../../local/template/api-model';

const TABLE: TableModel = {
  logicalId: 'ReplayTable',
  tableName: 'ReplayTable',
  keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
};

let dynamo: LocalDynamo;
let client: DynamoDBClient;
beforeAll(async () => {
  dynamo = await startLocalDynamo('us-east-1');
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

const putOnce = (pk: string) =>
  client.send(
    new PutItemCommand({
      TableName: TABLE.tableName,
      Item: { pk: { S: pk }, expiresAt: { N: '2000' } },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': { N: '1000' } },
    }),
  );

test('listens on loopback and hands functions the SDK endpoint variable with dummy credentials', () => {
  expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(dynamo.environment).toEqual({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
});

test('creates a table from its template key schema, once however often asked (a reload asks again)', async () => {
  await dynamo.createTables([TABLE]);
  await dynamo.createTables([TABLE]);
  await expect(putOnce('jkt#a')).resolves.toBeDefined();
});

test('a second conditional put of the same key is refused, as a replayed proof is', async () => {
  await dynamo.createTables([TABLE]);
  await putOnce('jkt#b');
  await expect(putOnce('jkt#b')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
});

test('a table the template describes so that DynamoDB would refuse it stops the start, naming it', async () => {
  await expect(dynamo.createTables([{ ...TABLE, logicalId: 'Broken', tableName: 'Broken', keySchema: [] }])).rejects.toMatchObject({
    code: 'TEMPLATE_UNSUPPORTED',
    message: expect.stringMatching(/^the local DynamoDB could not create table Broken from the template: /),
  });
});

test('once closed, calls fail: the store is unreachable', async () => {
  const other = await startLocalDynamo('us-east-1');
  await other.createTables([TABLE]);
  await other.close();
  const lost = new DynamoDBClient({ endpoint: other.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  await expect(lost.send(new PutItemCommand({ TableName: TABLE.tableName, Item: { pk: { S: 'x' } } }))).rejects.toThrow(/ECONNREFUSED/);
  lost.destroy();
});
