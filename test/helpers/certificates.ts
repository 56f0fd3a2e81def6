// Client certificates minted at test time (never committed) by the openssl CLI, since node:crypto can read X.509
// but not create it: a self-signed P-256 certificate, as a client would present over mutual TLS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A fresh self-signed certificate for `cn`, PEM. */
export function selfSignedCertificate(cn: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cert-'));
  try {
    const out = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-subj', `/CN=${cn}`, '-days', '1', '-out', out], { stdio: 'ignore' });
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
