// A loopback port free at the time of asking, for tests that start a process that must be told its port.
import { createServer } from 'node:http';
import { closeServer, listen } from '../../../local/listen';

export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server, 0, '127.0.0.1', 'a port probe', 'try again');
  await closeServer(server);
  return port;
}
