// The settings the OidcAuthorizer construct staged beside the bundle at synth (oidc-settings.json): the
// same OIDC_* names and string values the environment would hold, in a file because a route table of a
// few dozen routes alone overflows Lambda's 4 KB environment. Values only CloudFormation can resolve (an
// SSM parameter) come in the environment instead, which takes precedence over the file.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors';

export const SETTINGS_FILE = 'oidc-settings.json';

type Env = Readonly<Record<string, string | undefined>>;

/** The file's settings in `dir` (none when there is no file) overlaid with `env`'s. */
export function readSettings(dir: string, env: Env): Env {
  let text: string;
  try {
    text = readFileSync(path.join(dir, SETTINGS_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw e;
  }
  return { ...parseSettingsFile(text), ...env };
}

/** The file's object of OIDC_* names to strings; anything else is a configuration error. */
export function parseSettingsFile(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(SETTINGS_FILE, 'is not valid JSON: redeploy, or rebuild it with the OidcAuthorizer construct');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(SETTINGS_FILE, 'must hold an object of OIDC_* settings');
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^OIDC_[A-Z_]+$/.test(name) || typeof value !== 'string') {
      throw new ConfigError(SETTINGS_FILE, `holds ${JSON.stringify(name)}, which is not an OIDC_* setting with a string value`);
    }
    settings[name] = value;
  }
  return settings;
}
