/**
 * The request bodies of the idempotency store's batched writes, written by `JSON.stringify`.
 *
 * DynamoDB's JSON protocol sends an operation's input as its JSON body, and the store's TransactWriteItems and
 * BatchWriteItem inputs are already DynamoDB JSON of strings, numbers-as-strings and booleans. The AWS SDK v3
 * (schema serde, @smithy/core) still walks each of them member by member against the operation's schema and
 * writes the JSON a character at a time: in a profile of 50,000 idempotent records through `stratus dev` that
 * walk was the largest single cost of the execution environments, ~7.7 % of their busy time (TransactWriteItems
 * of 100 claims is ~60 KB of JSON). Here the client's own protocol still builds the request — endpoint, path,
 * `content-type`, `x-amz-target` — from an empty input, and the body is the input as JSON; signing, retries and
 * response parsing are the SDK's as before.
 *
 * Only for inputs without binary attributes (`B`, `BS`), which `JSON.stringify` would not write as base64: the
 * store's items hold an idempotency key, a status, timestamps and a boolean — never binary. A client whose SDK
 * builds requests some other way (no `config.protocol.serializeRequest`) is left as it is.
 * test/integration/sdk/dynamodb-plain-json.test.ts compares the bodies with the SDK's own.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The operations whose body this writes (TransactWriteItems' is the largest by far). */
const PLAIN_JSON_OPERATIONS: ReadonlySet<string> = new Set(['TransactWriteItems', 'BatchWriteItem']);

type SerializeRequest = (
  operation: { name?: string },
  input: unknown,
  context: unknown,
) => Promise<{ body?: unknown }>;

/** Makes `client` write its TransactWriteItems and BatchWriteItem bodies with `JSON.stringify`; see above. */
export function writeBatchesAsPlainJson(client: DynamoDBClient): void {
  // Typed by its shape: the SDK's own protocol types differ between its versions.
  const protocol = (client.config as unknown as { protocol?: { serializeRequest?: SerializeRequest } })
    .protocol;
  const serializeRequest = protocol?.serializeRequest;
  if (!protocol || typeof serializeRequest !== 'function') return;
  protocol.serializeRequest = async (operation, input, context) => {
    if (!PLAIN_JSON_OPERATIONS.has(operation?.name ?? ''))
      return serializeRequest.call(protocol, operation, input, context);
    const request = await serializeRequest.call(protocol, operation, {}, context);
    request.body = JSON.stringify(withClientRequestToken(operation.name!, input as Record<string, unknown>));
    return request;
  };
}

/**
 * TransactWriteItems' `ClientRequestToken` is an idempotency token: the SDK fills one in when the input has none,
 * so that its own retries of a transaction that went through are not applied twice. Kept so.
 */
function withClientRequestToken(operation: string, input: Record<string, unknown>): Record<string, unknown> {
  return operation === 'TransactWriteItems' && input.ClientRequestToken === undefined
    ? { ...input, ClientRequestToken: randomUUID() }
    : input;
}
