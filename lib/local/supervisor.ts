/**
 * What the local runtime started, it keeps running: a supervised process (the broker, each store of the AWS
 * emulator) that dies is started again after a backoff, with a line in the log each time, until the runtime
 * stops. `Availability` tells the rest of the runtime which services are down, so work that failed during an
 * outage can be told apart from work that failed on its own (see event-source/partition-worker.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** A started process the supervisor watches. */
export interface SupervisedProcess {
  /** Resolves when the process ended without being stopped, with how (`killed by SIGKILL`). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export interface SupervisorOptions<T extends SupervisedProcess> {
  /** Name in log lines: `Kafka`, `S3 store (s3proxy)`. */
  name: string;
  /** Starts the process and resolves once it serves; must give up when `signal` aborts (stop during a restart). */
  start(signal: AbortSignal): Promise<T>;
  log(line: string): void;
  /** Told when the process died, before it is restarted. */
  onDown?(how: string): void;
  /** Told when a restarted process serves again (not for the first start). */
  onRestarted?(process: T): void | Promise<void>;
  /**
   * Delay before the first restart; doubled after each failed or short-lived one, up to `maxBackoffMs`.
   * @default 500
   */
  initialBackoffMs?: number;
  /** @default 10000 */
  maxBackoffMs?: number;
  /**
   * Attempts of the first start (a store whose previous process, killed with the run, still holds its lock
   * or port for a moment); each failure waits `initialBackoffMs`, doubled.
   * @default 1
   */
  firstStartAttempts?: number;
  /** Abandons the first start when aborted (stopped during start-up): `start` rejects, not retried. */
  signal?: AbortSignal;
  /**
   * A process that served this long before dying is restarted after the initial delay again.
   * @default 30000
   */
  stableMs?: number;
}

export class Supervisor<T extends SupervisedProcess> {
  private process: T | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  /** Restarts so far. */
  restarts = 0;

  private constructor(private readonly options: SupervisorOptions<T>) {}

  /** Starts the process (a failure of this first start is the caller's error) and watches it from then on. */
  static async start<T extends SupervisedProcess>(options: SupervisorOptions<T>): Promise<Supervisor<T>> {
    const supervisor = new Supervisor(options);
    const abandon = () => supervisor.abort.abort();
    if (options.signal?.aborted) abandon();
    options.signal?.addEventListener('abort', abandon, { once: true });
    const attempts = options.firstStartAttempts ?? 1;
    let delay = options.initialBackoffMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        supervisor.process = await options.start(supervisor.abort.signal);
        break;
      } catch (error) {
        if (attempt >= attempts || supervisor.abort.signal.aborted) {
          options.signal?.removeEventListener('abort', abandon);
          throw error;
        }
        options.log(
          `${options.name} did not start (${(error as Error).message.split('\n')[0]}); trying again`,
        );
        await sleep(delay, undefined, { signal: supervisor.abort.signal }).catch(() => {});
        delay *= 2;
      }
    }
    options.signal?.removeEventListener('abort', abandon);
    supervisor.loop = supervisor.watch(supervisor.process);
    return supervisor;
  }

  /** The running process; undefined while it is being restarted. */
  get current(): T | undefined {
    return this.process;
  }

  /** Stops the process, or abandons a restart in progress; resolves promptly whatever state it is in. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    const current = this.process;
    this.process = undefined;
    await current?.stop();
    await this.loop;
  }

  private async watch(first: T): Promise<void> {
    const { name, log } = this.options;
    const initial = this.options.initialBackoffMs ?? 500;
    let backoff = initial;
    let current = first;
    let upAt = Date.now();
    for (;;) {
      const how = await Promise.race([current.exited, this.aborted()]);
      if (this.stopping || how === undefined) return;
      this.process = undefined;
      if (Date.now() - upAt >= (this.options.stableMs ?? 30_000)) backoff = initial;
      this.options.onDown?.(how);
      const downAt = Date.now();
      for (;;) {
        log(`${name} stopped unexpectedly (${how}); restarting in ${(backoff / 1000).toFixed(1)} s`);
        await sleep(backoff, undefined, { signal: this.abort.signal }).catch(() => {});
        if (this.stopping) return;
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 10_000);
        try {
          current = await this.options.start(this.abort.signal);
          break;
        } catch (error) {
          if (this.stopping) return;
          log(`${name} did not restart: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      if (this.stopping) {
        await current.stop();
        return;
      }
      this.restarts++;
      this.process = current;
      upAt = Date.now();
      log(`${name} restarted (down ${((upAt - downAt) / 1000).toFixed(1)} s)`);
      await this.options.onRestarted?.(current);
    }
  }

  private aborted(): Promise<undefined> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) resolve(undefined);
      else this.abort.signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
  }
}

/**
 * Which supervised services are down right now, and when the last outage ended. A failure that overlapped an
 * outage (or followed its end by less than `graceMs`, while clients reconnect) is the platform's, not the
 * handler's.
 */
export class Availability {
  private readonly down = new Map<string, number>();
  private lastRecoveryAt = 0;
  private invocations = 0;
  private hold: Promise<void> | undefined;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly graceMs = 5_000) {}

  markDown(service: string): void {
    if (!this.down.has(service)) this.down.set(service, Date.now());
  }

  markUp(service: string): void {
    if (!this.down.delete(service)) return;
    this.lastRecoveryAt = Date.now();
  }

  get allUp(): boolean {
    return this.down.size === 0;
  }

  /** Names of the services down now. */
  get downServices(): string[] {
    return [...this.down.keys()];
  }

  /** True when some service was down at any moment since `since` (epoch ms), or came back less than graceMs ago. */
  disturbedSince(since: number): boolean {
    return this.down.size > 0 || this.lastRecoveryAt + this.graceMs >= since;
  }

  /** True when every service is up and the grace period after the last recovery has passed. */
  settledNow(): boolean {
    return this.down.size === 0 && Date.now() > this.lastRecoveryAt + this.graceMs;
  }

  /**
   * Counts an invocation from now until the returned `done` is called; waits first while `withoutInvocations`
   * holds them back.
   */
  async invocationStarts(): Promise<() => void> {
    while (this.hold) await this.hold;
    this.invocations++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.invocations === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
  }

  /**
   * Runs `work` at a moment no invocation is running: invocations about to start wait, the ones running are
   * waited for. After a store restart, every idempotency lock left IN_PROGRESS then belongs to an invocation that
   * has ended (see aws-resources.ts releaseInProgressRecords).
   */
  async withoutInvocations<T>(work: () => Promise<T>): Promise<T> {
    while (this.hold) await this.hold;
    let lift!: () => void;
    this.hold = new Promise((resolve) => {
      lift = resolve;
    });
    try {
      if (this.invocations > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      return await work();
    } finally {
      this.hold = undefined;
      lift();
    }
  }
}
