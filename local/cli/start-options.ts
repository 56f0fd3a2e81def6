// Settings of `npm start`, from the environment and arguments, checked before anything starts.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULTS } from '../../lambda/authorizer/defaults';
import { MAX_ISSUERS, readIssuers } from '../../lambda/authorizer/issuer-config';
import { formatCorsOrigins, parseCorsOrigins } from '../../lambda/shared/cors';
import { ConfigError } from '../../lambda/shared/errors';
import { SENDER_CONSTRAINTS, type SenderConstraint } from '../../lambda/shared/routes';
import { LocalError } from '../errors';
import { unknownArgument } from './unknown-argument';
import { APP_MAX_FILES } from '../template/synth';

export const START_USAGE = `Usage: npm start [-- --app DIR] [--port 3000] [--watch] [--verbose] [--issuer https://idp.example.com/ --audience my-api] [--issuers JSON] [--cors ORIGINS] [--sender-constraint allowed] [--synth | --no-synth] [--env-vars file.json] [--output DIR] [--rest-api NAME] [--metrics]

Synthesizes the CDK app (skipped when nothing changed) and serves its REST API from the cloud assembly.
  --app DIR            serve another CDK app that uses OidcAuthorizer: the one in DIR (its cdk.json),
                       synthesized with its own aws-cdk (else this repo's) and the same context
                       (issuer, audience, …); skipped when no file under DIR changed (node_modules,
                       cdk.out and dot-folders aside; up to ${APP_MAX_FILES} files, else synthesized every time)
  --watch              serve changes as you save: a Lambda's code rebuilt in place, infra/ re-synthesized;
                       with --app, any change under DIR re-synthesizes the app
  --verbose            show cdk's and esbuild's own output
  --metrics            print the metrics each invocation would send to CloudWatch, one line each
                       (metrics: Deny{reason=EXPIRED}=1 …); without it they are not shown
  --port 3000          where the API listens (loopback only)
  (or PORT)
  ISSUER_PORT=PORT+1   where the embedded dev OIDC issuer listens
  OIDC_ISSUER, OIDC_AUDIENCE (or --issuer, --audience)
                       trust your own issuer instead; no dev issuer is started
  --issuers JSON       trust these issuers too (CDK context issuers), beside the dev issuer (or
  (or ISSUERS)         --issuer): '[{"issuer":"https://idp.example.com/","audience":"my-api"}]'
  --synth              synthesize even when nothing changed
  --no-synth           serve cdk.out as it is
  --cors ORIGINS       browser apps on these origins may call the API (CDK context corsOrigins):
  (or CORS_ORIGINS)    comma-separated, such as http://localhost:5173, or *
  --sender-constraint  proof of possession (CDK context senderConstraint): off, allowed (bearer tokens, and
  (or SENDER_CONSTRAINT) DPoP-bound ones with their proofs) or required (DPoP only); the proofs seen are
                       kept in a local DynamoDB (dynalite). Bound tokens: npm run -s token -- --dpop
  --env-vars FILE      extra environment per function: {"<logical id or name>": {"VAR": "value"}}
  --output DIR         where the cloud assembly goes (default .local/PORT/cdk.out, with --app
                       .local/PORT/apps/NAME-HASH/cdk.out)
  --rest-api NAME      which RestApi to serve when the app has several: its logical id or name
  (or REST_API)`;

export interface StartOptions {
  /** Another CDK app to serve: the absolute path of the directory holding its cdk.json. @default this repository's app */
  readonly app?: string;
  readonly port: number;
  readonly issuerPort: number;
  /** Set with audience: use this issuer and start none. */
  readonly issuer?: string;
  readonly audience?: string;
  readonly synth: 'auto' | 'force' | 'skip';
  readonly envOverrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly restApi?: string;
  /** corsOrigins for the synth, checked by the stack's own parser. */
  readonly corsOrigins?: string;
  /** senderConstraint for the synth (CDK context): off, allowed or required. */
  readonly senderConstraint?: SenderConstraint;
  /** More issuers to trust beside the dev issuer (or --issuer): entries of CDK context `issuers`. */
  readonly moreIssuers?: readonly Record<string, unknown>[];
  /** The cloud assembly directory, relative to the project unless absolute. @default .local/<port>/cdk.out */
  readonly output?: string;
  /** Rebuild and re-serve on every change under lambda/ and infra/ (with `app`, under the app's folder). @default false */
  readonly watch: boolean;
  /** Pass cdk's own output through. @default false */
  readonly verbose: boolean;
  /** Print the metrics the Lambdas write (EMF), summed up, one line per flush. @default false */
  readonly metrics: boolean;
  readonly help: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Every flag of npm start, for "did you mean". */
const START_FLAGS = ['--app', '--port', '--watch', '--verbose', '--metrics', '--issuer', '--audience', '--issuers', '--synth', '--no-synth', '--cors', '--sender-constraint', '--env-vars', '--output', '--rest-api', '--help'];

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new LocalError('USAGE', `${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return n;
}

function readEnvOverrides(file: string): Record<string, Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LocalError('USAGE', `--env-vars ${file}: ${(e as Error).message}`);
  }
  const ok =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) &&
    Object.values(parsed).every((vars) => typeof vars === 'object' && vars !== null && Object.values(vars).every((v) => typeof v === 'string'));
  if (!ok) throw new LocalError('USAGE', `--env-vars ${file} must hold {"<function logical id or name>": {"VAR": "string value"}}`);
  return parsed as Record<string, Record<string, string>>;
}

/**
 * `--app DIR` as an absolute path, resolved from where npm start was typed (npm runs scripts in the package
 * root, and says where it was called in INIT_CWD).
 */
function appDir(dir: string, env: Env): string {
  const full = path.resolve(env.INIT_CWD || process.cwd(), dir);
  if (!existsSync(path.join(full, 'cdk.json'))) {
    throw new LocalError('USAGE', `--app ${dir}: ${existsSync(full) ? `${full} holds no cdk.json` : `${full} does not exist`}; name the folder of a CDK app`);
  }
  return full;
}

export function parseStartOptions(argv: readonly string[], env: Env): StartOptions {
  let issuer = env.OIDC_ISSUER?.trim() || undefined;
  let audience = env.OIDC_AUDIENCE?.trim() || undefined;
  let synth: StartOptions['synth'] = 'auto';
  let envOverrides: Record<string, Record<string, string>> = {};
  let cors = env.CORS_ORIGINS?.trim() || undefined;
  let senderConstraint = env.SENDER_CONSTRAINT?.trim() || undefined;
  let issuersJson = env.ISSUERS?.trim() || undefined;
  let output: string | undefined;
  let app: string | undefined;
  let restApi = env.REST_API?.trim() || undefined;
  let watch = false;
  let verbose = false;
  let metrics = false;
  let portArg: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new LocalError('USAGE', `${flag} needs a value\n\n${START_USAGE}`);
      return v;
    };
    if (flag === '-h' || flag === '--help') return { port: 0, issuerPort: 0, synth, envOverrides, watch, verbose, metrics, help: true };
    else if (flag === '--port') portArg = value();
    else if (flag === '--issuer') issuer = value();
    else if (flag === '--audience') audience = value();
    else if (flag === '--synth') synth = 'force';
    else if (flag === '--no-synth') synth = 'skip';
    else if (flag === '--env-vars') envOverrides = readEnvOverrides(value());
    else if (flag === '--cors') cors = value();
    else if (flag === '--sender-constraint') senderConstraint = value();
    else if (flag === '--issuers') issuersJson = value();
    else if (flag === '--output') output = value();
    else if (flag === '--app') app = appDir(value(), env);
    else if (flag === '--rest-api') restApi = value();
    else if (flag === '--watch') watch = true;
    else if (flag === '--verbose') verbose = true;
    else if (flag === '--metrics') metrics = true;
    else throw new LocalError('USAGE', `${unknownArgument(argv[i]!, flag, START_FLAGS)}\n\n${START_USAGE}`);
  }
  if ((issuer === undefined) !== (audience === undefined)) {
    throw new LocalError('USAGE', 'name both your issuer and its audience (OIDC_ISSUER and OIDC_AUDIENCE, or --issuer and --audience), or neither to use the dev issuer');
  }
  let corsOrigins: string | undefined;
  if (cors !== undefined) {
    if (synth === 'skip') throw new LocalError('USAGE', '--cors (or CORS_ORIGINS) changes the template, so it needs a synth: drop --no-synth');
    try {
      corsOrigins = formatCorsOrigins(parseCorsOrigins(cors, '--cors (or CORS_ORIGINS)'));
    } catch (e) {
      throw new LocalError('USAGE', (e as Error).message, { cause: e });
    }
  }
  if (senderConstraint !== undefined) {
    if (!(SENDER_CONSTRAINTS as readonly string[]).includes(senderConstraint)) {
      throw new LocalError('USAGE', `--sender-constraint (or SENDER_CONSTRAINT) must be one of ${SENDER_CONSTRAINTS.join(', ')}, got ${JSON.stringify(senderConstraint)}`);
    }
    if (synth === 'skip') throw new LocalError('USAGE', '--sender-constraint (or SENDER_CONSTRAINT) changes the template, so it needs a synth: drop --no-synth');
  }
  let moreIssuers: Record<string, unknown>[] | undefined;
  if (issuersJson !== undefined) {
    if (synth === 'skip') throw new LocalError('USAGE', '--issuers (or ISSUERS) changes the template, so it needs a synth: drop --no-synth');
    moreIssuers = checkMoreIssuers(issuersJson);
  }
  if (watch && synth === 'skip') throw new LocalError('USAGE', '--watch re-synthesizes on infra/ changes, so it needs synths: drop --no-synth');
  if (output !== undefined && (output.trim() === '' || path.resolve(output) === path.resolve('.') || (app !== undefined && path.resolve(output) === app))) {
    throw new LocalError('USAGE', `--output must name a directory for the cloud assembly, not a project folder, got ${JSON.stringify(output)}`);
  }
  const apiPort = portArg !== undefined ? port('--port', portArg, 3000) : port('PORT', env.PORT, 3000);
  return {
    ...(app !== undefined ? { app } : {}),
    port: apiPort,
    issuerPort: port('ISSUER_PORT', env.ISSUER_PORT, apiPort === 65535 ? 65534 : apiPort + 1),
    ...(issuer !== undefined ? { issuer, audience: audience! } : {}),
    synth,
    envOverrides,
    ...(restApi !== undefined ? { restApi } : {}),
    ...(corsOrigins !== undefined ? { corsOrigins } : {}),
    ...(senderConstraint !== undefined ? { senderConstraint: senderConstraint as SenderConstraint } : {}),
    ...(moreIssuers !== undefined ? { moreIssuers } : {}),
    ...(output !== undefined ? { output } : {}),
    watch,
    verbose,
    metrics,
    help: false,
  };
}

/**
 * `--issuers` checked entry by entry by the authorizer's own parser, before anything starts, so that a mistake
 * is named at the index the user wrote (the dev issuer, put first for the synth, would shift it by one).
 */
function checkMoreIssuers(json: string): Record<string, unknown>[] {
  const setting = '--issuers (or ISSUERS)';
  if (json.trim() === '') throw new LocalError('USAGE', `${setting} must be a JSON array of {"issuer": …, "audience": …}`);
  try {
    readIssuers({ OIDC_ISSUERS: json }, { ...DEFAULTS, contextClaims: [] });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new LocalError('USAGE', `${setting} ${e.reason}`, { cause: e });
  }
  const entries = JSON.parse(json) as Record<string, unknown>[];
  // The issuer npm start trusts comes first: one place fewer.
  if (entries.length > MAX_ISSUERS - 1) throw new LocalError('USAGE', `${setting} names ${entries.length} issuers; at most ${MAX_ISSUERS - 1} beside the one npm start trusts`);
  return entries;
}

/** The CDK context naming whom to trust: the one issuer, or it first among `issuers` when more are given. */
export function trustContext(trusted: { issuer: string; audience: string }, more: readonly Record<string, unknown>[] | undefined): Record<string, string> {
  if (!more) return { ...trusted };
  return { issuers: JSON.stringify([{ issuer: trusted.issuer, audience: trusted.audience }, ...more]) };
}
