/**
 * One execution environment per consumer, started while the broker starts: its init phase (the handler
 * bundle's import, the SDK's set-up) runs on the CPU the broker's JVM start leaves idle (about a third of two
 * cores, measured), instead of after the broker, on the way to the first record. A consumer's runner then takes
 * its host (`take`), and its warm-up invocation finds the environment initialised or initialising.
 *
 * The environment's contract names the brokers, so the hosts are made for the address the broker is expected at;
 * a host whose address turns out different (a broker elsewhere) is not taken and is closed with the others left.
 * Made once the emulator's gateway is up, so the environments reach its held table over their message port.
 */
import type { PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import { consumerFunctionHost } from './consumer-runner.ts';
import type { FunctionHost } from './function-host/index.ts';

export interface EarlyEnvironmentsOptions {
  platform: PlatformSpec;
  tenants: readonly TenantSpec[];
  /** Where the broker is expected once started. */
  brokers: string[];
  awsEndpoint: string;
  /** @default platform.functionDefaults.logLevel */
  logLevel?: string;
}

export class EarlyEnvironments {
  private readonly hosts = new Map<string, FunctionHost>();

  private constructor(private readonly brokers: string) {}

  /**
   * Makes each consumer's host and starts one environment in it (not awaited: a failing import shows later).
   * Never throws: a consumer whose host cannot be made gets none here, and its own start reports why.
   */
  static start(options: EarlyEnvironmentsOptions): EarlyEnvironments {
    const early = new EarlyEnvironments(options.brokers.join(','));
    for (const tenant of options.tenants)
      for (const consumer of tenant.consumers) {
        let host: FunctionHost;
        try {
          host = consumerFunctionHost({ ...options, tenant, consumer });
        } catch {
          continue;
        }
        early.hosts.set(consumer.groupId, host);
        // The consumer's warm-up invocation reports an environment that cannot start.
        host.prewarm().catch(() => {});
      }
    return early;
  }

  /** The consumer's host, once, if it was made for `brokers`. */
  take(groupId: string, brokers: readonly string[]): FunctionHost | undefined {
    if (brokers.join(',') !== this.brokers) return undefined;
    const host = this.hosts.get(groupId);
    this.hosts.delete(groupId);
    return host;
  }

  /** Ends the environments of the hosts nobody took. */
  async close(): Promise<void> {
    const left = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(left.map((host) => host.close()));
  }
}
