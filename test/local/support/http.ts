// A plain HTTP client for the tests: node:http, so repeated headers go out exactly as written and the
// answer's headers come back unmerged.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  json<T = any>(): T;
}

export interface RequestOptions {
  readonly method?: string;
  /** An object, or a flat [name, value, name, value…] list to repeat a header. */
  readonly headers?: Readonly<Record<string, string>> | readonly string[];
  readonly body?: string | Buffer;
}

export function request(base: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // Appended rather than resolved, so that a path such as `//profile` stays a path, not a host.
    const url = new URL(path.startsWith('/') ? base.replace(/\/$/, '') + path : path, base);
    let headers = options.headers as any;
    // Given as a raw list, Node sends headers as they are, so Host must be among them (HTTP/1.1 requires it).
    if (Array.isArray(headers) && !headers.some((h, i) => i % 2 === 0 && String(h).toLowerCase() === 'host')) headers = ['Host', url.host, ...headers];
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
