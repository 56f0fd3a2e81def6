// What the minimal authorizers share: the bearer token from the event and a one-statement Allow policy.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';

export function bearer(event: APIGatewayRequestAuthorizerEvent): string {
  const value = event.headers?.Authorization ?? event.headers?.authorization ?? '';
  if (!value.startsWith('Bearer ')) throw new Error('Unauthorized');
  return value.slice(7);
}

export function allow(sub: unknown, methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId: String(sub),
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }] },
  };
}
