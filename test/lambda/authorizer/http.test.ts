import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchJson, refuseLoopback } from '../../../lambda/authorizer/http';

type Route = (res: ServerResponse) => void;

describe('fetchJson (loopback server)', () => {
  let server: Server;
  let base: string;
  const routes = new Map<string, Route>();
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      open.add(res);
      (routes.get(req.url ?? '') ?? ((r) => r.writeHead(404).end()))(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/ok', (r) => r.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"a":1}'));
    routes.set('/jwkset', (r) => r.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end('{"keys":[]}'));
    routes.set('/500', (r) => r.writeHead(500, { 'content-type': 'application/json' }).end('{}'));
    routes.set('/redirect', (r) => r.writeHead(302, { location: '/ok' }).end());
    routes.set('/html', (r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<p>'));
    routes.set('/garbage', (r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": ['));
    routes.set('/declared-huge', (r) => r.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10_000) }).end('x'.repeat(10_000)));
    routes.set('/streamed-huge', (r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      r.write('['.repeat(3000));
      r.end(']'.repeat(3000));
    });
    routes.set('/hang', () => undefined);
    routes.set('/drip', (r) => {
      r.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => r.write(' '), 20);
      r.on('close', () => clearInterval(t));
    });
  });
  afterAll(async () => {
    for (const r of open) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const get = (path: string, timeoutMs = 2000, maxBytes = 4096) => fetchJson(base + path, { timeoutMs, maxBytes, allowLoopback: true });

  it('returns the parsed body of a 200 JSON answer', async () => {
    await expect(get('/ok')).resolves.toEqual({ a: 1 });
    await expect(get('/jwkset')).resolves.toEqual({ keys: [] });
  });

  it.each([
    ['/500', 'FETCH_STATUS'],
    ['/redirect', 'FETCH_STATUS'],
    ['/html', 'FETCH_NOT_JSON'],
    ['/garbage', 'FETCH_NOT_JSON'],
    ['/declared-huge', 'FETCH_TOO_LARGE'],
    ['/streamed-huge', 'FETCH_TOO_LARGE'],
  ])('%s fails with %s', async (path, code) => {
    await expect(get(path)).rejects.toMatchObject({ code });
  });

  it('gives up on a server that never answers, at the deadline', async () => {
    const started = Date.now();
    await expect(get('/hang', 150)).rejects.toMatchObject({ code: 'FETCH_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on a server that drips bytes forever: the deadline covers the whole body', async () => {
    await expect(get('/drip', 200, 1 << 20)).rejects.toMatchObject({ code: 'FETCH_TIMEOUT' });
  });

  it('chooses the client by the parsed protocol, so an upper-case scheme works', async () => {
    await expect(fetchJson(base.replace('http:', 'HTTP:') + '/ok', { timeoutMs: 2000, maxBytes: 100, allowLoopback: true })).resolves.toEqual({ a: 1 });
  });

  it.each(['ftp://127.0.0.1/keys', 'not a url', 'http://[::1'])('refuses %s without a request, and nothing fires later', async (url) => {
    await expect(fetchJson(url, { timeoutMs: 30, maxBytes: 100 })).rejects.toMatchObject({ code: 'FETCH_NETWORK' });
    await new Promise((r) => setTimeout(r, 60)); // past the deadline: no stray timer may throw
  });

  it('reports a refused connection as a network failure', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    await expect(fetchJson(`http://127.0.0.1:${port}/`, { timeoutMs: 1000, maxBytes: 100, allowLoopback: true })).rejects.toMatchObject({ code: 'FETCH_NETWORK' });
  });

  it('never reaches loopback unless allowed (Lambda runs its Runtime API there)', async () => {
    routes.set('/counted', (r) => {
      hits++;
      r.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    let hits = 0;
    const port = new URL(base).port;
    for (const host of ['127.0.0.1', 'localhost', '127.1', '0x7f000001', '2130706433', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0']) {
      const error = await fetchJson(`http://${host}:${port}/counted`, { timeoutMs: 1000, maxBytes: 100 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FETCH_NETWORK', message: expect.stringMatching(/loopback/) });
    }
    expect(hits).toBe(0);
    await expect(fetchJson(`${base}/counted`, { timeoutMs: 1000, maxBytes: 100, allowLoopback: true })).resolves.toEqual({});
    expect(hits).toBe(1);
  });

  it('never reaches loopback through 0.0.0.0/8 or an IPv4-mapped 0.0.0.0 (::ffff:0:0)', async () => {
    routes.set('/counted-mapped', (r) => {
      hits++;
      r.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    let hits = 0;
    const port = new URL(base).port;
    // On Linux a connection to 0.0.0.0, in either spelling, lands on 127.0.0.1.
    for (const host of ['[::ffff:0.0.0.0]', '[::ffff:0:0]', '[0:0:0:0:0:ffff:0:0]', '0.0.0.0', '0']) {
      const error = await fetchJson(`http://${host}:${port}/counted-mapped`, { timeoutMs: 1000, maxBytes: 100 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FETCH_NETWORK', message: expect.stringMatching(/loopback/) });
    }
    expect(hits).toBe(0);
  });

  it('refuses, at connect time, a DNS name whose answer is an IPv4-mapped 0.0.0.0', async () => {
    const dns = require('node:dns') as typeof import('node:dns');
    const spy = jest.spyOn(dns, 'lookup').mockImplementation(((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options.all) callback(null, [{ address: '::ffff:0.0.0.0', family: 6 }]);
      else callback(null, '::ffff:0.0.0.0', 6);
    }) as unknown as typeof dns.lookup);
    try {
      for (const all of [true, false]) {
        const error = await new Promise((resolve) => refuseLoopback('keys.example.test', { all }, (e) => resolve(e)));
        expect(error).toMatchObject({ code: 'ELOOPBACK' });
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('checks the address it connected to, whatever the resolver answered', async () => {
    routes.set('/counted-resolved', (r) => {
      hits++;
      r.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    let hits = 0;
    const port = new URL(base).port;
    // A resolver that lets a loopback answer through, as a gap in any name check would.
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as unknown as NonNullable<Parameters<typeof fetchJson>[1]['lookup']>;
    const error = await fetchJson(`http://keys.example.test:${port}/counted-resolved`, { timeoutMs: 1000, maxBytes: 100, lookup }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FETCH_NETWORK', message: expect.stringMatching(/loopback/) });
    expect(hits).toBe(0);
  });

  it('refuses, at connect time, a DNS name whose answer is a loopback address', async () => {
    // `localhost` stands for any name resolving to 127.0.0.1 (a rebinding name, a hosts entry).
    for (const all of [true, false]) {
      const error = await new Promise((resolve) => refuseLoopback('localhost', { all }, (e) => resolve(e)));
      expect(error).toMatchObject({ code: 'ELOOPBACK' });
    }
  });

  it('names URLs in its errors without credentials or query', async () => {
    const error = await fetchJson('https://user:secret@127.0.0.1:1/keys?sig=abc', { timeoutMs: 500, maxBytes: 100 }).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toMatch(/secret|user|sig=abc/);
    expect(String((error as Error).message)).toContain('https://127.0.0.1:1/keys');
  });
});
