// The DynamoDB the served functions talk to locally: dynalite (a DynamoDB-compatible server, in memory) on a
// loopback port, started (and this module loaded) only when the template holds a table (the authorizer's DPoP
// replay store), each table created from the template's own key schema. The functions reach it through the SDK's
// standard AWS_ENDPOINT_URL_DYNAMODB, with dummy credentials: the same code as deployed, against a real server.
// The emulator itself needs only CreateTable: one JSON call, without loading the SDK into npm start.
import dynalite from 'dynalite';
import type { TableModel } from './template/api-model';
import { LocalError } from './errors';
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
        await createTable(endpoint, region, table);
        created.add(table.tableName);
      }
    },
    async close() {
      await closeServer(server);
    },
  };
}

/**
 * DynamoDB's CreateTable (JSON 1.0 protocol) on dynalite, which checks that a request is signed but not the
 * signature; a table already there (a reload) is fine.
 */
async function createTable(endpoint: string, region: string, table: TableModel): Promise<void> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'DynamoDB_20120810.CreateTable',
      'X-Amz-Date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      Authorization: `AWS4-HMAC-SHA256 Credential=${DUMMY_CREDENTIALS.accessKeyId}/20000101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ TableName: table.tableName, BillingMode: 'PAY_PER_REQUEST', KeySchema: table.keySchema, AttributeDefinitions: table.attributeDefinitions }),
  });
  if (res.ok) return;
  const body = (await res.json().catch(() => ({}))) as { __type?: string; message?: string };
  if (body.__type?.endsWith('#ResourceInUseException')) return;
  throw new LocalError('TEMPLATE_UNSUPPORTED', `the local DynamoDB could not create table ${table.logicalId} from the template: ${body.message ?? body.__type ?? `HTTP ${res.status}`}`);
}
