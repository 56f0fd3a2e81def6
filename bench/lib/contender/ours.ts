// Our whole handler, event in, policy out, every decision logged and counted (EMF) as in production; and the
// same without metrics, to measure what they cost.
import { openSync, writeSync } from 'node:fs';
import { readConfig } from '../../../lambda/authorizer/config';
import { DEFAULTS } from '../../../lambda/authorizer/defaults';
import { EmfMetrics } from '../../../lambda/authorizer/emf';
import { createAuthorizer } from '../../../lambda/authorizer/handler';
import { jsonLogger } from '../../../lambda/authorizer/log';
import { NO_METRICS } from '../../../lambda/authorizer/metrics';
import { authorizerEvent } from '../event';
import { authorizerEnv, type Fixtures } from '../fixtures';
import type { MakeContender } from './types';

/** Where our handler's log and metric lines go: a /dev/null fd written synchronously, as Lambda's stdout pipe is. */
export const LOG_SINK = 'fs.writeSync to /dev/null';

/** Ours, as index.ts builds it, but with the issuer's documents handed over in-process. */
export function makeOurs(fx: Fixtures, env: Record<string, string> = {}, { metrics = true }: { metrics?: boolean } = {}) {
  const fd = openSync('/dev/null', 'w');
  const now = Date.now;
  const docs: Record<string, unknown> = {
    [`${fx.issuer}/.well-known/openid-configuration`]: { issuer: fx.issuer, jwks_uri: `${fx.issuer}/jwks` },
    [`${fx.issuer}/jwks`]: fx.jwks,
  };
  return createAuthorizer(readConfig(authorizerEnv(fx.issuer, env)), {
    fetchJson: async (url) => structuredClone(docs[url]),
    logger: jsonLogger((line) => writeSync(fd, line)),
    metrics: metrics ? new EmfMetrics({ namespace: DEFAULTS.metricsNamespace, service: DEFAULTS.metricsService, now, write: (line) => writeSync(fd, line) }) : NO_METRICS,
  });
}

export const makeOursContender: MakeContender = async (fx) => {
  const { handler } = makeOurs(fx);
  return { name: 'ours', sync: false, prepare: (tokens) => tokens.map(authorizerEvent), run: (e) => handler(e as ReturnType<typeof authorizerEvent>) };
};

export const makeOursWithoutMetrics: MakeContender = async (fx) => {
  const { handler } = makeOurs(fx, {}, { metrics: false });
  return { name: 'ours-no-metrics', sync: false, prepare: (tokens) => tokens.map(authorizerEvent), run: (e) => handler(e as ReturnType<typeof authorizerEvent>) };
};
