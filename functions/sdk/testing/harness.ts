/**
 * Runs a manifest consumer's handler in this process, as the platform would run it, with no broker and no
 * AWS: the handler module is imported with the consumer's environment contract (lib/core/function-env.ts,
 * computed from the manifest exactly as `stratus dev` computes it), its outputs and dead letters go to a
 * recorder instead of Kafka, and idempotency records to an in-memory Powertools persistence layer.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildMskEvent,
  encodeMskRecord,
  type MskEvent,
  type MskRecord,
} from '../../../lib/core/msk-event.ts';
import { localClusterArn } from '../../../lib/core/naming.ts';
import { lambdaContext } from '../../../lib/local/function-host/context.ts';
import { localFunctionEnvironment } from '../../../lib/local/function-host/environment.ts';
import { loadStratus, ManifestValidationError } from '../../../lib/manifest/index.ts';
import type { ConsumerSpec, TenantSpec } from '../../../lib/manifest/spec.ts';
import { installSdkBindings } from '../bindings.ts';
import type { StratusHandler } from '../define.ts';
import { captureLines } from './captured-lines.ts';
import { InMemoryPersistenceLayer } from './in-memory-persistence.ts';
import { type InvocationResult, invocationResult } from './invocation-result.ts';
import { type RecordingPublisher, recordingPublisher } from './recording-publisher.ts';

/** Where the harness says the function's brokers are: nothing listens there, and nothing connects to it. */
const NO_BROKER = 'stratus-testing-kit:9092';

export interface LoadConsumerOptions {
  tenant: string;
  /** The consumer's key in the manifest. */
  consumer: string;
  /**
   * Project root (manifests, schemas, handlers).
   * @default process.cwd()
   */
  rootDir?: string;
  /**
   * Platform config file, relative to `rootDir`.
   * @default 'stratus.config.yaml'
   */
  configFile?: string;
  /**
   * A handler module to load instead of the manifest's, e.g. a variant under test.
   * @default the consumer's `handler:`
   */
  handlerFile?: string;
  /**
   * Powertools log level.
   * @default the platform config's functions.logLevel
   */
  logLevel?: string;
}

export interface RecordOptions {
  /** UTF-8 key. @default no key */
  key?: string | null;
  headers?: Record<string, string>;
  /** @default 0 */
  partition?: number;
  /** @default the next offset of the partition in this harness */
  offset?: number;
  /** Milliseconds since the epoch. @default now */
  timestamp?: number;
}

/** A record with a key, headers or coordinates of its own; plain values in `run()` get the defaults. */
export class TestRecord {
  constructor(
    readonly value: unknown,
    readonly options: RecordOptions = {},
  ) {}
}

/**
 * A record of the consumer's source topic. `value` is JSON-encoded; a Buffer is sent as those bytes (use it for
 * invalid JSON); `null` is a tombstone.
 */
export function record(value: unknown, options: RecordOptions = {}): TestRecord {
  return new TestRecord(value, options);
}

export interface ConsumerHarness {
  readonly tenant: TenantSpec;
  readonly consumer: ConsumerSpec;
  /** The environment the handler was loaded with (the manifest's contract). */
  readonly env: Readonly<Record<string, string>>;
  /** Outputs and dead letters land here; `failNext(error)` makes the next produce fail. */
  readonly publisher: RecordingPublisher;
  /** Idempotency records, kept across `run`s of this harness like a table. */
  readonly idempotencyStore: InMemoryPersistenceLayer;
  /** The exact MSK event `run(records)` would deliver (offsets are taken). */
  event(records: readonly unknown[]): MskEvent;
  /** One invocation with these records (values or `record(...)`s), in one batch. */
  run(records: readonly unknown[]): Promise<InvocationResult>;
  /** One invocation with an event as given. */
  invoke(event: MskEvent): Promise<InvocationResult>;
  close(): Promise<void>;
}

// process.env and the standard streams are process-wide: loads and runs take turns.
let turn: Promise<unknown> = Promise.resolve();
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const next = turn.then(work, work);
  turn = next.catch(() => {});
  return next;
}

async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

let loads = 0;

/** Loads a manifest consumer's handler for tests. Throws the manifest's validation errors, if any. */
export async function loadConsumer(options: LoadConsumerOptions): Promise<ConsumerHarness> {
  const rootDir = path.resolve(options.rootDir ?? process.cwd());
  const { spec, errors } = loadStratus({ rootDir, configFile: options.configFile, only: [options.tenant] });
  const tenant = spec.tenants.find((t) => t.name === options.tenant);
  // Another team's broken manifest is not this test's business; this tenant's and the platform's problems are.
  const tenantsDir = `${spec.platform.tenantsDir}/`;
  const own = errors.filter((e) => e.file === tenant?.file || !e.file.startsWith(tenantsDir));
  if (own.length > 0) throw new ManifestValidationError(own);
  if (!tenant)
    throw new Error(
      `no tenant "${options.tenant}" in ${spec.platform.tenantsDir}/; tenants: ${spec.tenants.map((t) => t.name).join(', ')}`,
    );
  const consumer = tenant.consumers.find((c) => c.key === options.consumer);
  if (!consumer)
    throw new Error(
      `tenant ${tenant.name} has no consumer "${options.consumer}"; consumers: ${tenant.consumers.map((c) => c.key).join(', ')}`,
    );
  const env = localFunctionEnvironment({
    platform: spec.platform,
    tenant,
    consumer,
    brokers: [NO_BROKER],
    logLevel: options.logLevel,
  });
  const publisher = recordingPublisher();
  const idempotencyStore = new InMemoryPersistenceLayer();
  const handlerFile = path.resolve(rootDir, options.handlerFile ?? consumer.handlerFile);

  // A fresh module instance per harness (the query makes a new module URL), so each gets its own bindings.
  const handler = await exclusive(() =>
    withEnv(env, async () => {
      installSdkBindings({ publisher, persistenceStore: idempotencyStore });
      try {
        const module = (await import(`${pathToFileURL(handlerFile).href}?stratus-testing=${++loads}`)) as {
          handler?: StratusHandler;
        };
        if (typeof module.handler !== 'function')
          throw new Error(`${handlerFile} does not export a function "handler"`);
        return module.handler;
      } finally {
        installSdkBindings(undefined);
      }
    }),
  );

  const identity = {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME!,
    memoryMb: consumer.memoryMb,
    timeoutMs: consumer.timeoutMs,
    region: spec.platform.region,
  };
  const nextOffset = new Map<number, number>();
  const toMskRecord = (item: unknown): MskRecord => {
    const { value, options: o } = item instanceof TestRecord ? item : new TestRecord(item);
    const partition = o.partition ?? 0;
    const offset = o.offset ?? nextOffset.get(partition) ?? 0;
    nextOffset.set(partition, Math.max(offset + 1, nextOffset.get(partition) ?? 0));
    return encodeMskRecord({
      topic: consumer.topic,
      partition,
      offset,
      value,
      key: o.key,
      headers: o.headers,
      timestamp: o.timestamp,
    });
  };
  const event = (records: readonly unknown[]) =>
    buildMskEvent(
      records.map(toMskRecord),
      localClusterArn(spec.platform.region, spec.platform.cluster.name),
      NO_BROKER,
    );

  const invoke = (mskEvent: MskEvent) =>
    exclusive(() =>
      withEnv(env, async () => {
        const { result, lines } = await captureLines(async () => {
          try {
            const context = lambdaContext(identity, Date.now() + consumer.timeoutMs);
            return { ok: true as const, response: await handler(mskEvent, context as never) };
          } catch (error) {
            const e = error as Error;
            return { ok: false as const, error: { class: e.name, message: e.message, stack: e.stack } };
          }
        });
        return invocationResult({
          ...result,
          published: publisher.take(),
          lines,
          dlqTopic: consumer.onFailureTopic,
        });
      }),
    );

  return {
    tenant,
    consumer,
    env,
    publisher,
    idempotencyStore,
    event,
    invoke,
    run: (records) => invoke(event(records)),
    close: () => handler.stratus.close(),
  };
}
