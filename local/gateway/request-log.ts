// The one line logged per request: method, path, status, how the authorizer was used (`token-cache=hit`
// when it answered from its own verified-token cache, which `authorizer=cached`, API Gateway's result
// cache, is not), milliseconds, and, when API Gateway answered itself, why. The query string is left out: it may carry credentials.
import type { AuthorizerSource } from './authorizer/authorize';

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly authorizer: AuthorizerSource;
  readonly tokenCache?: boolean;
  readonly ms: number;
  readonly reason?: string;
}

export function requestLogLine(e: RequestLogEntry): string {
  const line = `${e.method} ${e.path} ${e.status} authorizer=${e.authorizer}${e.tokenCache ? ' token-cache=hit' : ''} ${e.ms}ms`;
  return e.reason ? `${line} (${e.reason})` : line;
}
