/**
 * clickstream.sessionize: page-views → sessions. Everything operational (topics, input and output schemas, DLQ) comes from
 * tenants/clickstream.yaml through the environment. Outputs keep the source key (the user), so a user's views
 * stay on one partition of `sessions` too.
 */
import { defineProcessor } from '../sdk/index.ts';
import { type PageView, type SessionView, sessionize } from './session.ts';

export const handler = defineProcessor<PageView, SessionView>({
  handler: (record) => sessionize(record.value),
});
