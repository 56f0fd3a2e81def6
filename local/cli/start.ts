// `npm start`: the dev issuer (unless you name your own), `cdk synth` with it as the issuer (skipped when
// nothing changed), then the REST API served from cdk.out on loopback. Ctrl-C stops everything, exit 0.
import * as path from 'node:path';
import { banner } from './banner';
import { DEFAULT_AUDIENCE, startDevIssuer, type DevIssuer } from '../dev-issuer/issuer';
import { removeState, stateFileIn, writeState } from '../dev-issuer/state';
import { isLocalError } from '../errors';
import { startLocalApi, type LocalApi } from '../server';
import { parseStartOptions, START_USAGE } from './start-options';
import { synthesize } from '../template/synth';

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
  const stateFile = process.env.DEV_ISSUER_STATE ?? stateFileIn(PROJECT_DIR);
  const assemblyDir = path.resolve(PROJECT_DIR, options.output);
  let issuer: DevIssuer | undefined;
  let api: LocalApi | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    // Ctrl-C reaches us twice (from the terminal and relayed by tsx): the repeat is ignored, and a
    // deadline keeps a stuck close from holding the terminal.
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5000).unref();
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

    let assemblyNote = 'served as it is (--no-synth)';
    if (options.synth !== 'skip') {
      process.stderr.write(`Synthesizing the CDK app (issuer ${trusted.issuer}, audience ${trusted.audience})…\n`);
      const result = await synthesize({
        projectDir: PROJECT_DIR,
        outDir: assemblyDir,
        context: { ...trusted, ...(options.corsOrigins !== undefined ? { corsOrigins: options.corsOrigins } : {}) },
        force: options.synth === 'force',
        onOutput: (text) => process.stderr.write(text),
      });
      assemblyNote = result.skipped ? 'unchanged since the last synth (skipped)' : `synthesized in ${(result.ms / 1000).toFixed(1)} s`;
    }

    api = await startLocalApi({
      assemblyDir,
      port: options.port,
      envOverrides: options.envOverrides,
      ...(options.restApi ? { restApi: options.restApi } : {}),
    });
    if (issuer) writeState(stateFile, { issuer: issuer.issuer, audience: issuer.audience, secret: issuer.secret, apiUrl: api.url, pid: process.pid });
    // With --no-synth, cdk.out may trust another issuer than the one just started: every token would be 401.
    const baked = [...api.model.functions.values()].map((f) => f.environment.OIDC_ISSUER).filter((v) => v !== undefined);
    if (baked.length > 0 && !baked.includes(trusted.issuer)) {
      process.stderr.write(`warning: cdk.out's authorizer trusts ${baked[0]}, not ${trusted.issuer}: run npm start without --no-synth\n`);
    }
    process.stdout.write(`${banner({ model: api.model, apiUrl: api.url, assemblyNote, ...trusted, devIssuer: issuer !== undefined })}\n`);
  } catch (e) {
    process.stderr.write(`npm start: ${isLocalError(e) ? e.message : (e as Error).stack}\n`);
    await stop(isLocalError(e, 'USAGE') ? 2 : 1);
  }
}

void main();
