// What `npm start` prints once everything listens: the routes as read from the template, the issuer
// the authorizer trusts, and commands to paste.
import type { LambdaNode } from '../lambda/node-runtime';
import type { ApiModel, AuthorizerModel } from '../template/api-model';
import { oidcSettings } from '../template/oidc-settings';

export interface BannerInput {
  readonly model: ApiModel;
  readonly apiUrl: string;
  /** How cdk.out came to be, e.g. "synthesized in 5.8 s" or "unchanged, synth skipped". */
  readonly assemblyNote: string;
  /** The Node that runs the functions' code, by runtime. */
  readonly lambdaNodes: ReadonlyMap<string, LambdaNode>;
  readonly issuer: string;
  readonly audience: string;
  /** True when the embedded dev issuer runs. */
  readonly devIssuer: boolean;
  /** True with --watch. @default false */
  readonly watching?: boolean;
  /** The folder of the app served with --app, as shown. @default this repository's app */
  readonly app?: string;
  /** The PORT to name in the token command, when it is not the default. */
  readonly tokenPort?: number;
}

/** `AuthorizerRequired85CC1889` → `AuthorizerRequired`. */
const shortId = (logicalId: string): string => logicalId.replace(/[0-9A-F]{8}$/, '') || logicalId;

function describeAuthorizer(a: AuthorizerModel): string {
  const sources = a.identitySources.length === 0 ? 'no identity source' : a.identitySources.map((s) => `${s.kind} ${s.name}`).join(', ');
  return `${shortId(a.logicalId)} (${a.type}, ${sources}, TTL ${a.ttlSeconds}s)`;
}

/**
 * A protected route to show in the curl example, with the scopes its token needs: read from the
 * authorizer's own OIDC_REQUIRED_SCOPES and OIDC_ROUTES, so the example follows the app's routes. `dpop` when
 * the route's authorizer takes proofs (uncached, and the function has a replay table).
 */
export function exampleRoute(model: ApiModel): { path: string; scope: string; dpop: boolean } | undefined {
  const settingsOf = (a: AuthorizerModel) => {
    const fn = model.functions.get(a.functionId);
    return fn ? oidcSettings(fn) : {};
  };
  const takesProofs = (a: AuthorizerModel) => a.identitySources.length === 0 && settingsOf(a).OIDC_DPOP_REPLAY_TABLE !== undefined;
  const method = model.methods.find((m) => {
    const a = m.authorizerId ? model.authorizers.get(m.authorizerId) : undefined;
    return a !== undefined && (a.identitySources.length > 0 || (takesProofs(a) && requiredRoute(settingsOf(a), m))) && !m.resourcePath.includes('{');
  });
  if (!method) return undefined;
  const authorizer = model.authorizers.get(method.authorizerId!)!;
  const env = settingsOf(authorizer);
  const scopes = (env.OIDC_REQUIRED_SCOPES ?? 'openid').split(' ').filter(Boolean);
  try {
    const routes = JSON.parse(env.OIDC_ROUTES ?? '[]') as { method?: string; resourcePath?: string; scopes?: string[] }[];
    const rule = routes.find((r) => r.resourcePath === method.resourcePath && (r.method === method.httpMethod || r.method === 'ANY'));
    for (const s of rule?.scopes ?? []) if (!scopes.includes(s)) scopes.push(s);
  } catch {
    // Not this project's authorizer: the required scopes alone make the example.
  }
  return { path: method.resourcePath, scope: scopes.join(' '), dpop: takesProofs(authorizer) };
}

/** Whether OIDC_ROUTES declares `method` a required route (an uncached authorizer also serves optional ones). */
function requiredRoute(env: Readonly<Record<string, string | undefined>>, method: { resourcePath: string; httpMethod: string }): boolean {
  try {
    const routes = JSON.parse(env.OIDC_ROUTES ?? '[]') as { method?: string; resourcePath?: string; auth?: string }[];
    return routes.some((r) => r.resourcePath === method.resourcePath && (r.method === method.httpMethod || r.method === 'ANY') && r.auth === 'required');
  } catch {
    return false;
  }
}

/**
 * The issuers the template's authorizers trust besides `issuer` (npm start's own), as their OIDC_ISSUERS says:
 * what is served, whatever the flags were (with --no-synth, the assembly as it is).
 */
export function moreTrustedIssuers(model: ApiModel, issuer: string): { issuer: string; audience: string }[] {
  const found = new Map<string, string>();
  for (const a of model.authorizers.values()) {
    const fn = model.functions.get(a.functionId);
    let entries: unknown;
    try {
      entries = JSON.parse((fn ? oidcSettings(fn) : {}).OIDC_ISSUERS ?? '[]');
    } catch {
      continue; // the function itself will say so when it starts
    }
    for (const e of Array.isArray(entries) ? (entries as { issuer?: unknown; audience?: unknown }[]) : []) {
      if (typeof e?.issuer !== 'string' || e.issuer === issuer || found.has(e.issuer)) continue;
      found.set(e.issuer, Array.isArray(e.audience) ? e.audience.join(', ') : String(e.audience ?? ''));
    }
  }
  return [...found].map(([i, audience]) => ({ issuer: i, audience }));
}

/** What the template's Lambdas were told about CORS (CORS_ALLOWED_ORIGINS), if anything. */
function corsLine(model: ApiModel): string[] {
  const origins = [...model.functions.values()].map((f) => f.environment.CORS_ALLOWED_ORIGINS).find((v) => v !== undefined);
  return origins === undefined ? [] : [`CORS: browser apps on ${origins === '*' ? 'any origin' : origins.split(',').join(', ')} may call it (preflights answered by MOCK OPTIONS methods)`];
}

/** curl commands for the example route: a bearer token, and with DPoP a bound token and a proof per request. */
function exampleCommands(input: BannerInput, example: { path: string; scope: string; dpop: boolean }): string[] {
  const url = `${input.apiUrl}${example.path}`;
  const port = input.tokenPort !== undefined ? ` --port ${input.tokenPort}` : '';
  if (!input.devIssuer) {
    return [`  curl -H "Authorization: Bearer $TOKEN" ${url}`, ...(example.dpop ? [`  curl -H "Authorization: DPoP $TOKEN" -H "DPoP: <a proof for GET ${url}>" ${url}`] : [])];
  }
  return [
    `  curl -H "Authorization: Bearer $(npm run -s token -- --scope '${example.scope}'${port})" ${url}`,
    ...(example.dpop
      ? [
          `  TOKEN=$(npm run -s token -- --dpop --scope '${example.scope}'${port})`,
          `  curl -H "Authorization: DPoP $TOKEN" -H "DPoP: $(npm run -s dpop -- GET ${url}${port})" ${url}`,
        ]
      : []),
  ];
}

export function banner(input: BannerInput): string {
  const { model, apiUrl } = input;
  const example = exampleRoute(model);
  const methods = [...model.methods].sort((a, b) => a.resourcePath.localeCompare(b.resourcePath) || a.httpMethod.localeCompare(b.httpMethod));
  const width = Math.max(...methods.map((m) => m.httpMethod.length + m.resourcePath.length + 1));
  const lines = [
    '',
    `Local API Gateway for ${model.name} (stage ${model.stageName}${input.app !== undefined ? `, app ${input.app}` : ''}), ${input.assemblyNote}`,
    `  ${apiUrl}`,
    ...methods.map((m) => {
      const authorizer = m.authorizerId ? model.authorizers.get(m.authorizerId) : undefined;
      const auth = authorizer ? `authorizer ${describeAuthorizer(authorizer)}` : `auth ${m.authorizationType}`;
      const target = m.integration.functionId ? model.functions.get(m.integration.functionId)?.displayName : m.integration.type;
      return `    ${`${m.httpMethod} ${m.resourcePath}`.padEnd(width)}  ${auth} -> ${target}`;
    }),
    input.devIssuer
      ? `Dev OIDC issuer ${input.issuer} (audience ${input.audience}; key generated at start)`
      : `Authorizer trusts ${input.issuer} (audience ${input.audience}); get tokens from it`,
    ...moreTrustedIssuers(model, input.issuer).map((m) => `Also trusted: ${m.issuer} (audience ${m.audience}); get tokens from it`),
    ...corsLine(model),
    ...[...input.lambdaNodes.values()].map((n) => n.description),
    ...model.warnings.map((w) => `  warning: ${w}`),
    '',
    'Try:',
    // An app of another shape (npm start -- --app) may have no GET /.
    ...(methods.some((m) => m.resourcePath === '/' && (m.httpMethod === 'GET' || m.httpMethod === 'ANY')) ? [`  curl ${apiUrl}/`] : []),
    ...(example ? exampleCommands(input, example) : []),
    ...(input.watching
      ? [
          '',
          input.app !== undefined
            ? `Watching ${input.app}: a saved change re-synthesizes the app and is served once the synth succeeds (one line per reload).`
            : 'Watching lambda/ and infra/: a saved change is served as soon as it is rebuilt (one line per reload).',
        ]
      : []),
    '',
    'One line per request: method path status authorizer=none|skipped|cached|invoked ms. Ctrl-C stops.',
    '',
  ];
  return lines.join('\n');
}
