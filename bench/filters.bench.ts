/**
 * Records per second through the event-source emulator's filter (lib/core/event-filter.ts), per record as
 * the partition worker calls it, on realistic JSON records and a mix of patterns: the example tenants' own
 * filters, and a consumer with five filters over prefix, numeric ranges, anything-but, exists, nested
 * fields and arrays of objects.
 *
 * Baseline in the same run: the floor any value filter pays, decoding the record (base64, UTF-8,
 * JSON.parse) and reading one field. `FILTERS_BENCH_COMPARE=<module>` adds another implementation of
 * `matchesFilters` to the same run (e.g. a file saved from an older commit with `git show`).
 * Rounds alternate the variants; each variant's best round counts (noise only adds time), in CPU time.
 */
import { matchesFilters as current, type FilterableRecord } from '../lib/core/event-filter.ts';

type Matcher = (record: FilterableRecord, patterns: readonly Record<string, unknown>[]) => boolean;

const RECORDS = 2_000;
const ROUNDS = 9;

const consumers: Record<string, Record<string, unknown>[]> = {
  'payments.enrich-orders': [{ value: { type: ['order.created', 'order.updated'] } }],
  'clickstream.page-views': [{ value: { isBot: [false] } }],
  'five filters': [
    { value: { type: [{ prefix: 'refund.' }], amount: [{ numeric: ['>', 100, '<=', 5000] }] } },
    { value: { customer: { tier: ['gold', 'platinum'] }, region: [{ 'anything-but': ['us-east-1'] }] } },
    { value: { lines: { sku: [{ prefix: 'SKU-9' }], qty: [{ numeric: ['>=', 10] }] } } },
    { value: { coupon: [{ exists: true }], email: [{ suffix: '@example.com' }] } },
    { value: { type: [{ 'equals-ignore-case': 'ORDER.CANCELLED' }] } },
  ],
};

function records(): FilterableRecord[] {
  const types = ['order.created', 'order.updated', 'order.paid', 'refund.created', 'order.cancelled'];
  const regions = ['eu-west-1', 'us-east-1', 'ap-south-1'];
  return Array.from({ length: RECORDS }, (_, index) => {
    const value = {
      type: types[index % types.length],
      orderId: `ord-${index}`,
      amount: (index * 37) % 9000,
      region: regions[index % regions.length],
      isBot: index % 7 === 0,
      email: `user${index}@${index % 3 === 0 ? 'example.com' : 'mail.test'}`,
      customer: { id: `c-${index % 500}`, tier: ['bronze', 'gold', 'platinum'][index % 3] },
      lines: Array.from({ length: 1 + (index % 4) }, (_, line) => ({
        sku: `SKU-${(index * 7 + line) % 1000}`,
        qty: (index + line) % 15,
        price: 9.99 + line,
      })),
      ...(index % 11 === 0 ? { coupon: 'WELCOME' } : {}),
      createdAt: '2026-11-30T10:00:00Z',
    };
    return {
      topic: 'payments.orders',
      partition: index % 6,
      offset: index,
      timestamp: 1_764_496_800_000 + index,
      timestampType: 'CREATE_TIME',
      value: Buffer.from(JSON.stringify(value)).toString('base64'),
      headers: [],
    };
  });
}

/** The floor: what reading one field of a JSON value costs before any pattern logic. */
const floor: Matcher = (record) => {
  const value = JSON.parse(Buffer.from(record.value ?? '', 'base64').toString('utf8')) as { type?: unknown };
  return value.type === 'order.created';
};

function cpuMicros(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function main(): Promise<void> {
  const variants: Record<string, Matcher> = { current: current as Matcher, floor };
  const compare = process.env.FILTERS_BENCH_COMPARE;
  if (compare) variants.compared = (await import(compare)).matchesFilters as Matcher;
  const input = records();
  const results: Record<string, Record<string, number>> = {};
  for (const [consumer, patterns] of Object.entries(consumers)) {
    const best: Record<string, number> = {};
    let delivered: Record<string, number> = {};
    for (let round = 0; round <= ROUNDS; round++) {
      delivered = {};
      for (const [name, matcher] of Object.entries(variants)) {
        let count = 0;
        const micros = cpuMicros(() => {
          for (const record of input) if (matcher(record, patterns)) count++;
        });
        delivered[name] = count;
        // Round 0 warms the JIT and compiles the patterns.
        if (round > 0) best[name] = Math.min(best[name] ?? Number.POSITIVE_INFINITY, micros);
      }
    }
    results[consumer] = {
      ...Object.fromEntries(
        Object.entries(best).map(([name, micros]) => [
          `${name}RecordsPerSecond`,
          Math.round((RECORDS / micros) * 1e6),
        ]),
      ),
      currentVsFloor: Number((best.current! / best.floor!).toFixed(2)),
      ...(best.compared ? { comparedVsCurrent: Number((best.compared / best.current!).toFixed(2)) } : {}),
      delivered: delivered.current!,
      ...(delivered.compared !== undefined ? { deliveredByCompared: delivered.compared } : {}),
    };
  }
  console.log(JSON.stringify({ bench: 'filters', records: RECORDS, rounds: ROUNDS, consumers: results }));
}

await main();
