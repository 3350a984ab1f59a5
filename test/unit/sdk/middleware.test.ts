import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { stratusConsumer } from '../../../functions/sdk/index.ts';
import type { MskBatchResponse, MskEvent } from '../../../lib/core/msk-event.ts';
import { functionEnv } from './env.ts';
import { captureOutput, lambdaContext, mskEvent } from './msk-fixtures.ts';

describe('the middy middleware form', () => {
  it("runs after the team's own middlewares, which can prepare what the handler uses", async () => {
    const seen: Array<[number, string]> = [];
    const handler = middy<MskEvent, MskBatchResponse, Error, Context & { apiKey?: string }>()
      .use({
        before: (request) => {
          request.context.apiKey = 'from-secrets-manager';
        },
      })
      .use(
        stratusConsumer<{ n: number }>({
          env: functionEnv(),
          handler: (record, { lambdaContext }) => {
            seen.push([record.value.n, (lambdaContext as Context & { apiKey?: string }).apiKey ?? 'missing']);
            if (record.value.n === 2) throw new Error('fails');
          },
        }),
      );
    const event = mskEvent([
      { topic: 'shop.orders', partition: 0, offset: 1, value: { n: 1 } },
      { topic: 'shop.orders', partition: 0, offset: 2, value: { n: 2 } },
    ]);
    const { result } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'shop.orders-0', offset: 2 } }],
    });
    expect(seen).toEqual([
      [1, 'from-secrets-manager'],
      [2, 'from-secrets-manager'],
    ]);
  });
});
