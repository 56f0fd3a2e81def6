// Collects what the local API logs, so tests can assert on the per-request line (authorizer=cached…).
export interface Logs {
  readonly requests: string[];
  readonly lambda: string[];
  logRequest(line: string): void;
  logLambda(name: string, line: string): void;
  /** The authorizer=… value of the last request line. */
  lastAuthorizer(): string | undefined;
}

export function collectLogs(): Logs {
  const requests: string[] = [];
  const lambda: string[] = [];
  return {
    requests,
    lambda,
    logRequest: (line) => requests.push(line),
    logLambda: (name, line) => lambda.push(`[${name}] ${line}`),
    lastAuthorizer: () => /authorizer=(\w+)/.exec(requests.at(-1) ?? '')?.[1],
  };
}
