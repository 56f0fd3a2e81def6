// The real stack served by the local emulator (local/), for system tests and the load test: the CDK app
// synthesized by the real `cdk synth` (bundled authorizer, homepage and profile), then served over HTTP
// on a free loopback port with the authorizer pointed at the issuer the caller runs.
//
// The assembly is synthesized once per `name` with fixed placeholder context and reused while infra/ and
// lambda/ are unchanged (local/template/synth.ts decides); the issuer, audience and any other authorizer setting
// reach the bundled authorizer as environment overrides, which take precedence over its staged settings file.
import * as path from 'node:path';
import { readCloudAssembly } from '../../local/template/cloud-assembly';
import { startLocalApi, type LocalApi } from '../../local/server';
import { synthesize } from '../../local/template/synth';
import { isOidcAuthorizer } from '../../local/template/oidc-settings';
import { readApi } from '../../local/template/reader';

const ROOT = path.resolve(__dirname, '..', '..');
const PLACEHOLDER = { issuer: 'http://127.0.0.1:9/placeholder', audience: 'placeholder-audience' };

export interface LocalStackOptions {
  /** Separates assemblies of concurrent users (a jest run and a load test). */
  readonly name: string;
  readonly issuer: string;
  readonly audience: string;
  /** More OIDC_* settings for the authorizer. */
  readonly authorizerEnv?: Readonly<Record<string, string>>;
  readonly logRequest: (line: string) => void;
  readonly logLambda: (functionName: string, line: string) => void;
  /** Warm sandboxes per function at most. @default the emulator's */
  readonly maxConcurrency?: number;
}

export interface LocalStack extends LocalApi {
  /** Seconds the synth took, 0 when the cached assembly was reused. */
  readonly synthSeconds: number;
  readonly authorizerFunctions: readonly string[];
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const assemblyDir = path.join(ROOT, '.local', options.name, 'cdk.out');
  const synth = await synthesize({ projectDir: ROOT, outDir: assemblyDir, context: PLACEHOLDER });
  const model = readApi(readCloudAssembly(assemblyDir));
  const authorizerFunctions = [...model.functions.values()].filter(isOidcAuthorizer).map((f) => f.logicalId);
  if (authorizerFunctions.length === 0) throw new Error('no function in the synthesized stack is an OidcAuthorizer (staged oidc-settings.json with OIDC_ROUTES)');
  const env = { OIDC_ISSUER: options.issuer, OIDC_AUDIENCE: options.audience, ...options.authorizerEnv };
  const api = await startLocalApi({
    assemblyDir,
    port: 0,
    envOverrides: Object.fromEntries(authorizerFunctions.map((id) => [id, env])),
    logRequest: options.logRequest,
    logLambda: options.logLambda,
    ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
  });
  return Object.assign(api, { synthSeconds: synth.skipped ? 0 : synth.ms / 1000, authorizerFunctions });
}

/** One per-request line of the emulator: `GET /profile 401 authorizer=invoked 3ms (the authorizer answered Unauthorized)`. */
export interface RequestLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly authorizer: string;
  /** Why API Gateway answered itself; absent when the request reached the integration (the Lambda). */
  readonly reason?: string;
}

export function parseRequestLine(line: string): RequestLine | undefined {
  const m = /^(\S+) (\S+) (\d{3}) authorizer=(\w+)(?: token-cache=hit)? \d+ms(?: \((.*)\))?$/s.exec(line);
  if (!m) return undefined;
  return { method: m[1]!, path: m[2]!, status: Number(m[3]), authorizer: m[4]!, ...(m[5] !== undefined ? { reason: m[5] } : {}) };
}
