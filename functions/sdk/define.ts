/**
 * The functional form most teams use: `export const handler = defineProcessor({ handler })`.
 */
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { MskBatchResponse, MskEvent } from '../../lib/core/msk-event.ts';
import {
  type ConsumerOptions,
  type ProcessorOptions,
  stratusConsumer,
  stratusProcessor,
} from './middleware.ts';
import type { StratusRuntime } from './runtime.ts';

/** A Lambda handler for MSK events; `stratus` exposes the container's runtime (settings, `close()`). */
export type StratusHandler = MiddyfiedHandler<MskEvent, MskBatchResponse, Error, Context> & {
  readonly stratus: StratusRuntime;
};

/** A Lambda handler that runs `handler` for every valid record and returns the partial batch response. */
export function defineConsumer<T>(options: ConsumerOptions<T>): StratusHandler {
  const middleware = stratusConsumer(options);
  return Object.assign(middy<MskEvent, MskBatchResponse, Error, Context>().use(middleware), {
    stratus: middleware.runtime,
  });
}

/** A Lambda handler that runs `handler` for every valid record and produces what it returns to the output topic. */
export function defineProcessor<T, O>(options: ProcessorOptions<T, O>): StratusHandler {
  const middleware = stratusProcessor(options);
  return Object.assign(middy<MskEvent, MskBatchResponse, Error, Context>().use(middleware), {
    stratus: middleware.runtime,
  });
}
