// The trusted issuers: one key store and one verifier each, so one issuer's outage or kid flood never touches
// another's. A token's own `iss`, read before verification (jose's decodeJwt), only chooses whose keys and
// rules apply, by exact match; an `iss` that is not configured is refused with no fetch of anything, and the
// token is then verified strictly against that one issuer (its signature, iss, audiences and rules).
import { decodeJwt } from 'jose';
import type { AuthorizerConfig } from './config';
import { contextClaimRefs } from './config';
import { TokenError } from './errors';
import type { FetchJson } from './http';
import type { IssuerConfig } from './issuer-config';
import { fromJose } from './jose-errors';
import { KeyStore } from './key-store';
import type { Logger } from './log';
import { NO_METRICS, type AuthorizerMetrics } from './metrics';
import { JwtVerifier } from './verify';

export interface TrustedIssuer {
  readonly config: IssuerConfig;
  readonly keyStore: KeyStore;
  readonly verifier: JwtVerifier;
  /** Claims its tokens hand on in the context: its context claims and every claim a route rule reads. */
  readonly contextRefs: readonly string[];
}

export interface IssuerDeps {
  readonly fetchJson: FetchJson;
  readonly now: () => number;
  readonly logger: Logger;
  /** Counts each issuer's key fetches under its position. @default counts nothing */
  readonly metrics?: AuthorizerMetrics;
}

/** `logger` with the issuer named on every line, so fetch lines say whose keys they were. */
const withIssuer = (logger: Logger, iss: string): Logger => ({ log: (level, message, fields) => logger.log(level, message, { ...fields, iss }) });

export class Issuers {
  readonly all: readonly TrustedIssuer[];
  private readonly byIss: ReadonlyMap<string, TrustedIssuer>;

  constructor(config: AuthorizerConfig, { fetchJson, now, logger, metrics = NO_METRICS }: IssuerDeps) {
    this.all = config.issuers.map((ic, index) => {
      const keyStore = new KeyStore({
        issuer: ic.issuer,
        jwksUri: ic.jwksUri,
        algorithms: config.algorithms,
        maxAgeMs: config.jwksMaxAgeSeconds * 1000,
        maxStaleMs: config.jwksMaxStaleSeconds * 1000,
        cooldownMs: config.jwksCooldownSeconds * 1000,
        fetchTimeoutMs: config.fetchTimeoutMs,
        fetchMaxBytes: config.fetchMaxBytes,
        fetchJson,
        now,
        logger: withIssuer(logger, ic.issuer),
        metrics: metrics.issuer(index),
      });
      const verifier = new JwtVerifier(keyStore, {
        issuer: ic.issuer,
        audiences: new Set(ic.audiences),
        clientIdAsAudience: ic.clientIdAsAudience,
        requiredScopes: ic.requiredScopes,
        usernameClaim: ic.usernameClaim,
        toleranceSeconds: config.clockToleranceSeconds,
        algorithms: config.algorithms,
        requireAtJwt: ic.requireAtJwt,
      });
      return { config: ic, keyStore, verifier, contextRefs: contextClaimRefs(config, ic) };
    });
    this.byIss = new Map(this.all.map((i) => [i.config.issuer, i]));
  }

  /**
   * The issuer `token` names, if configured; throws TokenError otherwise (malformed, or an unknown iss). With
   * one issuer there is nothing to choose: jose's jwtVerify checks `iss` itself, and the payload is not
   * decoded twice (jose's decoder is a fifth of a verification on Node 20: bench/).
   */
  select(token: string): TrustedIssuer {
    if (this.all.length === 1) return this.all[0]!;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch (e) {
      throw fromJose(e, token);
    }
    const found = typeof iss === 'string' ? this.byIss.get(iss) : undefined;
    if (!found) throw new TokenError('ISSUER_MISMATCH', 'iss is not a configured issuer', { tokenIss: iss });
    return found;
  }

  /** Starts every issuer's key fetch, for use during init. */
  prefetch(): void {
    for (const i of this.all) i.keyStore.prefetch();
  }
}
