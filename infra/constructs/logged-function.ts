// One Lambda function as every function here runs: Node.js 24 on arm64, JSON logs into its own log group,
// and a role that can write to that log group and nothing else.
import { Duration } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, Function as LambdaFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface LoggedFunctionProps {
  readonly code: Code;
  /** `file.export`. @default 'index.handler' */
  readonly handler?: string;
  readonly description: string;
  /** @default - only NODE_OPTIONS */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default Duration.seconds(3) */
  readonly timeout?: Duration;
  /** @default 256 (MiB) */
  readonly memorySize?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Map stack traces to the TypeScript sources at run time (NODE_OPTIONS=--enable-source-maps). The .map file is
   * shipped either way, so a minified trace can still be decoded offline.
   * @default true
   */
  readonly runtimeSourceMaps?: boolean;
}

export class LoggedFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: LoggedFunctionProps) {
    super(scope, id);
    const memorySize = props.memorySize ?? 256;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`${this.node.path}: memorySize must be a whole number of MiB from 128 to 10240, got ${memorySize}`);
    }

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });

    // An inline policy scoped to this function's own log group, rather than AWSLambdaBasicExecutionRole,
    // which lets the function write to every log group in the account (cdk-nag IAM4).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}; may write only to its own log group`,
      inlinePolicies: {
        WriteOwnLogs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });

    this.function = new LambdaFunction(this, 'Function', {
      code: props.code,
      handler: props.handler ?? 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout: props.timeout ?? Duration.seconds(3),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...props.environment, ...(props.runtimeSourceMaps === false ? {} : { NODE_OPTIONS: '--enable-source-maps' }) },
    });
  }
}
