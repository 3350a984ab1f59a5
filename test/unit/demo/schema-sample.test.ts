/**
 * Events for a tenant the demo has no hand-written generator for, made from the topic's JSON Schema: valid ones
 * pass the schema as the SDK checks it, numbers cover their whole declared range, and schema violations still
 * pass the consumer's filters (so the SDK, not the filter, decides their fate).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileValueValidator } from '../../../functions/sdk/schema.ts';
import { matchesFilters } from '../../../lib/core/event-filter.ts';
import { generatorFor, sourceTopics } from '../../../lib/local/demo/generators.ts';
import { demoMessages } from '../../../lib/local/demo/messages.ts';
import { DEMO_HEADERS } from '../../../lib/local/demo/types.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';

const spec = loadStratusOrThrow({ rootDir: path.resolve(import.meta.dirname, '../../fixtures') });
const sensors = spec.tenants.find((t) => t.name === 'sensors')!;
const readings = sensors.topics.find((t) => t.key === 'readings')!;
const detect = sensors.consumers.find((c) => c.key === 'detect-anomalies')!;

function generate(count: number) {
  return [...demoMessages(generatorFor(readings, 11), { count, runId: 'test' })].map((message) => ({
    kind: (message.headers as Record<string, string>)[DEMO_HEADERS.kind],
    value: String(message.value),
  }));
}

describe('events from a JSON Schema', () => {
  it('the sensors tenant’s source topic is its readings, fed from the schema', () => {
    expect(sourceTopics([sensors]).map((s) => s.topic.key)).toEqual(['readings']);
    expect(generatorFor(readings, 1).description).toContain('from its JSON Schema');
  });

  it('valid events pass the schema and spread over the declared range; poison does not pass', () => {
    const validate = compileValueValidator(readings.schema!);
    const events = generate(2000);
    const values: number[] = [];
    for (const event of events) {
      if (event.kind === 'bad-json') {
        expect(() => JSON.parse(event.value)).toThrow();
        continue;
      }
      const value = JSON.parse(event.value) as { value: number; kind: string };
      const violations = validate(value);
      if (event.kind === 'valid') {
        expect(violations, event.value).toEqual([]);
        values.push(value.value);
      } else expect(violations.length, event.value).toBeGreaterThan(0);
    }
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-40);
    expect(Math.max(...values)).toBeLessThanOrEqual(120);
    // Both tails beyond the detector's normal range (-30..110) occur.
    expect(values.filter((v) => v < -30).length).toBeGreaterThan(50);
    expect(values.filter((v) => v > 110).length).toBeGreaterThan(50);
    expect(events.filter((e) => e.kind === 'schema-violation')).toHaveLength(20);
    expect(events.filter((e) => e.kind === 'bad-json')).toHaveLength(10);
  });

  it('a schema violation keeps the enum fields filters look at, so it reaches the SDK', () => {
    const violations = generate(2000).filter((e) => e.kind === 'schema-violation');
    const passing = violations.filter((e) =>
      matchesFilters(
        {
          topic: readings.name,
          partition: 0,
          offset: 0,
          timestamp: 0,
          timestampType: 'CREATE_TIME',
          value: Buffer.from(e.value).toString('base64'),
        },
        detect.filters,
      ),
    );
    // Heartbeats are filtered whatever else is wrong with them; the others pass.
    const heartbeats = violations.filter(
      (e) => (JSON.parse(e.value) as { kind: string }).kind === 'heartbeat',
    );
    expect(passing.length).toBe(violations.length - heartbeats.length);
    expect(passing.length).toBeGreaterThan(0);
  });

  it('odd schemas too: local $refs, oneOf/anyOf/allOf, exclusive bounds, lengths, arrays, recursion', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $defs: {
        money: {
          type: 'object',
          required: ['amount', 'currency'],
          properties: {
            amount: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 },
            currency: { type: 'string', minLength: 3, maxLength: 3 },
          },
        },
        node: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string', maxLength: 4 },
            children: { type: 'array', items: { $ref: '#/$defs/node' } },
          },
        },
      },
      allOf: [
        { required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
        { required: ['price'], properties: { price: { $ref: '#/$defs/money' } } },
      ],
      required: ['tree', 'contact', 'tags'],
      properties: {
        tree: { $ref: '#/$defs/node' },
        contact: { oneOf: [{ type: 'string', format: 'email' }, { type: 'integer' }] },
        tags: { type: 'array', minItems: 2, items: { anyOf: [{ enum: ['a', 'b'] }, { type: 'null' }] } },
        note: { type: ['string', 'null'], maxLength: 5 },
      },
      unevaluatedProperties: false,
    };
    const validate = compileValueValidator(schema);
    const generator = generatorFor({ ...readings, name: 'odd.topic', schemaFile: undefined, schema }, 3);
    for (let seq = 0; seq < 300; seq++) {
      const valid = generator.next(seq, 'valid').value;
      expect(validate(JSON.parse(valid)), valid).toEqual([]);
      const violation = generator.next(seq, 'schema-violation').value;
      expect(validate(JSON.parse(violation)).length, violation).toBeGreaterThan(0);
    }
  });

  it('patterns, multipleOf, formats, array sizes and uniqueItems: every valid event passes', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['device-id', 'sku', 'température', 'qty', 'ratio', 'host', 'ip', 'at', 'tags', 'samples'],
      properties: {
        'device-id': { type: 'string', pattern: '^dev-[0-9]+$' },
        sku: { type: 'string', pattern: '[A-Z]{3}-\\d{4}', maxLength: 8 },
        température: { type: ['number', 'null'], multipleOf: 0.5, minimum: -20, maximum: 45 },
        qty: { type: 'integer', multipleOf: 12, minimum: 1, maximum: 100 },
        ratio: { type: 'number', multipleOf: 0.1, exclusiveMinimum: 0, maximum: 1 },
        host: { type: 'string', format: 'hostname' },
        ip: { type: 'string', format: 'ipv4' },
        at: { type: 'string', format: 'time' },
        tags: {
          type: 'array',
          items: { enum: ['a', 'b', 'c'] },
          uniqueItems: true,
          minItems: 2,
          maxItems: 3,
        },
        samples: { type: 'array', maxItems: 1, items: { $ref: '#/$defs/sample' } },
        location: { oneOf: [{ type: 'null' }, { $ref: '#/$defs/geo' }] },
      },
      $defs: {
        sample: { type: 'object', required: ['sensor'], properties: { sensor: { enum: ['temp', 'co2'] } } },
        geo: {
          type: 'object',
          required: ['lat'],
          properties: { lat: { type: 'number', minimum: -90, maximum: 90 } },
        },
      },
    };
    const validate = compileValueValidator(schema);
    const generator = generatorFor({ ...readings, name: 'iot.readings', schemaFile: undefined, schema }, 5);
    expect(generator.unsatisfied).toBeUndefined();
    const sizes = new Set<number>();
    for (let seq = 0; seq < 300; seq++) {
      const valid = generator.next(seq, 'valid').value;
      expect(validate(JSON.parse(valid)), valid).toEqual([]);
      sizes.add((JSON.parse(valid) as { tags: string[] }).tags.length);
    }
    expect([...sizes].sort()).toEqual([2, 3]);
  });

  it('says when it cannot make a value the schema accepts, rather than sending "valid" events that are not', () => {
    const schema = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' } },
      not: { required: ['id'] },
    };
    const generator = generatorFor({ ...readings, name: 'odd.never', schemaFile: undefined, schema }, 1);
    expect(generator.unsatisfied).toBe('/ must NOT be valid');
  });
});
