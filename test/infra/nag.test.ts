import { Validations } from 'aws-cdk-lib';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { formatFindings, nagFindings } from '../../infra/nag';
import { BASE_CONTEXT, synth } from './synth';

describe('cdk-nag AwsSolutions', () => {
  test('the stack has no unacknowledged errors or warnings', () => {
    const { stack } = synth();
    expect(formatFindings(nagFindings(stack))).toEqual([]);
  });

  test('with monitoring on (-c monitoring=true: alarms and a dashboard) there are no findings either', () => {
    const { stack, template } = synth({ ...BASE_CONTEXT, monitoring: 'true' });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(7);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(formatFindings(nagFindings(stack))).toEqual([]);
  });

  test('with proofs of possession on (-c senderConstraint=allowed: the replay table and its grant) there are no findings either', () => {
    const { stack, template } = synth({ ...BASE_CONTEXT, senderConstraint: 'allowed' });
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(formatFindings(nagFindings(stack))).toEqual([]);
  });

  test('every acknowledgement gives a reason', () => {
    const { stack } = synth();
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.map(([id]) => id.replace(/^annotation::/i, '')).sort()).toEqual([
      'AwsSolutions-APIG2',
      'AwsSolutions-APIG3',
      'AwsSolutions-APIG6',
      'AwsSolutions-COG4',
    ]);
    for (const [, reason] of acks) expect(reason.length).toBeGreaterThan(60);
  });

  test('the check is live: a managed policy added to the stack is reported', () => {
    const { stack } = synth();
    new Role(stack, 'Extra', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    const lines = formatFindings(nagFindings(stack));
    expect(lines).toEqual([expect.stringMatching(/^\[error\] AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\] at OidcApi\/Extra\/Resource: /)]);
  });
});
