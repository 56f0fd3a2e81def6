// The DynamoDB the served functions talk to locally: dynalite (a DynamoDB-compatible server, in memory) on a
// loopback port, started (and this module loaded, with the SDK) only when the template holds a table (the
// authorizer's DPoP replay store), each table created from the template's own key schema. The functions reach it through the SDK's standard
// AWS_ENDPOINT_URL_DYNAMODB, with dummy credentials: the same code as deployed, against a real server.
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { TableModel } from './template/api-model';
import { closeServer, listen } from './listen';

/** Credentials dynalite accepts (it checks only that a request is signed); never real ones. */
const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The variables that point a function's AWS SDK at this server. */
  readonly environment: Readonly<Record<string, string>>;
  /** Creates the tables not created yet (a reload may add one). */
  createTables(tables: readonly TableModel[]): Promise<void>;
  /** Stops the server: the functions' calls fail from then on, as with an unreachable DynamoDB. */
  close(): Promise<void>;
}

export async function startLocalDynamo(region: string): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0 });
  const port = await listen(server, 0, '127.0.0.1', 'the local DynamoDB (dynalite)', 'try again');
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region, credentials: DUMMY_CREDENTIALS });
  const created = new Set<string>();
  return {
    endpoint,
    environment: {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    },
    async createTables(tables) {
      for (const table of tables) {
        if (created.has(table.tableName)) continue;
        try {
          await client.send(
            new CreateTableCommand({
              TableName: table.tableName,
              BillingMode: 'PAY_PER_REQUEST',
              KeySchema: table.keySchema.map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType as 'HASH' | 'RANGE' })),
              AttributeDefinitions: table.attributeDefinitions.map((a) => ({ AttributeName: a.AttributeName, AttributeType: a.AttributeType as 'S' | 'N' | 'B' })),
            }),
          );
        } catch (e) {
          if (!(e instanceof ResourceInUseException)) throw e;
        }
        created.add(table.tableName);
      }
    },
    async close() {
      client.destroy();
      await closeServer(server);
    },
  };
}
