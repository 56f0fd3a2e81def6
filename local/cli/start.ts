// `npm start`: the dev issuer (unless you name your own), `cdk synth` with it as the issuer (skipped when
// nothing changed), then the REST API served from the instance's assembly on loopback; with --watch, every
// change is served as it is saved. The app is this repository's, or with --app DIR any CDK app that uses
// OidcAuthorizer and reads the same context. Quiet: one line per synth or reload (--verbose shows cdk's own
// output). Ctrl-C stops everything, exit 0.
import * as path from 'node:path';
import { banner } from './banner';
import { DEFAULT_AUDIENCE, startDevIssuer, type DevIssuer } from '../dev-issuer/issuer';
import { removeState, writeState } from '../dev-issuer/state';
import { isLocalError } from '../errors';
import { appAssemblyDirOf, assemblyDirOf, instanceDir, stateFileOf } from '../instance';
import { startLocalApi, type LocalApi } from '../server';
import { parseStartOptions, START_USAGE, trustContext } from './start-options';
import { oidcSettings } from '../template/oidc-settings';
import { synthesize } from '../template/synth';
import { startAppWatch } from '../watch/app-watch';
import { startWatch, type Watcher } from '../watch/watch';

const PROJECT_DIR = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  let options;
  try {
    options = parseStartOptions(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`npm start: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stderr.write(`${START_USAGE}\n`);
    return;
  }
  // The instance stays in this repository whichever app it serves: `npm run token` finds its dev issuer there.
  const instance = instanceDir(PROJECT_DIR, options.port);
  const stateFile = process.env.DEV_ISSUER_STATE || stateFileOf(instance);
  const appDir = options.app ?? PROJECT_DIR;
  const defaultAssembly = options.app !== undefined ? appAssemblyDirOf(instance, options.app) : assemblyDirOf(instance);
  const assemblyDir = options.output !== undefined ? path.resolve(PROJECT_DIR, options.output) : defaultAssembly;
  const appName = options.app !== undefined ? displayPath(options.app) : undefined;
  let issuer: DevIssuer | undefined;
  let api: LocalApi | undefined;
  let watcher: Watcher | undefined;
  let stopping = false;
  // Stops the first synth (the watcher stops its own): it runs in its own process group, out of Ctrl-C's reach.
  const firstSynth = new AbortController();
  const stop = async (code: number) => {
    // Ctrl-C reaches us twice (from the terminal and relayed by tsx): the repeat is ignored, and a
    // deadline keeps a stuck close from holding the terminal.
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5000).unref();
    firstSynth.abort();
    await watcher?.close();
    await api?.close();
    await issuer?.close();
    if (issuer) removeState(stateFile);
    process.exit(code);
  };
  const onSignal = () => {
    if (!stopping) process.stderr.write('Stopping…\n');
    void stop(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (options.issuer === undefined) issuer = await startDevIssuer({ port: options.issuerPort, audience: DEFAULT_AUDIENCE });
    const trusted = { issuer: options.issuer ?? issuer!.issuer, audience: options.audience ?? issuer!.audience };
    // The issuer is part of the context, and it lives as long as this process: a re-synth in watch mode
    // bakes in the same one, so tokens minted before a reload still work after it.
    const synth = (force: boolean, signal: AbortSignal) =>
      synthesize({
        projectDir: appDir,
        inputs: options.app !== undefined ? 'app' : 'project',
        outDir: assemblyDir,
        context: {
          ...trustContext(trusted, options.moreIssuers),
          ...(options.corsOrigins !== undefined ? { corsOrigins: options.corsOrigins } : {}),
          ...(options.senderConstraint !== undefined ? { senderConstraint: options.senderConstraint } : {}),
        },
        force,
        signal,
        ...(options.verbose ? { onOutput: (text: string) => process.stderr.write(text) } : {}),
      });

    let assemblyNote = 'served as it is (--no-synth)';
    if (options.synth !== 'skip') {
      process.stderr.write(`Synthesizing the CDK app${appName !== undefined ? ` in ${appName}` : ''} (issuer ${trusted.issuer}, audience ${trusted.audience})… `);
      const result = await synth(options.synth === 'force', firstSynth.signal);
      assemblyNote = result.skipped ? 'unchanged since the last synth (skipped)' : `synthesized in ${(result.ms / 1000).toFixed(1)} s`;
      process.stderr.write(`${result.skipped ? 'unchanged, skipped' : `${(result.ms / 1000).toFixed(1)} s`}\n`);
    }

    api = await startLocalApi({
      assemblyDir,
      port: options.port,
      envOverrides: options.envOverrides,
      ...(options.restApi ? { restApi: options.restApi } : {}),
      ...(options.metrics ? { logMetrics: (_fn: string, summary: string) => process.stdout.write(`${summary}\n`) } : {}),
    });
    if (issuer) writeState(stateFile, { issuer: issuer.issuer, audience: issuer.audience, secret: issuer.secret, apiUrl: api.url, pid: process.pid });
    // With --no-synth, the assembly may trust another issuer than the one just started: every token would be 401.
    const baked = [...api.model.functions.values()].flatMap((f) => bakedIssuers(oidcSettings(f)));
    if (baked.length > 0 && !baked.includes(trusted.issuer)) {
      process.stderr.write(`warning: ${path.relative(PROJECT_DIR, assemblyDir)}'s authorizer trusts ${baked[0]}, not ${trusted.issuer}: run npm start without --no-synth\n`);
    }
    if (options.watch) {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      // Another app's Lambdas are not ours to rebuild in place: any change there re-synthesizes it.
      watcher =
        options.app !== undefined
          ? startAppWatch({ appDir, assemblyDir, api, synth: (signal) => synth(false, signal), log })
          : await startWatch({ projectDir: PROJECT_DIR, assemblyDir, api, synth: (signal) => synth(false, signal), log });
    }
    process.stdout.write(
      `${banner({
        model: api.model,
        apiUrl: api.url,
        assemblyNote,
        lambdaNodes: api.lambdaNodes,
        ...trusted,
        devIssuer: issuer !== undefined,
        watching: options.watch,
        ...(appName !== undefined ? { app: appName } : {}),
        ...(options.port !== 3000 ? { tokenPort: options.port } : {}),
      })}\n`,
    );
  } catch (e) {
    if (stopping) return; // Ctrl-C while starting: what it interrupted is not an error.
    process.stderr.write(`${options.synth !== 'skip' && !api ? '\n' : ''}npm start: ${isLocalError(e) ? e.message : (e as Error).stack}\n`);
    await stop(isLocalError(e, 'USAGE') ? 2 : 1);
  }
}

void main();

/** `dir` as the user would type it from where they are: relative when that is shorter. */
function displayPath(dir: string): string {
  const relative = path.relative(process.env.INIT_CWD || process.cwd(), dir) || '.';
  return relative.length < dir.length ? relative : dir;
}

/** The issuers an authorizer function's environment trusts, in either form. */
function bakedIssuers(env: Readonly<Record<string, string | undefined>>): string[] {
  if (env.OIDC_ISSUER !== undefined) return [env.OIDC_ISSUER];
  try {
    return (JSON.parse(env.OIDC_ISSUERS ?? '[]') as { issuer?: string }[]).flatMap((e) => (typeof e.issuer === 'string' ? [e.issuer] : []));
  } catch {
    return [];
  }
}
