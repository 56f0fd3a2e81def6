// A real DynamoDB-compatible server (dynalite, in memory) on loopback, with the DPoP replay table created through
// the SDK as the construct describes it (partition key pk, a string; TTL on expiresAt). Stopping it is how a
// test makes the store unreachable.
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoReplayStore } from '../../lambda/authorizer/replay-store';

export interface ReplayTable {
  readonly endpoint: string;
  readonly table: string;
  /** The client settings for this server: loopback endpoint, a region, dummy credentials. */
  readonly clientConfig: DynamoDBClientConfig;
  /** A store as one container would have it; several share the table like several containers. */
  store(timeoutMs?: number): DynamoReplayStore;
  close(): Promise<void>;
}

/** Loopback endpoint, a region, dummy credentials; no kept-alive sockets to outlive the test. */
export function clientConfigFor(endpoint: string): DynamoDBClientConfig {
  return { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: { httpAgent: new Agent({ keepAlive: false }) } };
}

type Dynalite = (options: { createTableMs: number }) => Server;

export async function startReplayTable(table = 'dpop-replay'): Promise<ReplayTable> {
  const dynalite = require('dynalite') as Dynalite;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientConfig = clientConfigFor(endpoint);
  const admin = new DynamoDBClient(clientConfig);
  await admin.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  admin.destroy();
  return {
    endpoint,
    table,
    clientConfig,
    store: (timeoutMs) => new DynamoReplayStore(table, clientConfig, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port that accepts connections and never answers: a store that hangs. */
export async function startSilentServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
