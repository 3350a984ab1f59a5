/**
 * The AWS APIs no other local store serves (Glue, and SQS, CloudWatch, Lambda's control plane for the
 * operations commands): moto_server from the project's virtualenv. moto keeps its state in memory; the Glue
 * catalog is made durable by the gateway's journal (glue-journal.ts), replayed into every new moto.
 */
import { ensurePythonEnv } from '../python-env.ts';
import { type StoreProcess, startStoreProcess } from './server-process.ts';

export interface MotoOptions {
  logFile: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export async function startMoto(options: MotoOptions): Promise<StoreProcess> {
  const python = await ensurePythonEnv({ onProgress: options.onProgress });
  return startStoreProcess({
    name: 'AWS emulator (moto)',
    command: python.bin('moto_server'),
    args: (port) => ['-H', '127.0.0.1', '-p', String(port)],
    // Bucket names are never taken from the Host header: clients use path-style URLs against 127.0.0.1.
    env: { ...process.env, S3_IGNORE_SUBDOMAIN_BUCKETNAME: 'true' },
    logFile: options.logFile,
    ready: async (url) =>
      (await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) })).ok,
    signal: options.signal,
  });
}
