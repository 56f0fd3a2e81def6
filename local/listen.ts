// Starts an HTTP server on a loopback port, turning "port taken" into an error that says what to do.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalError } from './errors';

/** Listens on host:port (0 picks a free port) and resolves the port bound. */
export function listen(server: Server, port: number, host: string, what: string, hint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(e.code === 'EADDRINUSE' ? new LocalError('PORT_IN_USE', `${what}: port ${port} on ${host} is in use; ${hint}`, { cause: e }) : e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, drops idle keep-alive connections and resolves once the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
