/**
 * The Lambda `context` object a handler receives
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html): names, ARN, request id, memory,
 * log group/stream and getRemainingTimeInMillis() against the configured timeout.
 */
import { randomUUID } from 'node:crypto';

export interface FunctionIdentity {
  /** `stratus-<tenant>-<consumer>` (consumerFunctionName). */
  functionName: string;
  memoryMb: number;
  timeoutMs: number;
  region: string;
  /** @default '000000000000' */
  accountId?: string;
}

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  done(): void;
  fail(): void;
  succeed(): void;
}

export function lambdaContext(
  identity: FunctionIdentity,
  deadline: number,
  awsRequestId: string = randomUUID(),
): LambdaContext {
  const account = identity.accountId ?? '000000000000';
  const unsupported = () => {
    throw new Error('context.done/fail/succeed are not supported: return a value or a promise');
  };
  return {
    functionName: identity.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${identity.region}:${account}:function:${identity.functionName}`,
    memoryLimitInMB: String(identity.memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${identity.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
