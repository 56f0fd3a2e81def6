// Checks what a Lambda authorizer returned against what API Gateway accepts: a principalId, a policy
// document with statements, and a flat context whose values are strings, numbers or booleans.
// Anything else makes API Gateway answer 500 (AuthorizerConfigurationException), which the stack maps.

export type StatementEffect = 'Allow' | 'Deny';

export interface PolicyStatement {
  readonly Effect: StatementEffect;
  readonly Action?: readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource?: readonly string[];
  readonly NotResource?: readonly string[];
  readonly Condition?: unknown;
}

export interface AuthorizerAnswer {
  readonly principalId: string;
  readonly statements: readonly PolicyStatement[];
  readonly context: Readonly<Record<string, string | number | boolean>>;
  readonly usageIdentifierKey?: string;
}

export type AnswerProblem = 'ANSWER_NOT_OBJECT' | 'PRINCIPAL_MISSING' | 'POLICY_INVALID' | 'CONTEXT_INVALID';

export type AnswerCheck = { readonly ok: true; readonly answer: AuthorizerAnswer } | { readonly ok: false; readonly code: AnswerProblem; readonly reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or a non-empty array of strings, as IAM accepts for Action and Resource. */
function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string')) return v as string[];
  return undefined;
}

function checkStatement(s: unknown, i: number): PolicyStatement | string {
  if (!isObject(s)) return `Statement[${i}] is not an object`;
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return `Statement[${i}].Effect is ${JSON.stringify(s.Effect)}, not "Allow" or "Deny"`;
  const out: Record<string, unknown> = { Effect: s.Effect };
  for (const [a, b] of [['Action', 'NotAction'], ['Resource', 'NotResource']] as const) {
    if ((s[a] === undefined) === (s[b] === undefined)) return `Statement[${i}] needs exactly one of ${a} and ${b}`;
    const key = s[a] !== undefined ? a : b;
    const list = stringList(s[key]);
    if (!list) return `Statement[${i}].${key} is not a string or a non-empty array of strings`;
    out[key] = list;
  }
  if (s.Condition !== undefined) out.Condition = s.Condition;
  return out as unknown as PolicyStatement;
}

export function checkAuthorizerAnswer(value: unknown): AnswerCheck {
  if (!isObject(value)) return { ok: false, code: 'ANSWER_NOT_OBJECT', reason: `the authorizer returned ${value === null ? 'null' : typeof value}, not an object` };
  if (typeof value.principalId !== 'string') return { ok: false, code: 'PRINCIPAL_MISSING', reason: 'the answer has no string principalId' };
  const doc = value.policyDocument;
  if (!isObject(doc)) return { ok: false, code: 'POLICY_INVALID', reason: 'the answer has no policyDocument object' };
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  if (raw.length === 0) return { ok: false, code: 'POLICY_INVALID', reason: 'the policy document has no Statement' };
  const statements: PolicyStatement[] = [];
  for (const [i, s] of raw.entries()) {
    const checked = checkStatement(s, i);
    if (typeof checked === 'string') return { ok: false, code: 'POLICY_INVALID', reason: checked };
    statements.push(checked);
  }
  const context = value.context ?? {};
  if (!isObject(context)) return { ok: false, code: 'CONTEXT_INVALID', reason: 'context is not an object' };
  for (const [k, v] of Object.entries(context)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      const what = Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
      return { ok: false, code: 'CONTEXT_INVALID', reason: `context.${k} is ${what}; only strings, numbers and booleans are allowed` };
    }
  }
  if (value.usageIdentifierKey !== undefined && typeof value.usageIdentifierKey !== 'string') {
    return { ok: false, code: 'CONTEXT_INVALID', reason: 'usageIdentifierKey is not a string' };
  }
  return {
    ok: true,
    answer: {
      principalId: value.principalId,
      statements,
      context: context as Record<string, string | number | boolean>,
      ...(typeof value.usageIdentifierKey === 'string' ? { usageIdentifierKey: value.usageIdentifierKey } : {}),
    },
  };
}
