// Placeholder until the handler SDK lands (issue 4): decodes the batch and reports no failures.
import { eventRecords, type MskBatchResponse, type MskEvent } from '../../lib/core/msk-event.ts';

export const handler = async (event: MskEvent): Promise<MskBatchResponse> => {
  for (const record of eventRecords(event))
    JSON.parse(Buffer.from(record.value ?? '', 'base64').toString('utf8'));
  return { batchItemFailures: [] };
};
