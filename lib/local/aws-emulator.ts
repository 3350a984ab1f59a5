import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { portOpen, spawnTethered, stopProcess, tetheredPid, waitFor } from './process-utils.ts';
import { ensurePythonEnv } from './python-env.ts';

export interface AwsEmulatorOptions {
  /** Port of moto_server on 127.0.0.1. */
  port: number;
  /** Directory for the emulator's log file. */
  logDir: string;
  onProgress?: (line: string) => void;
}

export interface AwsEmulator {
  /** What every AWS client is pointed at, e.g. http://127.0.0.1:5055. */
  endpoint: string;
  /** True when Stratus started the emulator (and so stops it). */
  embedded: boolean;
  logFile?: string;
  stop(): Promise<void>;
}

/**
 * The AWS APIs for local runs: the endpoint in AWS_ENDPOINT_URL when set (LocalStack, ministack, real AWS),
 * otherwise moto_server from the project's virtualenv. moto keeps its state in memory: it starts empty.
 */
export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<AwsEmulator> {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) return { endpoint: external, embedded: false, stop: async () => {} };

  if (await portOpen(options.port)) {
    throw new Error(
      `port ${options.port} is already in use; change local.awsPort in stratus.config.yaml, or set AWS_ENDPOINT_URL to use a running emulator`,
    );
  }
  const python = await ensurePythonEnv({ onProgress: options.onProgress });
  mkdirSync(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, 'moto.log');
  const logFd = openSync(logFile, 'a');
  options.onProgress?.(`starting the AWS emulator (moto) on 127.0.0.1:${options.port} …`);
  const child = spawnTethered(python.bin('moto_server'), ['-H', '127.0.0.1', '-p', String(options.port)], {
    logFd,
    // Bucket names are never taken from the Host header: clients use path-style URLs against 127.0.0.1.
    env: { ...process.env, S3_IGNORE_SUBDOMAIN_BUCKETNAME: 'true' },
  });
  closeSync(logFd);
  const pid = await tetheredPid(child);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = () => stopProcess(child, pid, 5_000);
  try {
    await waitFor(
      `AWS emulator at ${endpoint}`,
      async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok,
      {
        timeoutMs: 60_000,
        abortIf: () => (child.exitCode !== null ? `moto_server exited; see ${logFile}` : undefined),
      },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, embedded: true, logFile, stop };
}
