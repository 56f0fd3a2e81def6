// The request path of the deployed API, in-process: an HTTP-ish request becomes the REQUEST authorizer
// event API Gateway would send, the authorizer's answer becomes the status API Gateway would give
// (`Unauthorized` → 401, any other failure → 503 as the stack maps it, a policy not covering the method →
// 403), and only an allowed request reaches the downstream stub, which counts its invocations.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { AuthorizerHandler } from '../../lambda/authorizer/handler';
import { authorizerEvent } from './events';

export interface HarnessRequest {
  readonly method?: string;
  /** API resource path, e.g. `/profile`. */
  readonly path: string;
  /** Every Authorization header value sent, in order; none when null or empty. */
  readonly authorization?: string | readonly string[] | null;
}

export interface HarnessAnswer {
  readonly status: number;
  /** The authorizer context the downstream Lambda received, when it was reached. */
  readonly context?: Record<string, unknown>;
  readonly principalId?: string;
}

/** `*` matches any run of characters, as IAM does for execute-api resources. */
function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

function decide(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  let allowed = false;
  for (const s of result.policyDocument.Statement as { Effect: string; Resource?: string | string[] }[]) {
    const resources = typeof s.Resource === 'string' ? [s.Resource] : (s.Resource ?? []);
    if (!resources.some((r) => wildcard(r, methodArn))) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

export class GatewayHarness {
  /** Downstream invocations by route, e.g. `GET /profile`. */
  readonly downstream = new Map<string, number>();
  /** Authorizer invocations. */
  authorizerCalls = 0;

  constructor(private readonly authorizer: AuthorizerHandler) {}

  get downstreamCalls(): number {
    let n = 0;
    for (const v of this.downstream.values()) n += v;
    return n;
  }

  async request(r: HarnessRequest): Promise<HarnessAnswer> {
    const method = r.method ?? 'GET';
    const values = r.authorization === undefined || r.authorization === null ? [] : typeof r.authorization === 'string' ? [r.authorization] : [...r.authorization];
    const event = authorizerEvent({ method, resource: r.path, authorization: values.length === 0 ? null : values.length === 1 ? values[0]! : values });
    this.authorizerCalls++;
    let result: APIGatewayAuthorizerResult;
    try {
      result = await this.authorizer(event, { awsRequestId: `harness-${this.authorizerCalls}` });
    } catch (e) {
      return { status: (e as Error).message === 'Unauthorized' ? 401 : 503 };
    }
    if (!decide(result, event.methodArn)) return { status: 403, principalId: result.principalId };
    const route = `${method} ${r.path}`;
    this.downstream.set(route, (this.downstream.get(route) ?? 0) + 1);
    return { status: 200, principalId: result.principalId, ...(result.context ? { context: { ...result.context } } : {}) };
  }
}
