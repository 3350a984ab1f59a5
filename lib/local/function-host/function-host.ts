/**
 * Runs one consumer's handler like Lambda runs a function: each execution environment is a worker_thread
 * with its own module state and its own `process.env` (process.env + the consumer's environment contract),
 * invocations in one environment never overlap, concurrent invocations (different partitions) get more
 * environments, and an invocation that exceeds the function timeout is a function error after which that
 * environment is thrown away and replaced by a fresh one on demand — as Lambda does after a timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html, "Failures during the invoke
 * phase": the runtime is reset).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FUNCTION_ENV } from '../../core/function-env.ts';
import type { MskEvent } from '../../core/msk-event.ts';
import type { InvokeResult } from '../event-source/types.ts';
import { bundleModule } from './bundle.ts';
import type { FunctionIdentity } from './context.ts';
import { heldTableTransport } from './held-table-transport.ts';
import type { InvocationCapture, InvokeReply, InvokeRequest, LoadMessage, WorkerInit } from './protocol.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BOOTSTRAP = path.join(HERE, 'bootstrap.mjs');
/** The worker's own code, bundled once per process and shared by every host. */
let workerBundle: Promise<string | undefined> | undefined;

export interface FunctionHostOptions {
  /** The handler module (TypeScript or JavaScript); relative paths resolve against `rootDir`. */
  handlerFile: string;
  /**
   * Directory relative handler paths are resolved against.
   * @default process.cwd()
   */
  rootDir?: string;
  /**
   * The exported function to call.
   * @default 'handler'
   */
  handlerName?: string;
  /** `consumerFunctionName(tenant, consumer)`. */
  functionName: string;
  /** Variables added to process.env for this function (`consumerEnvironment(...)`). */
  env: Record<string, string>;
  /** The function timeout (ConsumerSpec.timeoutMs). */
  timeoutMs: number;
  /** @default 512 */
  memoryMb?: number;
  /** @default 'local' */
  region?: string;
  /**
   * `stratus invoke`: outputs and dead letters are recorded per invocation (and produced only with
   * `produce`), what the function prints is returned instead of reaching stdout, and idempotency keys live in
   * memory.
   * @default off: the function produces to Kafka and prints to the process's stdout, as in `stratus dev`
   */
  capture?: { produce: boolean };
}

export type FunctionInvokeResult = InvokeResult & {
  durationMs: number;
  awsRequestId: string;
  /** Capture mode only. */
  capture?: InvocationCapture;
  /** The error's stack, when the handler threw. */
  stack?: string;
};

interface Environment {
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
  dead: boolean;
  pending?: { id: number; resolve: (reply: InvokeReply) => void };
}

export class FunctionHost {
  private readonly idle: Environment[] = [];
  /** Spawned ahead of use by `prewarm`, maybe still initialising; taken before spawning another. */
  private readonly warming: Environment[] = [];
  private readonly all = new Set<Environment>();
  private nextId = 1;
  private closed = false;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly init: WorkerInit;
  /** What new workers load: built once per host (a hot reload makes a new host, so a new bundle). */
  private modules: Promise<LoadMessage['load']> | undefined;

  constructor(private readonly options: FunctionHostOptions) {
    const identity: FunctionIdentity = {
      functionName: options.functionName,
      memoryMb: options.memoryMb ?? 512,
      timeoutMs: options.timeoutMs,
      region: options.region ?? 'local',
    };
    this.init = {
      handlerFile: path.resolve(options.rootDir ?? process.cwd(), options.handlerFile),
      handlerName: options.handlerName ?? 'handler',
      identity,
      capture: options.capture,
    };
  }

  /** Execution environments alive (busy or idle). */
  get environments(): number {
    return this.all.size;
  }

  /** Invoke the handler with `event`; never throws: errors and timeouts come back as `{ ok: false }`. */
  invoke = async (event: MskEvent | unknown): Promise<FunctionInvokeResult> => {
    if (this.closed) throw new Error(`${this.options.functionName}: the function host is closed`);
    this.inFlight++;
    try {
      return await this.invokeIn(event);
    } finally {
      if (--this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  };

  /**
   * Starts an execution environment ahead of the first invocation (its init phase: the handler module's
   * import) and resolves when it is ready, so a hot reload switches to code that is already loaded.
   */
  async prewarm(): Promise<void> {
    const environment = this.spawn();
    this.warming.push(environment);
    await environment.ready;
    const index = this.warming.indexOf(environment);
    if (index >= 0 && !environment.dead) {
      this.warming.splice(index, 1);
      this.idle.push(environment);
    }
  }

  /** Resolves once no invocation is in flight (hot reload retires a version after its last batch). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private invokeIn = async (event: MskEvent | unknown): Promise<FunctionInvokeResult> => {
    const awsRequestId = randomUUID();
    const environment = this.idle.pop() ?? this.warming.shift() ?? this.spawn();
    environment.busy = true;
    await environment.ready;
    const started = performance.now();
    const id = this.nextId++;
    const request: InvokeRequest = { id, event, awsRequestId, deadline: Date.now() + this.options.timeoutMs };
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<InvokeReply>((resolve) => {
      if (environment.dead) {
        resolve({
          id,
          ok: false,
          error: { class: 'Runtime.ExitError', message: 'the execution environment exited' },
        });
        return;
      }
      environment.pending = { id, resolve };
      timer = setTimeout(() => {
        this.discard(environment);
        resolve({
          id,
          ok: false,
          error: {
            class: 'Sandbox.Timedout',
            message: `Task timed out after ${(this.options.timeoutMs / 1000).toFixed(2)} seconds`,
          },
        });
      }, this.options.timeoutMs);
      environment.worker.postMessage(request);
    });
    clearTimeout(timer);
    environment.pending = undefined;
    environment.busy = false;
    if (!environment.dead && !this.closed) this.idle.push(environment);
    const durationMs = performance.now() - started;
    const extra = reply.capture ? { capture: reply.capture } : {};
    return reply.ok
      ? { ok: true, response: reply.response, durationMs, awsRequestId, ...extra }
      : {
          ok: false,
          error: { class: reply.error.class, message: reply.error.message },
          stack: reply.error.stack,
          durationMs,
          awsRequestId,
          ...extra,
        };
  };

  /** Terminate every environment; invocations in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((environment) => this.discard(environment)));
  }

  /** The bundles of the worker and the handler, or neither (then the worker loads them through tsx). */
  private modulesToLoad(): Promise<LoadMessage['load']> {
    // Our own module: should it ever fail to bundle, tsx loads it.
    workerBundle ??= bundleModule(path.join(HERE, 'worker.ts')).catch(() => undefined);
    // As on Lambda, the CEL evaluator is bundled only for a function whose topics have quality rules.
    const celEvaluator = this.options.env[FUNCTION_ENV.qualityRulesFile] !== undefined;
    // Built once per host: every environment of this version loads the same code.
    this.modules ??= Promise.all([
      workerBundle,
      bundleModule(this.init.handlerFile, { celEvaluator, rootDir: this.options.rootDir }).then(
        (file) => ({ file, problem: undefined }),
        (error: Error) => ({ file: undefined, problem: error.message }),
      ),
    ]).then(([worker, { file, problem }]) => {
      if (problem !== undefined) return { worker, handlerBuildProblem: problem };
      return worker && file ? { worker, handler: file } : {};
    });
    return this.modules;
  }

  private spawn(): Environment {
    const env = { ...process.env, ...this.options.env };
    const transport = heldTableTransport(env[FUNCTION_ENV.awsEndpoint]);
    const worker = new Worker(BOOTSTRAP, {
      env,
      workerData: { ...this.init, heldTables: transport?.init } satisfies WorkerInit,
      transferList: transport ? [transport.init.port] : [],
    });
    worker.unref();
    if (transport) worker.once('exit', transport.close);
    // The thread starts while the bundles build; it waits for this message before importing anything.
    void this.modulesToLoad().then((load) => worker.postMessage({ load } satisfies LoadMessage));
    let markReady: () => void = () => {};
    const environment: Environment = {
      worker,
      busy: false,
      dead: false,
      ready: new Promise<void>((resolve) => {
        markReady = resolve;
      }),
    };
    this.all.add(environment);
    worker.on('message', (message: InvokeReply | { ready: true }) => {
      if ('ready' in message) return markReady();
      if (environment.pending?.id === message.id) environment.pending.resolve(message);
    });
    // An exception escaping the handler (an unhandled rejection, a throw in a timer) kills the environment.
    const fail = (error: { class: string; message: string }) => {
      markReady();
      const pending = environment.pending;
      void this.discard(environment);
      pending?.resolve({ id: pending.id, ok: false, error });
    };
    worker.on('error', (error) => fail({ class: error.name || 'Error', message: error.message }));
    worker.on('exit', (code) =>
      fail({ class: 'Runtime.ExitError', message: `the execution environment exited with code ${code}` }),
    );
    return environment;
  }

  private async discard(environment: Environment): Promise<void> {
    if (environment.dead) return;
    environment.dead = true;
    this.all.delete(environment);
    for (const list of [this.idle, this.warming]) {
      const index = list.indexOf(environment);
      if (index >= 0) list.splice(index, 1);
    }
    await environment.worker.terminate().catch(() => {});
  }
}
