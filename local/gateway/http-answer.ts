// What the emulator writes back to the client: status, headers (every value kept), body bytes.

export interface HttpAnswer {
  readonly statusCode: number;
  /** Header name → values; names compare case-insensitively when merged. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
}

/** Adds `value` under `name` unless a header of that name (any case) already holds it. */
export function addHeader(headers: Record<string, string[]>, name: string, value: string): void {
  const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  const list = (headers[existing ?? name] ??= []);
  if (!list.includes(value)) list.push(value);
}

export const hasHeader = (headers: Readonly<Record<string, readonly string[]>>, name: string): boolean =>
  Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase());
