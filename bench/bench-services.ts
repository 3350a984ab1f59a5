/** A benchmark's own Kafka broker and AWS emulator on free ports, their data under `scratch`. */
import path from 'node:path';
import { startAwsEmulator } from '../lib/local/aws-emulator.ts';
import { startKafka } from '../lib/local/kafka-broker.ts';
import { freePort } from '../lib/local/process-utils.ts';

export async function startBenchServices(scratch: string, log: (line: string) => void) {
  const [kafka, aws] = await Promise.all([
    startKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: path.join(scratch, 'kafka'),
      onProgress: log,
    }),
    startAwsEmulator({
      port: await freePort(),
      dataDir: path.join(scratch, 'aws'),
      logDir: scratch,
      onProgress: log,
    }),
  ]);
  return { kafka, aws };
}
