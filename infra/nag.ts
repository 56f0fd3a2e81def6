// cdk-nag's AwsSolutions pack, run directly over a construct tree. cdk-nag 3 plugs into CDK's validation
// framework, but registering it as an aspect is broken in this version, so app.ts and the tests call this.
import type { PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Findings not acknowledged with Validations.of(construct).acknowledge({ id, reason }). */
export function nagFindings(scope: IConstruct): PolicyViolation[] {
  return new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope).violations;
}

/** One line per finding and resource, e.g. `[error] AwsSolutions-IAM4 at Stack/Fn/Role/Resource: …`. */
export function formatFindings(findings: readonly PolicyViolation[]): string[] {
  return findings.flatMap((f) =>
    f.violatingResources.map((r) => `[${f.severity ?? 'error'}] ${f.ruleName} at ${r.constructPath ?? r.resourceLogicalId}: ${f.description}`),
  );
}
