import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineConsumer, defineProcessor, StratusConfigurationError } from '../../../functions/sdk/index.ts';
import { functionEnv } from './env.ts';

const orderSchemaText = readFileSync('schemas/payments/order.schema.json', 'utf8');

describe('configuration at cold start', () => {
  it('names every missing variable of the function contract', () => {
    expect(() => defineConsumer({ env: {}, handler: () => {} })).toThrow(
      /STRATUS_TENANT is not set.*STRATUS_CONSUMER is not set.*STRATUS_KAFKA_BROKERS is not set/,
    );
  });

  it('refuses a processor without an output topic and a consumer with one', () => {
    expect(() => defineProcessor({ env: functionEnv(), handler: () => undefined })).toThrow(
      /defineProcessor but has no output topic/,
    );
    expect(() =>
      defineConsumer({ env: functionEnv({ outputTopic: 'shop.out' }), handler: () => {} }),
    ).toThrow(StratusConfigurationError);
  });

  it('resolves a relative schema file against LAMBDA_TASK_ROOT, as on AWS', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-task-'));
    writeFileSync(path.join(root, 'order.schema.json'), orderSchemaText);
    const handler = defineConsumer({
      env: { ...functionEnv({ schemaFile: 'order.schema.json' }), LAMBDA_TASK_ROOT: root },
      handler: () => {},
    });
    expect(handler.stratus.settings.schema).toEqual(JSON.parse(orderSchemaText));
    expect(() =>
      defineConsumer({
        env: { ...functionEnv({ schemaFile: 'missing.json' }), LAMBDA_TASK_ROOT: root },
        handler: () => {},
      }),
    ).toThrow(/cannot read the schema file .*missing\.json/);
  });

  it("accepts a schema in code identical to the manifest's (key order aside) and refuses a different one", () => {
    const env = functionEnv({ schemaFile: path.resolve('schemas/payments/order.schema.json') });
    const fromFile = JSON.parse(orderSchemaText) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(fromFile).reverse());
    expect(defineConsumer({ env, schema: reordered, handler: () => {} }).stratus.settings.schemaSource).toBe(
      env.STRATUS_SCHEMA_FILE,
    );
    expect(() =>
      defineConsumer({ env, schema: { ...fromFile, required: ['eventId'] }, handler: () => {} }),
    ).toThrow(/differs from the manifest's schema file/);
  });

  it("takes the output topic's schema from the manifest (STRATUS_OUTPUT_SCHEMA_FILE) and refuses a different one in code", () => {
    const outputSchemaFile = path.resolve('schemas/payments/order-enriched.schema.json');
    const env = functionEnv({ outputTopic: 'shop.enriched', outputSchemaFile });
    const fromFile = JSON.parse(readFileSync(outputSchemaFile, 'utf8')) as Record<string, unknown>;
    expect(defineProcessor({ env, handler: () => undefined }).stratus.settings.outputSchema).toEqual(
      fromFile,
    );
    expect(() =>
      defineProcessor({ env, output: { schema: { type: 'object' } }, handler: () => undefined }),
    ).toThrow(/differs from the manifest's schema file .*STRATUS_OUTPUT_SCHEMA_FILE/);
  });

  it('uses a schema given only in code when the manifest has none', () => {
    const schema = { type: 'object', required: ['n'] };
    expect(defineConsumer({ env: functionEnv(), schema, handler: () => {} }).stratus.settings.schema).toBe(
      schema,
    );
  });
});
