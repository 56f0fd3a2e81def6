// What an OidcAuthorizer function was configured with: the settings file the construct staged in its asset,
// overlaid with its environment, exactly as the function itself reads them at cold start.
import { readSettings } from '../../lambda/authorizer/settings-file';
import type { FunctionModel } from './api-model';

export function oidcSettings(fn: Pick<FunctionModel, 'assetDir' | 'environment'>): Readonly<Record<string, string | undefined>> {
  try {
    return readSettings(fn.assetDir, fn.environment);
  } catch {
    // A malformed file: the function itself will say so when it starts.
    return fn.environment;
  }
}

/** Whether `fn` is an OidcAuthorizer (its settings hold a route table). */
export const isOidcAuthorizer = (fn: Pick<FunctionModel, 'assetDir' | 'environment'>): boolean => oidcSettings(fn).OIDC_ROUTES !== undefined;
