import { readControlToken } from '../../local/control-token.ts';
import { statePaths } from '../../local/state-dir.ts';
import type { PlatformSpec } from '../../manifest/spec.ts';

/**
 * The local broker an operations command talks to: `--brokers`, else KAFKA_BROKERS (the variable the local
 * runtime honours too), else the embedded broker's port from stratus.config.yaml.
 */
export function localBrokers(platform: PlatformSpec, override?: string[]): string[] {
  if (override && override.length > 0) return override;
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv) return fromEnv.split(',').map((broker) => broker.trim());
  return [`127.0.0.1:${platform.local.kafkaPort}`];
}

/** Base URL of the running `stratus dev` runtime's metrics/health server (its control routes live there). */
export function localRuntimeUrl(platform: PlatformSpec, override?: string): string {
  return override ?? `http://127.0.0.1:${platform.local.metricsPort}`;
}

/**
 * The running `stratus dev`'s control token, which its control routes require: `<stateDir>/control-token`,
 * written at start (mode 0600). `token` is undefined when no runtime has written one.
 */
export function localControlToken(platform: PlatformSpec): { token?: string; file: string } {
  const file = statePaths(platform).controlToken;
  return { token: readControlToken(file), file };
}

/** `a,b` → ['a', 'b'] for `--brokers`. */
export function brokerList(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}
