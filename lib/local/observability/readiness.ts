/**
 * Readiness of the local runtime: the broker and the AWS emulator answer, and every registered consumer and
 * sink says it is running. Each check has a short timeout so /readyz answers quickly even when a dependency
 * hangs, and says in words what is not ready.
 */
import { Kafka, logLevel } from 'kafkajs';

export interface CheckResult {
  ok: boolean;
  /** What was checked and, when not ok, what is wrong. */
  detail: string;
}

export type ReadinessCheck = () => Promise<CheckResult>;

/** What a consumer or sink reports about itself. */
export interface ComponentStatus {
  running: boolean;
  /** Why it is not running (paused for a replay, crashed: the error), or a note. */
  detail?: string;
}

/** The broker answers a metadata request (DescribeCluster) within `timeoutMs`. */
export function kafkaReachable(brokers: string[], timeoutMs = 2_000): ReadinessCheck {
  const kafka = new Kafka({
    clientId: 'stratus-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const where = brokers.join(',');
  return async () => {
    // A fresh admin each time: a connection from before a broker restart is not trusted.
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      const cluster = await withTimeout(
        (async () => {
          await admin.connect();
          return admin.describeCluster();
        })(),
        timeoutMs,
      );
      return {
        ok: true,
        detail: `Kafka at ${where} answers (${cluster.brokers.length} broker${cluster.brokers.length === 1 ? '' : 's'})`,
      };
    } catch (error) {
      return { ok: false, detail: `Kafka broker at ${where} is not reachable: ${message(error)}` };
    } finally {
      void admin.disconnect().catch(() => {});
    }
  };
}

/** Anything answers HTTP at `endpoint` within `timeoutMs` (any status: S3 says 403 to an anonymous GET /). */
export function endpointReachable(name: string, endpoint: string, timeoutMs = 2_000): ReadinessCheck {
  return async () => {
    try {
      const response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      return { ok: true, detail: `${name} at ${endpoint} answers (HTTP ${response.status})` };
    } catch (error) {
      return { ok: false, detail: `${name} at ${endpoint} is not reachable: ${message(error)}` };
    }
  };
}

/** Ready only when `url` answers 2xx (a health route that says whether the parts behind it serve). */
export function endpointHealthy(name: string, url: string, timeoutMs = 2_000): ReadinessCheck {
  return async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await response.text();
      return response.ok
        ? { ok: true, detail: `${name} serves (${url})` }
        : { ok: false, detail: `${name} is not fully up: ${body.slice(0, 200)}` };
    } catch (error) {
      return { ok: false, detail: `${name} at ${url} is not reachable: ${message(error)}` };
    }
  };
}

/** A consumer's or sink's own status as a check. */
export function componentRunning(kind: string, name: string, status: () => ComponentStatus): ReadinessCheck {
  return async () => {
    try {
      const current = status();
      return current.running
        ? { ok: true, detail: `${kind} ${name} is running${current.detail ? ` (${current.detail})` : ''}` }
        : {
            ok: false,
            detail: `${kind} ${name} is not running${current.detail ? `: ${current.detail}` : ''}`,
          };
    } catch (error) {
      return { ok: false, detail: `${kind} ${name} could not report its status: ${message(error)}` };
    }
  };
}

export interface ReadinessReport {
  ready: boolean;
  /** Every check by name (`kafka`, `aws`, `consumer:<group>`, `sink:<tenant>.<sink>`). */
  checks: Record<string, CheckResult>;
  /** The details of the failed checks, for a person reading the body. */
  notReady: string[];
}

/** Runs every check at once. */
export async function runChecks(checks: ReadonlyMap<string, ReadinessCheck>): Promise<ReadinessReport> {
  const entries = await Promise.all(
    [...checks].map(
      async ([name, check]) =>
        [name, await check().catch((error) => ({ ok: false, detail: message(error) }))] as const,
    ),
  );
  const failed = entries.filter(([, result]) => !result.ok);
  return {
    ready: failed.length === 0,
    checks: Object.fromEntries(entries),
    notReady: failed.map(([, result]) => result.detail),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function message(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
