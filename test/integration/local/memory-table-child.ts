/**
 * A gateway serving one memory table (`durable`) in front of a dynalite given by URL, run as its own process by
 * memory-table-durability.test.ts so that it can be killed with SIGKILL. Prints `{ url, size }` once it serves.
 * Usage: node --import tsx memory-table-child.ts <dataDir> <dynaliteUrl>
 */
import path from 'node:path';
import { DurableTable } from '../../../lib/local/aws-stores/durable-table.ts';
import { dynaliteCall } from '../../../lib/local/aws-stores/dynalite.ts';
import { AwsGateway } from '../../../lib/local/aws-stores/gateway.ts';
import { GlueJournal } from '../../../lib/local/aws-stores/glue-journal.ts';

const [dataDir, dynaliteUrl] = process.argv.slice(2) as [string, string];
const table = new DurableTable({ name: 'durable', file: path.join(dataDir, 'durable.jsonl') });
const gateway = await AwsGateway.start({
  port: 0,
  glueJournal: new GlueJournal(path.join(dataDir, 'glue-journal.jsonl')),
  memoryTables: [table],
});
gateway.storeUp('dynamodb', dynaliteUrl);
await table.open(dynaliteCall(dynaliteUrl));
process.stdout.write(`${JSON.stringify({ url: gateway.url, size: table.size })}\n`);
