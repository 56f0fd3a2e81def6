// Resolves the CloudFormation intrinsics a synthesized template uses in values the emulator needs
// (Lambda environment variables, mostly): pseudo parameters, Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
// Fn::Select and Fn::Split. What only a deployment knows (another resource's real name or attribute)
// is resolved to a recognisable stand-in when the resolver can name one, and refused otherwise.
import { LocalError } from '../errors';

export interface IntrinsicScope {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** Value of `Ref <logicalId>` (parameters included), or undefined when unknown. */
  ref(logicalId: string): string | undefined;
  /** Value of `Fn::GetAtt [logicalId, attribute]`, or undefined when unknown. */
  getAtt(logicalId: string, attribute: string): string | undefined;
}

const PSEUDO: Record<string, (s: IntrinsicScope) => string> = {
  'AWS::Region': (s) => s.region,
  'AWS::AccountId': (s) => s.accountId,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (s) => s.stackName,
  'AWS::StackId': (s) => `arn:aws:cloudformation:${s.region}:${s.accountId}:stack/${s.stackName}/local`,
  'AWS::NoValue': () => '',
};

const unresolved = (what: string) => new LocalError('INTRINSIC_UNRESOLVED', `${what} cannot be resolved outside a deployment`);

function ref(name: string, scope: IntrinsicScope): string {
  const pseudo = PSEUDO[name];
  if (pseudo) return pseudo(scope);
  const value = scope.ref(name);
  if (value === undefined) throw unresolved(`Ref ${name}`);
  return value;
}

function getAtt(spec: unknown, scope: IntrinsicScope): string {
  const [id, attribute] = typeof spec === 'string' ? spec.split('.', 2) : (spec as [unknown, unknown]);
  if (typeof id !== 'string' || typeof attribute !== 'string') throw unresolved(`Fn::GetAtt ${JSON.stringify(spec)}`);
  const value = scope.getAtt(id, attribute);
  if (value === undefined) throw unresolved(`Fn::GetAtt ${id}.${attribute}`);
  return value;
}

function sub(spec: unknown, scope: IntrinsicScope): string {
  const [text, vars] = typeof spec === 'string' ? [spec, {}] : (spec as [string, Record<string, unknown>]);
  return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_whole, literal: string, name: string) => {
    if (literal) return `\${${name}}`;
    if (Object.hasOwn(vars, name)) return resolveString(vars[name], scope);
    return name.includes('.') ? getAtt(name, scope) : ref(name, scope);
  });
}

/** The value of `value` with every intrinsic resolved; arrays and objects are resolved member by member. */
export function resolveValue(value: unknown, scope: IntrinsicScope): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, scope));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref':
        return ref(String(arg), scope);
      case 'Fn::GetAtt':
        return getAtt(arg, scope);
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveValue(parts, scope) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Sub':
        return sub(arg, scope);
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = resolveValue(list, scope) as unknown[];
        return items[Number(resolveValue(index, scope))];
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return resolveString(text, scope).split(separator);
      }
      default:
        if (key.startsWith('Fn::')) throw unresolved(key);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, scope)]));
}

/** Like resolveValue, for a value that must come out as a string (numbers and booleans are stringified). */
export function resolveString(value: unknown, scope: IntrinsicScope): string {
  const resolved = resolveValue(value, scope);
  if (typeof resolved === 'string' || typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  throw unresolved(`a value of ${JSON.stringify(value)}`);
}
