/**
 * clickstream.sessionize: page-views → sessions. Everything operational (topics, schema, DLQ) comes from
 * tenants/clickstream.yaml through the environment. Outputs keep the source key (the user), so a user's views
 * stay on one partition of `sessions` too.
 */
import sessionViewSchema from '../../schemas/clickstream/session-view.schema.json' with { type: 'json' };
import { defineProcessor } from '../sdk/index.ts';
import { type PageView, type SessionView, sessionize } from './session.ts';

export const handler = defineProcessor<PageView, SessionView>({
  output: { schema: sessionViewSchema },
  handler: (record) => sessionize(record.value),
});
