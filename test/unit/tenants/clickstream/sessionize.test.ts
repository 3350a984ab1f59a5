/** clickstream.sessionize through the testing kit: the manifest's handler, schemas and output topic. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PageView, sessionIdOf } from '../../../../functions/clickstream/session.ts';
import { type ConsumerHarness, loadConsumer, record } from '../../../../functions/sdk/testing/index.ts';

const view = (n: number, overrides: Partial<PageView> = {}): PageView => ({
  eventId: `7d1f3a52-0c55-4e0e-9a43-0d2b7c1e5${String(n).padStart(3, '0')}`,
  userId: `u-${n % 2}`,
  url: `https://shop.example.com/p/${n}?ref=mail`,
  referrer: 'https://news.example.org/today',
  isBot: false,
  viewedAt: '2026-11-24T08:00:00Z',
  ...overrides,
});

describe('clickstream sessionize (testing kit)', () => {
  let sessionize: ConsumerHarness;
  beforeAll(async () => {
    sessionize = await loadConsumer({ tenant: 'clickstream', consumer: 'sessionize' });
  });
  afterAll(() => sessionize.close());

  it('turns page views into session views on the sessions topic, keyed by the user', async () => {
    const result = await sessionize.run([record(view(1), { key: 'u-1' }), record(view(2), { key: 'u-0' })]);
    expect(result.failures).toEqual([]);
    expect(result.outputs.map((o) => [o.topic, o.key])).toEqual([
      ['clickstream.sessions', 'u-1'],
      ['clickstream.sessions', 'u-0'],
    ]);
    expect(result.outputs[0]!.value).toMatchObject({
      userId: 'u-1',
      path: '/p/1',
      referrerHost: 'news.example.org',
      sessionId: sessionIdOf('u-1', '2026-11-24T08:00:00Z'),
    });
    expect(result.metrics).toMatchObject({ RecordsIn: 2, RecordsOut: 2 });
  });

  it('drops bots that get past the filter (no output, no failure)', async () => {
    const result = await sessionize.run([view(3, { isBot: true })]);
    expect(result.outputs).toEqual([]);
    expect(result.failures).toEqual([]);
  });

  it('dead-letters a view that breaks the page-view schema', async () => {
    const { userId: _missing, ...noUser } = view(4);
    const result = await sessionize.run([noUser]);
    expect(result.deadLetters).toHaveLength(1);
    expect(result.deadLetters[0]).toMatchObject({
      reason: 'SCHEMA_VIOLATION',
      consumer: 'sessionize',
      source: { topic: 'clickstream.page-views', partition: 0 },
    });
  });
});
