/**
 * The AWS APIs for local runs: the endpoint in AWS_ENDPOINT_URL when set (LocalStack, ministack, real AWS),
 * otherwise Stratus's own emulator, whose state survives crashes and restarts:
 *
 * - S3 in s3proxy: objects are files under `<dataDir>/s3/<bucket>/<key>`;
 * - DynamoDB in dynalite: tables in LevelDB under `<dataDir>/dynamodb/`; except the items of the idempotency
 *   table (`memoryTables`), which the gateway holds in memory and logs, synced before each answer, to
 *   `<dataDir>/dynamodb-tables/<table>.jsonl` (replayed and compacted at start; items an older Stratus left in
 *   dynalite are moved there once). The table itself stays defined (empty) in dynalite, for DescribeTable & co.;
 * - Glue (and SQS, CloudWatch…) in moto, with every acknowledged Glue write journaled in
 *   `<dataDir>/glue-journal.jsonl` and replayed into each new moto;
 * - one endpoint in front of them all (the gateway, on `port`), so clients need one AWS_ENDPOINT_URL.
 *
 * Why the idempotency table is not in dynalite: each of its items costs dynalite ~190 µs (validation, LevelDB)
 * plus a second HTTP hop, which made idempotency the pipeline's bottleneck (docs/local-runtime.md).
 *
 * Each store is a supervised child: one that dies is restarted (its requests wait meanwhile).
 * How the choice was made (latency, recovery time, measured here): docs/local-runtime.md#state-that-survives.
 */
import path from 'node:path';
import { LOCAL_IDEMPOTENCY_TABLE } from '../core/naming.ts';
import { DurableTable } from './aws-stores/durable-table.ts';
import { dynaliteCall, startDynamoDbStore } from './aws-stores/dynalite.ts';
import { AwsGateway, type StoreName } from './aws-stores/gateway.ts';
import { GlueJournal } from './aws-stores/glue-journal.ts';
import { startMoto } from './aws-stores/moto.ts';
import { startS3Store } from './aws-stores/s3proxy.ts';
import type { StoreProcess } from './aws-stores/server-process.ts';
import { type Availability, Supervisor } from './supervisor.ts';

export interface AwsEmulatorOptions {
  /** Port of the endpoint on 127.0.0.1. */
  port: number;
  /** Where the stores keep their data (created). */
  dataDir: string;
  /** Directory for the stores' log files. */
  logDir: string;
  /** Start-up progress (installs, downloads). */
  onProgress?: (line: string) => void;
  /**
   * Supervision lines (a store died, restarted).
   * @default onProgress
   */
  log?: (line: string) => void;
  /** Told when a store is down and up again. */
  availability?: Availability;
  /**
   * Runs when a restarted store serves again through the endpoint, before `availability` is told it is up
   * (the runtime releases the idempotency locks of invocations that ended during the outage). A failure is
   * logged, not fatal.
   */
  afterRestart?: (store: StoreName) => Promise<void>;
  /**
   * DynamoDB tables (single hash key) whose items the gateway holds in memory, logged under
   * `<dataDir>/dynamodb-tables/`, instead of dynalite.
   * @default [LOCAL_IDEMPOTENCY_TABLE]
   */
  memoryTables?: string[];
  /**
   * Start S3 (s3proxy, a JVM) and moto (Python) only once this settles, and resolve as soon as the gateway and
   * the DynamoDB store serve: requests for the two wait in the gateway meanwhile, as during a restart, and
   * `allStoresServing` says when they serve. The local runtime passes its broker's start: the broker and the
   * consumers need DynamoDB only, and the two slow starters would otherwise take the CPU the broker's start needs
   * on the way to the first record (on two cores, the broker is ready about a second sooner).
   * @default every store starts at once, and the emulator resolves once all serve
   */
  slowStoresAfter?: Promise<unknown>;
  /**
   * Abandons the stores' first starts (Ctrl-C during start-up): the emulator stops what it started and its start
   * (or `allStoresServing`) rejects. Not looked at after that: stop with `stop()`.
   */
  signal?: AbortSignal;
}

export interface AwsEmulator {
  /** What every AWS client is pointed at, e.g. http://127.0.0.1:5055. */
  endpoint: string;
  /** True when Stratus started the emulator (and so stops it). */
  embedded: boolean;
  /** The stores' processes now (a store being restarted is missing); chaos tests kill them. */
  stores(): Partial<Record<StoreName, StoreProcess>>;
  /** Restarts so far, per store. */
  restarts(): Record<StoreName, number>;
  /** Answers 200 when every store serves, 503 otherwise (readiness). */
  healthUrl?: string;
  /**
   * Resolves once every store has served (at once unless `slowStoresAfter`); rejects if one could not start, and
   * the emulator is then stopped.
   */
  allStoresServing: Promise<void>;
  stop(): Promise<void>;
}

const STORE_LABELS: Record<StoreName, string> = {
  s3: 'S3 store (s3proxy)',
  dynamodb: 'DynamoDB store (dynalite)',
  moto: 'AWS emulator (moto: Glue and the rest)',
};

export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<AwsEmulator> {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external)
    return {
      endpoint: external,
      embedded: false,
      stores: () => ({}),
      restarts: () => ({ s3: 0, dynamodb: 0, moto: 0 }),
      allStoresServing: Promise.resolve(),
      stop: async () => {},
    };

  const journal = new GlueJournal(path.join(options.dataDir, 'glue-journal.jsonl'));
  const say = options.onProgress ?? (() => {});
  const log = options.log ?? say;
  const memoryTables = (options.memoryTables ?? [LOCAL_IDEMPOTENCY_TABLE]).map(
    (name) =>
      new DurableTable({
        name,
        file: path.join(options.dataDir, 'dynamodb-tables', `${name}.jsonl`),
        log: say,
      }),
  );
  const gateway = await AwsGateway.start({ port: options.port, glueJournal: journal, memoryTables }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new Error(
        `port ${options.port} is already in use; change local.awsPort in stratus.config.yaml, or set AWS_ENDPOINT_URL to use a running emulator`,
      );
    },
  );
  say(`starting the AWS emulator on ${gateway.url} (S3: s3proxy, DynamoDB: dynalite, Glue: moto) …`);

  const starters: Record<StoreName, (signal: AbortSignal) => Promise<StoreProcess>> = {
    s3: (signal) =>
      startS3Store({
        dataDir: path.join(options.dataDir, 's3'),
        logFile: path.join(options.logDir, 's3proxy.log'),
        onProgress: say,
        signal,
      }),
    dynamodb: async (signal) => {
      const store = await startDynamoDbStore({
        dataDir: path.join(options.dataDir, 'dynamodb'),
        logFile: path.join(options.logDir, 'dynalite.log'),
        signal,
      });
      try {
        // Once, on the first start (a restart finds them open): their key schemas and old items are in dynalite.
        for (const table of memoryTables) await table.open(dynaliteCall(store.url));
      } catch (error) {
        await store.stop();
        throw error;
      }
      return store;
    },
    moto: async (signal) => {
      const moto = await startMoto({
        logFile: path.join(options.logDir, 'moto.log'),
        onProgress: say,
        signal,
      });
      try {
        await replayGlue(journal, moto.url);
      } catch (error) {
        await moto.stop();
        throw error;
      }
      return moto;
    },
  };

  const supervisors = new Map<StoreName, Supervisor<StoreProcess>>();
  // Aborts the first starts still under way when the emulator is stopped (Ctrl-C during start-up).
  const firstStarts = new AbortController();
  const abandon = () => firstStarts.abort();
  if (options.signal?.aborted) abandon();
  options.signal?.addEventListener('abort', abandon, { once: true });
  const names = Object.keys(starters) as StoreName[];
  const startStore = async (store: StoreName) => {
    const label = STORE_LABELS[store];
    const supervisor = await Supervisor.start({
      name: label,
      start: starters[store],
      log,
      signal: firstStarts.signal,
      // The store of a run that was just killed may still hold its directory's lock for a moment.
      firstStartAttempts: 4,
      onDown: () => {
        gateway.storeDown(store);
        options.availability?.markDown(label);
      },
      onRestarted: async (process) => {
        gateway.storeUp(store, process.url);
        await options.afterRestart?.(store).catch((error: Error) => log(`${label}: ${error.message}`));
        options.availability?.markUp(label);
      },
    });
    supervisors.set(store, supervisor);
    gateway.storeUp(store, supervisor.current!.url);
  };
  // A store whose first start is under way counts as down: not ready.
  gateway.healthCheck = () =>
    names.filter((store) => !supervisors.get(store)?.current).map((store) => STORE_LABELS[store]);
  const slowStoresAfter = options.slowStoresAfter;
  const first: StoreName[] = slowStoresAfter ? ['dynamodb'] : names;
  const starting = new Map(
    names.map((store) => {
      const start = first.includes(store)
        ? startStore(store)
        : deferred(slowStoresAfter!, firstStarts.signal, () => startStore(store));
      return [store, start] as const;
    }),
  );
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      firstStarts.abort();
      await Promise.allSettled(starting.values());
      await Promise.all([...supervisors.values()].map((supervisor) => supervisor.stop()));
      await gateway.stop();
    })();
    return stopping;
  };
  /** Resolves once `stores` serve; the first start failure stops the emulator and is thrown. */
  const untilServing = async (stores: StoreName[]) => {
    const results = await Promise.allSettled(stores.map((store) => starting.get(store)!));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      await stopAll();
      throw failed.reason;
    }
  };
  await untilServing(first).catch((error: unknown) => {
    options.signal?.removeEventListener('abort', abandon);
    throw error;
  });
  const allStoresServing = untilServing(names).finally(() =>
    options.signal?.removeEventListener('abort', abandon),
  );
  // Nobody may ask before a stop: its failure is also `stop()`'s business, not an unhandled rejection.
  allStoresServing.catch(() => {});
  return {
    endpoint: gateway.url,
    embedded: true,
    healthUrl: `${gateway.url}${AwsGateway.HEALTH_PATH}`,
    stores: () =>
      Object.fromEntries(
        names.flatMap((store) => {
          const current = supervisors.get(store)?.current;
          return current ? [[store, current]] : [];
        }),
      ),
    restarts: () =>
      Object.fromEntries(names.map((store) => [store, supervisors.get(store)?.restarts ?? 0])) as Record<
        StoreName,
        number
      >,
    allStoresServing,
    stop: stopAll,
  };
}

/** Runs `start` once `after` settled (either way); gives up if `signal` aborts first (stopped meanwhile). */
async function deferred<T>(
  after: Promise<unknown>,
  signal: AbortSignal,
  start: () => Promise<T>,
): Promise<T> {
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await Promise.race([after.catch(() => {}), aborted]);
  if (signal.aborted) throw new Error('start abandoned (stopping)');
  return start();
}

/** Replays the journaled Glue writes into a fresh moto, before the gateway sends it anything. */
async function replayGlue(journal: GlueJournal, motoUrl: string): Promise<void> {
  for (const write of journal.load()) {
    const response = await fetch(motoUrl, {
      method: 'POST',
      headers: { ...write.headers, 'x-amz-target': write.target },
      body: write.body,
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `replaying the Glue journal ${journal.file} failed at ${write.target} (HTTP ${response.status}): ${text.slice(0, 300)}`,
      );
  }
}
