/**
 * The middy form: for teams that compose their own middy stack (secrets, feature flags, ...). Use it last:
 * it processes the whole batch in `before` and returns the batch response, so middy skips its handler and the
 * `after` stack (middy's early-response pattern).
 *
 * ```ts
 * export const handler = middy()
 *   .use(secretsManager({ ... }))
 *   .use(stratusProcessor<Order, EnrichedOrder>({ handler: enrich }));
 * ```
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { MskBatchResponse, MskEvent } from '../../lib/core/msk-event.ts';
import { createStratusRuntime, type StratusHandlerOptions, type StratusRuntime } from './runtime.ts';
import type { ConsumerRecordHandler, ProcessorRecordHandler } from './types.ts';

export interface ConsumerOptions<T> extends StratusHandlerOptions {
  /** Runs once per valid record (at most once per idempotency key); throw to have the record retried. */
  handler: ConsumerRecordHandler<T>;
}

export interface ProcessorOptions<T, O> extends StratusHandlerOptions {
  /** Runs once per valid record; returns the output record(s) for the manifest's output topic, or nothing. */
  handler: ProcessorRecordHandler<T, O>;
  /** The output topic's side. */
  output?: {
    /**
     * Outputs are validated before they are produced; a violation fails the record (a bug, retried). The
     * manifest's schema of the output topic is used by itself; one given here must be the same document.
     * @default the output topic's schema from the manifest, or no validation when it has none
     */
    schema?: Record<string, unknown>;
  };
}

export type StratusMiddleware = MiddlewareObj<MskEvent, MskBatchResponse, Error, Context> & {
  /** The container's runtime: settings, logger, metrics, `close()`. */
  readonly runtime: StratusRuntime;
};

function middlewareOf(runtime: StratusRuntime): StratusMiddleware {
  return {
    name: 'stratus',
    runtime,
    before: (request) => runtime.processBatch(request.event, request.context),
  };
}

/** A middy middleware that runs a consumer over the MSK batch. Reads the environment at creation (cold start). */
export function stratusConsumer<T>(options: ConsumerOptions<T>): StratusMiddleware {
  return middlewareOf(
    createStratusRuntime('consumer', {
      ...options,
      handler: options.handler as ConsumerRecordHandler<unknown>,
    }),
  );
}

/** A middy middleware that runs a processor over the MSK batch. Reads the environment at creation (cold start). */
export function stratusProcessor<T, O>(options: ProcessorOptions<T, O>): StratusMiddleware {
  return middlewareOf(
    createStratusRuntime('processor', {
      ...options,
      handler: options.handler as ProcessorRecordHandler<unknown, unknown>,
      outputSchema: options.output?.schema,
    }),
  );
}
