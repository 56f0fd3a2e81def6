// A browser app on another origin calls the API, proven in headless Chromium: `npm start --cors` serves the
// real stack on 127.0.0.1, pages are served from other loopback origins, and every check runs `fetch` with an
// Authorization header inside a page, so the browser itself sends the preflight and enforces CORS.
// Run with `npm run test:browser`; it needs Debian's chromium (or CHROMIUM_PATH) and fails without it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { requestToken } from '../../local/cli/token';
import { readState } from '../../local/dev-issuer/state';
import type { TokenRequest } from '../../local/dev-issuer/token';
import { closeServer, listen } from '../../local/listen';
import { freePort } from '../local/support/free-port';
import { launchChromium, NpmStart } from './support';


const scratch = mkdtempSync(path.join(tmpdir(), 'cors-browser-'));
let pages: Server[] = [];
let origins: { allowed: string; alsoAllowed: string; other: string };
const api = new NpmStart();
let apiUrl: string;
let browser: Browser | undefined;
const tokens: string[] = [];

/** Serves a blank page: the origin a test's fetch runs from. */
async function pageServer(): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>app</title>');
  });
  pages.push(server);
  return `http://localhost:${await listen(server, 0, '127.0.0.1', 'a page server', 'try again')}`;
}

const token = async (request: TokenRequest): Promise<string> => {
  const t = await requestToken(readState(path.join(scratch, 'dev-issuer.json')), request);
  tokens.push(t);
  return t;
};

interface Read {
  readonly ok: boolean;
  readonly status?: number;
  readonly challenge?: string | null;
  readonly body?: string;
  readonly error?: string;
}

/** Opens a page on `origin` and, inside it, fetches `apiPath` with the bearer token (if any). */
async function fetchFrom(origin: string, apiPath: string, bearer?: string): Promise<Read> {
  const context = await browser!.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    return await page.evaluate(
      async ({ url, bearer }) => {
        try {
          const res = await fetch(url, { headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` } });
          return { ok: true, status: res.status, challenge: res.headers.get('WWW-Authenticate'), body: await res.text() };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      },
      { url: `${apiUrl}${apiPath}`, bearer },
    );
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  origins = { allowed: await pageServer(), alsoAllowed: await pageServer(), other: await pageServer() };
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  await api.start(['--cors', `${origins.allowed},${origins.alsoAllowed}`], port, scratch);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await api.stop();
  await Promise.all(pages.map(closeServer));
  pages = [];
  rmSync(scratch, { recursive: true, force: true });
}, 30_000);

describe('a browser app on an allowed origin', () => {
  test('reads /profile with a valid token', async () => {
    const read = await fetchFrom(origins.allowed, '/profile', await token({ scope: 'openid profile', email: 'alice@example.com' }));
    expect(read).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(read.body!).user.username).toBe('alice@example.com');
  });

  test('reads it from the second allowed origin too (the origin is echoed, not fixed)', async () => {
    const read = await fetchFrom(origins.alsoAllowed, '/profile', await token({ scope: 'openid profile', email: 'bob@example.com' }));
    expect(read).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(read.body!).user.username).toBe('bob@example.com');
  });

  test('reads a 403 and its insufficient_scope challenge', async () => {
    const read = await fetchFrom(origins.allowed, '/profile', await token({ scope: 'openid' }));
    expect(read).toMatchObject({ ok: true, status: 403, challenge: expect.stringMatching(/^Bearer error="insufficient_scope", error_description="[^"]+"$/) });
    expect(JSON.parse(read.body!)).toEqual({ message: 'Forbidden' });
  });

  test.each([
    ['an expired token', () => token({ scope: 'openid profile', expiresInSeconds: -600 })],
    ['a bad token', async () => 'not-a-token'],
  ])('reads the 401 and its invalid_token challenge for %s', async (_name, make) => {
    const read = await fetchFrom(origins.allowed, '/profile', await make());
    expect(read).toMatchObject({ ok: true, status: 401 });
    expect(read.challenge).toMatch(/^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+"$/);
    expect(JSON.parse(read.body!)).toEqual({ message: 'Unauthorized' });
  });

  test('reads an anonymous GET /', async () => {
    const read = await fetchFrom(origins.allowed, '/');
    expect(read).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(read.body!)).toEqual({ anonymous: true });
  });

  test('the browser preflighted the token requests, and API Gateway answered them without the authorizer', () => {
    const preflights = api.output.split('\n').filter((l) => l.startsWith('OPTIONS /profile '));
    expect(preflights.length).toBeGreaterThan(0);
    for (const line of preflights) expect(line).toMatch(/^OPTIONS \/profile 204 authorizer=none /);
  });
});

describe('a page on an origin that is not allowed', () => {
  test('cannot send a token: its preflight gets no Access-Control-Allow-Origin, so the request never leaves', async () => {
    const before = api.output.split('\n').filter((l) => l.startsWith('GET /profile ')).length;
    const read = await fetchFrom(origins.other, '/profile', await token({ scope: 'openid profile' }));
    expect(read).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
    expect(api.output.split('\n').filter((l) => l.startsWith('GET /profile ')).length).toBe(before);
  });

  test('cannot read a Lambda answer (anonymous GET /)', async () => {
    expect(await fetchFrom(origins.other, '/')).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
  });

  test('with several origins configured, reads only API Gateway’s own fixed error bodies (Access-Control-Allow-Origin: *), as docs/browser.md says', async () => {
    const read = await fetchFrom(origins.other, '/profile');
    expect(read).toMatchObject({ ok: true, status: 401, body: '{"message":"Unauthorized"}' });
  });
});

describe('logs', () => {
  test('npm start never wrote a token or its signature', () => {
    expect(tokens.length).toBeGreaterThan(3);
    for (const t of tokens) {
      expect(api.output).not.toContain(t);
      const signature = t.split('.')[2];
      if (signature) expect(api.output).not.toContain(signature);
    }
  });
});
