/**
 * One real Kafka broker and one AWS emulator for the whole test run, shared by every test file (each test
 * isolates itself with unique topic, group, table and bucket names). Ports are picked free, so a
 * developer's running `stratus dev` is never disturbed. KAFKA_BROKERS / AWS_ENDPOINT_URL point the tests
 * at existing services instead.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAwsEmulator } from '../lib/local/aws-emulator.ts';
import { startKafka } from '../lib/local/kafka-broker.ts';
import { freePort } from '../lib/local/process-utils.ts';
import { ensureChromium } from './support/chromium-install.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = path.resolve(import.meta.dirname, '..');
  mkdirSync(path.join(root, '.stratus'), { recursive: true });
  const runDir = mkdtempSync(path.join(root, '.stratus/test-run-'));
  const say = (line: string) => console.log(`[test services] ${line}`);
  const [kafkaPort, awsPort] = [await freePort(), await freePort()];
  // Chromium for the portal's browser tests is installed meanwhile when missing (Debian's package, as root).
  const chromium = ensureChromium(say);
  const [kafka, aws] = await Promise.all([
    startKafka({
      port: kafkaPort,
      controllerPort: await freePort(),
      dataDir: path.join(runDir, 'kafka'),
      onProgress: say,
    }),
    startAwsEmulator({ port: awsPort, dataDir: path.join(runDir, 'aws'), logDir: runDir, onProgress: say }),
  ]);
  project.provide('kafkaBrokers', kafka.brokers);
  project.provide('awsEndpoint', aws.endpoint);
  project.provide('chromium', await chromium);
  return async () => {
    await Promise.all([kafka.stop(), aws.stop()]);
    rmSync(runDir, { recursive: true, force: true });
  };
}
