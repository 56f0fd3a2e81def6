// Access tokens shaped as five identity providers document them, signed with test keys and served by an
// in-memory issuer at the provider's real discovery address: each is accepted or refused exactly as the
// configuration for that provider (the one docs/providers.md shows) says.
import { SignJWT } from 'jose';
import { readConfig } from '../../lambda/authorizer/config';
import { createAuthorizer } from '../../lambda/authorizer/handler';
import type { FetchJson } from '../../lambda/authorizer/http';
import type { LogFields, Logger } from '../../lambda/authorizer/log';
import { ROUTE_TABLE_JSON } from '../helpers/config';
import { GatewayHarness } from '../helpers/gateway-harness';
import { makeKey, type TestKey } from '../helpers/keys';
import { auditLogsAtEnd, LogAudit } from '../../scripts/lib/log-audit';
import { NO_METRICS } from '../../lambda/authorizer/metrics';

const NOW = 1_800_000_000;
const audit = new LogAudit();
let key: TestKey;

type Claims = Record<string, unknown>;

interface Row {
  readonly name: string;
  /** Changes to the provider's typical access token; undefined removes a claim. */
  readonly claims?: Claims;
  readonly header?: Record<string, unknown>;
  readonly path: '/' | '/profile';
  readonly status: 200 | 401 | 403;
  readonly username?: string;
  /** The reason code the authorizer logs for a refusal. */
  readonly reason?: string;
  /** Changes to the provider's configuration for this row only. */
  readonly env?: Record<string, string>;
}

interface Idp {
  readonly name: string;
  /** The authorizer configuration docs/providers.md shows for this provider (OIDC_ROUTES aside). */
  readonly env: Record<string, string>;
  readonly header: Record<string, unknown>;
  readonly claims: Claims;
  readonly rows: readonly Row[];
}

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ENTRA_API = '6e74172b-be56-4843-9ff4-e66a39bb12e3';

const IDPS: readonly Idp[] = [
  {
    name: 'Amazon Cognito (user pool access token)',
    env: {
      OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E',
      OIDC_AUDIENCE: '3n4b5urk1ft4fl3mg5e62d9ado',
      OIDC_CLIENT_ID_AS_AUDIENCE: 'true',
      OIDC_USERNAME_CLAIM: 'username',
    },
    header: { kid: 'cognito-kid', alg: 'RS256' },
    claims: {
      sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      'cognito:groups': ['admins'],
      iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E',
      version: 2,
      client_id: '3n4b5urk1ft4fl3mg5e62d9ado',
      origin_jti: 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb',
      event_id: 'cccccccc-4444-5555-6666-dddddddddddd',
      token_use: 'access',
      scope: 'openid profile email',
      auth_time: NOW - 30,
      exp: NOW + 3600,
      iat: NOW - 30,
      jti: 'eeeeeeee-7777-8888-9999-ffffffffffff',
      username: 'alice',
    },
    rows: [
      { name: 'access token with profile → /profile, username from `username`', path: '/profile', status: 200, username: 'alice' },
      { name: 'access token without profile → homepage', claims: { scope: 'openid email' }, path: '/', status: 200, username: 'alice' },
      { name: 'access token without profile → 403 on /profile', claims: { scope: 'openid email' }, path: '/profile', status: 403 },
      { name: 'access token of another app client → 401', claims: { client_id: '7tq1a2b3c4d5e6f7g8h9i0j1k2' }, path: '/', status: 401, reason: 'AUDIENCE_MISMATCH' },
      { name: 'access token of another user pool → 401', claims: { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Zz99Yy88X' }, path: '/', status: 401, reason: 'ISSUER_MISMATCH' },
      {
        name: 'ID token (token_use id, aud = client, no scope) → 401',
        claims: { token_use: 'id', aud: '3n4b5urk1ft4fl3mg5e62d9ado', client_id: undefined, scope: undefined, email: 'alice@example.com', 'cognito:username': 'alice', username: undefined },
        path: '/',
        status: 401, reason: 'TOKEN_USE_INVALID',
      },
      {
        name: 'ID token → 401 even with no scope required (token_use must be access)',
        env: { OIDC_REQUIRED_SCOPES: '' },
        claims: { token_use: 'id', aud: '3n4b5urk1ft4fl3mg5e62d9ado', client_id: undefined, scope: undefined, email: 'alice@example.com', 'cognito:username': 'alice', username: undefined },
        path: '/',
        status: 401, reason: 'TOKEN_USE_INVALID',
      },
      { name: 'M2M token (custom scope, no openid) → 403 while openid is required', claims: { sub: '3n4b5urk1ft4fl3mg5e62d9ado', scope: 'https://api.example.com/read', username: undefined }, path: '/', status: 403, reason: 'SCOPE_MISSING' },
      { name: 'no aud and OIDC_CLIENT_ID_AS_AUDIENCE off → 401', env: { OIDC_CLIENT_ID_AS_AUDIENCE: 'false' }, path: '/', status: 401, reason: 'AUDIENCE_MISMATCH' },
      { name: 'no typ header and OIDC_REQUIRE_AT_JWT on → 401 (keep it off for Cognito)', env: { OIDC_REQUIRE_AT_JWT: 'true' }, path: '/', status: 401, reason: 'TYP_INVALID' },
    ],
  },
  {
    name: 'Microsoft Entra ID (v2.0 access token for your API)',
    env: {
      OIDC_ISSUER: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      OIDC_AUDIENCE: ENTRA_API,
      OIDC_REQUIRED_SCOPES: 'access_as_user',
      OIDC_USERNAME_CLAIM: 'preferred_username',
    },
    header: { typ: 'JWT', alg: 'RS256', kid: 'entra-kid' },
    claims: {
      aud: ENTRA_API,
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      iat: NOW - 60,
      nbf: NOW - 60,
      exp: NOW + 3600,
      aio: 'AWQAm/8TAAAA',
      azp: 'f5b1c9e4-2d3a-4f6b-8c7d-9e0a1b2c3d4e',
      azpacr: '0',
      name: 'Alice Example',
      oid: '00000000-0000-0000-66f3-3332eca7ea81',
      preferred_username: 'alice@contoso.com',
      rh: '0.AAAA',
      scp: 'access_as_user profile',
      sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
      tid: TENANT,
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
    },
    rows: [
      { name: 'delegated token, scp string with profile → /profile, username from preferred_username', path: '/profile', status: 200, username: 'alice@contoso.com' },
      { name: 'scp without profile → 403 on /profile', claims: { scp: 'access_as_user' }, path: '/profile', status: 403 },
      { name: 'scp without the required access_as_user → 403', claims: { scp: 'profile' }, path: '/', status: 403, reason: 'SCOPE_MISSING' },
      {
        name: 'v1.0 token (sts.windows.net issuer) → 401 under the v2.0 issuer',
        claims: { iss: `https://sts.windows.net/${TENANT}/`, aud: `api://${ENTRA_API}`, ver: '1.0', upn: 'alice@contoso.com' },
        path: '/',
        status: 401, reason: 'ISSUER_MISMATCH',
      },
      { name: 'app-only token (roles, no scp) → 403 while a delegated scope is required', claims: { scp: undefined, roles: ['Profile.Read'], preferred_username: undefined, name: undefined }, path: '/', status: 403, reason: 'SCOPE_MISSING' },
      { name: 'token for Microsoft Graph → 401', claims: { aud: '00000003-0000-0000-c000-000000000000' }, path: '/', status: 401, reason: 'AUDIENCE_MISMATCH' },
      { name: 'token from another tenant → 401', claims: { iss: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0', tid: '9188040d-6c67-4c5b-b112-36a304b66dad' }, path: '/', status: 401, reason: 'ISSUER_MISMATCH' },
    ],
  },
  {
    name: 'Okta (custom authorization server)',
    env: {
      OIDC_ISSUER: 'https://dev-123456.okta.com/oauth2/default',
      OIDC_AUDIENCE: 'api://default',
      OIDC_USERNAME_CLAIM: 'sub',
    },
    header: { kid: 'okta-kid', alg: 'RS256' },
    claims: {
      ver: 1,
      jti: 'AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE',
      iss: 'https://dev-123456.okta.com/oauth2/default',
      aud: 'api://default',
      iat: NOW - 10,
      exp: NOW + 3600,
      cid: '0oa1b2c3d4e5f6g7h8i9',
      uid: '00u1a2b3c4d5e6f7g8h9',
      scp: ['openid', 'profile', 'email'],
      auth_time: NOW - 20,
      sub: 'alice@example.com',
    },
    rows: [
      { name: 'scp array with profile → /profile, username from sub (the login)', path: '/profile', status: 200, username: 'alice@example.com' },
      { name: 'scp array without profile → 403 on /profile', claims: { scp: ['openid', 'email'] }, path: '/profile', status: 403 },
      { name: 'token of the org authorization server → 401', claims: { iss: 'https://dev-123456.okta.com', aud: 'https://dev-123456.okta.com' }, path: '/', status: 401, reason: 'ISSUER_MISMATCH' },
      { name: 'token for another audience → 401', claims: { aud: 'api://payments' }, path: '/', status: 401, reason: 'AUDIENCE_MISMATCH' },
    ],
  },
  {
    name: 'Auth0 (API access token)',
    env: {
      OIDC_ISSUER: 'https://example-tenant.eu.auth0.com/',
      OIDC_AUDIENCE: 'https://api.example.com',
      OIDC_USERNAME_CLAIM: 'https://api.example.com/email',
    },
    header: { alg: 'RS256', typ: 'JWT', kid: 'auth0-kid' },
    claims: {
      'https://api.example.com/email': 'alice@example.com',
      iss: 'https://example-tenant.eu.auth0.com/',
      sub: 'auth0|64b7f0c2a1b2c3d4e5f6a7b8',
      aud: ['https://api.example.com', 'https://example-tenant.eu.auth0.com/userinfo'],
      iat: NOW - 5,
      exp: NOW + 86400,
      azp: 'Xc9Lq2W7vB1nM4kJ8hG5fD3sA6pO0iU',
      scope: 'openid profile email',
      permissions: ['read:profile'],
    },
    rows: [
      { name: 'aud array holding the API → /profile, username from a namespaced claim', path: '/profile', status: 200, username: 'alice@example.com' },
      { name: 'issuer without its trailing slash → 401', claims: { iss: 'https://example-tenant.eu.auth0.com' }, path: '/', status: 401, reason: 'ISSUER_MISMATCH' },
      { name: 'token for /userinfo only (no API audience) → 401', claims: { aud: 'https://example-tenant.eu.auth0.com/userinfo' }, path: '/', status: 401, reason: 'AUDIENCE_MISMATCH' },
      { name: 'permissions are not scopes: profile only in permissions → 403 on /profile', claims: { scope: 'openid email', permissions: ['profile'] }, path: '/profile', status: 403 },
      { name: 'client-credentials token (gty, no openid) → 403 while openid is required', claims: { sub: 'Xc9Lq2W7@clients', gty: 'client-credentials', scope: 'read:profile' }, path: '/', status: 403, reason: 'SCOPE_MISSING' },
      { name: 'client-credentials token accepted once the required scope is the API’s own', claims: { sub: 'Xc9Lq2W7@clients', gty: 'client-credentials', scope: 'read:profile profile', 'https://api.example.com/email': undefined }, env: { OIDC_REQUIRED_SCOPES: 'read:profile' }, path: '/profile', status: 200, username: 'Xc9Lq2W7@clients' },
    ],
  },
  {
    name: 'Keycloak (realm access token with an audience mapper)',
    env: {
      OIDC_ISSUER: 'https://sso.example.com/realms/demo',
      OIDC_AUDIENCE: 'demo-api',
    },
    header: { alg: 'RS256', typ: 'JWT', kid: 'keycloak-kid' },
    claims: {
      exp: NOW + 300,
      iat: NOW - 1,
      auth_time: NOW - 2,
      jti: 'onrtac:5d2b6a0e-0000-4000-8000-000000000001',
      iss: 'https://sso.example.com/realms/demo',
      aud: ['demo-api', 'account'],
      sub: 'f1e2d3c4-b5a6-4789-9abc-def012345678',
      typ: 'Bearer',
      azp: 'web-app',
      sid: '0c1d2e3f-4a5b-4c6d-8e7f-901234567890',
      acr: '1',
      'allowed-origins': ['https://app.example.com'],
      realm_access: { roles: ['default-roles-demo', 'offline_access'] },
      resource_access: { account: { roles: ['manage-account', 'view-profile'] } },
      scope: 'openid profile email',
      email_verified: true,
      name: 'Alice Example',
      preferred_username: 'alice',
      given_name: 'Alice',
      family_name: 'Example',
      email: 'alice@example.com',
    },
    rows: [
      { name: 'scope string with profile, aud from the mapper → /profile, username from email', path: '/profile', status: 200, username: 'alice@example.com' },
      { name: 'scope without profile → 403 on /profile', claims: { scope: 'openid email' }, path: '/profile', status: 403 },
      { name: 'default audience only (account, no mapper) → 401', claims: { aud: 'account' }, path: '/', status: 401, reason: 'AUDIENCE_MISMATCH' },
      { name: 'token of another realm → 401', claims: { iss: 'https://sso.example.com/realms/other' }, path: '/', status: 401, reason: 'ISSUER_MISMATCH' },
      { name: 'azp is not checked: another client’s token with our audience is accepted', claims: { azp: 'cli-tool' }, path: '/', status: 200, username: 'alice@example.com' },
    ],
  },
];

/** Discovery and JWKS of each provider, answered in memory at the addresses the provider uses. */
function fetcherFor(issuer: string): FetchJson {
  const base = issuer.replace(/\/$/, '');
  return async (url) => {
    if (url === `${base}/.well-known/openid-configuration`) return { issuer, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] };
    if (url === `${base}/keys`) return { keys: [key.jwk] };
    throw new Error(`unexpected fetch ${url}`);
  };
}

async function sign(idp: Idp, row: Row): Promise<string> {
  const claims: Claims = { ...idp.claims, ...row.claims };
  const header: Record<string, unknown> = { ...idp.header, kid: key.kid, ...row.header };
  for (const o of [claims, header]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return audit.watch(await new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key.privateKey));
}

beforeAll(async () => {
  key = await makeKey('RS256', 'idp-key');
});

describe.each(IDPS)('$name', (idp) => {
  it.each(idp.rows)('$name', async (row) => {
    const env: Record<string, string> = { OIDC_ROUTES: ROUTE_TABLE_JSON, ...idp.env, ...row.env };
    const decisions: LogFields[] = [];
    const logger: Logger = {
      log(level, message, fields) {
        audit.logger.log(level, message, fields);
        if (fields.event === 'decision') decisions.push(fields);
      },
    };
    const authorizer = createAuthorizer(readConfig(env), { fetchJson: fetcherFor(env.OIDC_ISSUER!), now: () => NOW * 1000, logger, metrics: NO_METRICS });
    const gateway = new GatewayHarness(authorizer.handler);
    const answer = await gateway.request({ path: row.path, authorization: `Bearer ${await sign(idp, row)}` });
    expect(answer.status).toBe(row.status);
    expect(gateway.downstreamCalls).toBe(row.status === 200 ? 1 : 0);
    if (row.username !== undefined) expect(answer.context?.username).toBe(row.username);
    if (row.reason !== undefined) expect(decisions.at(-1)).toMatchObject({ decision: 'deny', reason: row.reason });
    if (row.status === 403) expect(decisions.at(-1)).toMatchObject({ decision: 'deny', reason: row.reason ?? 'INSUFFICIENT_SCOPE' });
  });
});

auditLogsAtEnd(audit);
