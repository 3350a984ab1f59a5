import { describe, expect, it } from 'vitest';
import type { FilterPattern } from '../../../lib/manifest/spec.ts';
import {
  committedOffset,
  consumerSpec,
  freshTopic,
  produce,
  RecordingFunction,
  startMapping,
} from './harness.ts';

const values = [
  { type: 'order.created', amount: 5, region: 'eu-west-1', email: 'A@X.COM' },
  { type: 'order.paid', amount: 50, region: 'us-east-1', note: 'x' },
  { type: 'refund.created', amount: 500, region: 'eu-central-1' },
];

// Each operator of Lambda's filter syntax, end to end: the expected types are the records delivered.
const cases: Array<[string, FilterPattern[], string[]]> = [
  ['exact', [{ value: { type: ['order.paid'] } }], ['order.paid']],
  [
    'OR within a list',
    [{ value: { type: ['order.paid', 'refund.created'] } }],
    ['order.paid', 'refund.created'],
  ],
  ['prefix', [{ value: { type: [{ prefix: 'order.' }] } }], ['order.created', 'order.paid']],
  ['suffix', [{ value: { type: [{ suffix: '.created' }] } }], ['order.created', 'refund.created']],
  ['equals-ignore-case', [{ value: { email: [{ 'equals-ignore-case': 'a@x.com' }] } }], ['order.created']],
  [
    'numeric range',
    [{ value: { amount: [{ numeric: ['>', 10, '<=', 500] }] } }],
    ['order.paid', 'refund.created'],
  ],
  ['exists', [{ value: { note: [{ exists: true }] } }], ['order.paid']],
  // A JSON pattern does not see a plain value at all, so for it every field is absent.
  [
    'does not exist',
    [{ value: { note: [{ exists: false }] } }],
    ['order.created', 'refund.created', 'not json at all'],
  ],
  [
    'anything-but',
    [{ value: { type: [{ 'anything-but': ['order.paid'] }] } }],
    ['order.created', 'refund.created'],
  ],
  ['anything-but prefix', [{ value: { region: [{ 'anything-but': { prefix: 'eu-' } }] } }], ['order.paid']],
  ['wildcard', [{ value: { region: [{ wildcard: 'eu-*-1' }] } }], ['order.created', 'refund.created']],
  [
    '$or across fields',
    [{ value: { $or: [{ note: [{ exists: true }] }, { amount: [{ numeric: ['>=', 500] }] }] } }],
    ['order.paid', 'refund.created'],
  ],
  // Plain strings are filtered by plain patterns; JSON values never reach them (kafka-filtering.html).
  ['plain-string pattern', [{ value: [{ prefix: 'not json' }] }], ['not json at all']],
  [
    'several filters are ORed',
    [{ value: { type: ['order.paid'] } }, { value: { amount: [{ numeric: ['>=', 500] }] } }],
    ['order.paid', 'refund.created'],
  ],
];

describe('filters', () => {
  it('deliver only matching records, keep JSON patterns off plain values, and commit what they filter out', async () => {
    const topic = await freshTopic();
    await produce(topic.topic, [...values.map((value) => JSON.stringify(value)), 'not json at all']);
    const results = await Promise.all(
      cases.map(async ([name, filters, expected]) => {
        const spec = consumerSpec(topic, { filters, batchWindowMs: 50 });
        const fn = new RecordingFunction();
        let filtered = 0;
        const mapping = await startMapping(spec, fn, {
          observer: { onFiltered: ({ records }) => (filtered += records) },
        });
        await mapping.drained();
        const delivered = fn
          .values()
          .map((value) => (value.startsWith('{') ? (JSON.parse(value) as { type: string }).type : value));
        return {
          name,
          delivered,
          expected,
          filtered,
          committed: await committedOffset(spec.groupId, topic.topic),
        };
      }),
    );
    for (const result of results) {
      expect({ name: result.name, delivered: result.delivered }).toEqual({
        name: result.name,
        delivered: result.expected,
      });
      expect({ name: result.name, filtered: result.filtered, committed: result.committed }).toEqual({
        name: result.name,
        filtered: 4 - result.expected.length,
        committed: 4,
      });
    }
  });
});
