import { describe, expect, it } from 'vitest';
import type { IcebergSchema } from '../../../lib/local/sink/iceberg-schema.ts';
import { evolveSchema } from '../../../lib/local/sink/schema-evolution.ts';

const schema = (fields: IcebergSchema['fields'], id = 0): IcebergSchema => ({
  type: 'struct',
  'schema-id': id,
  fields,
});

describe('Iceberg schema evolution', () => {
  const current = schema([
    { id: 1, name: 'id', required: true, type: 'string' },
    { id: 2, name: 'count', required: true, type: 'long' },
    { id: 7, name: 'legacy', required: true, type: 'string' },
  ]);

  it('nothing changes for the same columns', () => {
    expect(evolveSchema(current, schema(current.fields), 7)).toBeUndefined();
  });

  it('never reuses a field id: new columns start above last-column-id, even when lower ids are free', () => {
    const desired = schema([
      { id: 1, name: 'id', required: true, type: 'string' },
      { id: 2, name: 'count', required: true, type: 'long' },
      { id: 3, name: 'legacy', required: true, type: 'string' },
      { id: 4, name: 'added', required: true, type: 'double' },
    ]);
    const evolution = evolveSchema(current, desired, 9)!;
    expect(evolution.schema['schema-id']).toBe(1);
    expect(evolution.schema.fields.at(-1)).toEqual({
      id: 10,
      name: 'added',
      required: false,
      type: 'double',
    });
    expect(evolution.lastColumnId).toBe(10);
  });

  it('a dropped property stays as an optional column; long → double is refused, the column kept', () => {
    const desired = schema([
      { id: 1, name: 'id', required: true, type: 'string' },
      { id: 2, name: 'count', required: true, type: 'double' },
    ]);
    const evolution = evolveSchema(current, desired, 7)!;
    expect(evolution.schema.fields).toEqual([
      { id: 1, name: 'id', required: true, type: 'string' },
      { id: 2, name: 'count', required: true, type: 'long' },
      { id: 7, name: 'legacy', required: false, type: 'string' },
    ]);
    expect(evolution.refused).toEqual(['column count: long → double is not an Iceberg type promotion']);
  });

  it('an optional column does not become required (old rows may hold nulls)', () => {
    const optional = schema([{ id: 1, name: 'id', required: false, type: 'string' }]);
    expect(
      evolveSchema(optional, schema([{ id: 1, name: 'id', required: true, type: 'string' }]), 1),
    ).toBeUndefined();
  });
});
