// A single-page app holding a non-extractable WebCrypto key calls the API with DPoP (RFC 9449) in headless
// Chromium: `npm start --sender-constraint allowed --cors <origin>` serves the real stack, the page makes its key
// and its proofs with panva's dpop package (served to it as a module), and the dev issuer binds a token to the
// public key the page hands over. The private key never leaves the browser: it cannot.
// Run with `npm run test:browser`; it needs Debian's chromium (or CHROMIUM_PATH) and fails without it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { calculateJwkThumbprint, decodeJwt, type JWK } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { requestToken } from '../../local/cli/token';
import { readState } from '../../local/dev-issuer/state';
import { closeServer, listen } from '../../local/listen';
import { freePort } from '../local/support/free-port';
import { launchChromium, NpmStart } from './support';

/** panva's dpop as published: an ES module on WebCrypto, served to the page as it would be bundled into an app. */
const DPOP_MODULE = readFileSync(require.resolve('dpop'), 'utf8');

const scratch = mkdtempSync(path.join(tmpdir(), 'dpop-browser-'));
let pages: Server | undefined;
let origin: string;
const api = new NpmStart();
let apiUrl: string;
let browser: Browser | undefined;
let page: Page;
const tokens: string[] = [];

/**
 * The app: a module that makes its key with the dpop package (non-extractable, the package's default) and signs
 * a new proof for each call, keeping the key in the page. Tests drive it through window.app.
 */
const APP_PAGE = `<!doctype html><title>app</title>
<script type="module">
import { generateKeyPair, generateProof } from '/dpop.js';
let keyPair;
window.app = {
  async makeKey() {
    keyPair = await generateKeyPair('ES256');
    let exported = true;
    try {
      await crypto.subtle.exportKey('jwk', keyPair.privateKey);
    } catch {
      exported = false;
    }
    return { extractable: keyPair.privateKey.extractable, exported, publicJwk: await crypto.subtle.exportKey('jwk', keyPair.publicKey) };
  },
  async call(url, token, reuse) {
    const proof = reuse ?? (await generateProof(keyPair, url, 'GET', undefined, token));
    try {
      const res = await fetch(url, { headers: { Authorization: 'DPoP ' + token, DPoP: proof } });
      return { proof, ok: true, status: res.status, challenge: res.headers.get('WWW-Authenticate'), body: await res.text() };
    } catch (e) {
      return { proof, ok: false, error: String(e) };
    }
  },
};
</script>`;

/** The app's origin: the app page and the dpop module. */
async function pageServer(): Promise<string> {
  pages = createServer((req, res) => {
    if (req.url === '/dpop.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(DPOP_MODULE);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(APP_PAGE);
  });
  return `http://localhost:${await listen(pages, 0, '127.0.0.1', 'a page server', 'try again')}`;
}

/** A token bound to `jwk`, from the dev issuer `npm start` runs. */
const boundToken = async (jwk: JWK): Promise<string> => {
  const token = await requestToken(readState(path.join(scratch, 'dev-issuer.json')), { scope: 'openid profile', email: 'spa@example.com', dpopJwk: jwk });
  tokens.push(token);
  return token;
};

interface Call {
  readonly ok: boolean;
  readonly status?: number;
  readonly challenge?: string | null;
  readonly body?: string;
  readonly error?: string;
}

/** In the page: a new proof for GET `url` by the page's key (or `reuse`, a proof already sent), then the call. */
function callFromPage(url: string, token: string, reuse?: string): Promise<Call & { proof: string }> {
  // Runs in the page, where window.app is the app (the function is sent as source: it names nothing of this file).
  return page.evaluate(({ url, token, reuse }) => (globalThis as any).app.call(url, token, reuse), { url, token, reuse });
}

beforeAll(async () => {
  origin = await pageServer();
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  await api.start(['--sender-constraint', 'allowed', '--cors', origin], port, scratch);
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction('window.app !== undefined');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await api.stop();
  if (pages) await closeServer(pages);
  rmSync(scratch, { recursive: true, force: true });
}, 30_000);

describe('a single-page app with a non-extractable key', () => {
  let jwk: JWK;
  let token: string;

  beforeAll(async () => {
    const made: { extractable: boolean; exported: boolean; publicJwk: JWK } = await page.evaluate('window.app.makeKey()');
    expect(made).toMatchObject({ extractable: false, exported: false });
    jwk = made.publicJwk as JWK;
    token = await boundToken(jwk);
  });

  test('its private key cannot be exported, and the token is bound to its public key (cnf.jkt)', async () => {
    expect(jwk).not.toHaveProperty('d');
    expect(decodeJwt(token).cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
  });

  test('reads /profile with DPoP: the browser preflights the DPoP header and the API answers 200', async () => {
    const call = await callFromPage(`${apiUrl}/profile`, token);
    expect(call).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(call.body!).user.username).toBe('spa@example.com');
    const preflights = api.output.split('\n').filter((l) => l.startsWith('OPTIONS /profile '));
    expect(preflights.length).toBeGreaterThan(0);
    for (const line of preflights) expect(line).toMatch(/^OPTIONS \/profile 204 authorizer=none /);
  });

  test('a proof sent again is refused, and the page can read the DPoP challenge', async () => {
    const first = await callFromPage(`${apiUrl}/profile`, token);
    expect(first.status).toBe(200);
    const again = await callFromPage(`${apiUrl}/profile`, token, first.proof);
    expect(again).toMatchObject({ ok: true, status: 401 });
    expect(again.challenge).toMatch(/, DPoP realm="[^"]+", algs="[A-Za-z0-9 ]+"$/);
  });

  test('npm start never wrote the token or its signature', () => {
    for (const t of tokens) {
      expect(api.output).not.toContain(t);
      expect(api.output).not.toContain(t.split('.')[2]);
    }
  });
});
