/** The files `stratus new` writes: a JSON Schema skeleton, a typed handler and its vitest test. */
import path from 'node:path';
import { topicName } from '../core/naming.ts';
import { DemoRandom } from '../local/demo/random.ts';
import { schemaSamples } from '../local/demo/schema-sample.ts';
import { PROJECT_LAYOUT } from '../manifest/project-layout.ts';
import { typeDeclaration, typeName } from './schema-type.ts';

type Schema = Record<string, unknown>;

/** A starting schema: an id (a good idempotency key), a type and a time; more properties are allowed. */
export function schemaSkeleton(tenant: string, topic: string): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: topicName(tenant, topic),
    description: `One record of ${topicName(tenant, topic)}. Describe your event here; stratus validate checks this file.`,
    type: 'object',
    required: ['id', 'type', 'occurredAt'],
    properties: {
      id: { type: 'string', minLength: 1, description: 'Unique id of the event' },
      type: { type: 'string', minLength: 1, description: 'What happened' },
      occurredAt: { type: 'string', format: 'date-time', description: 'When it happened' },
    },
    additionalProperties: true,
  };
}

/** A processor's output schema derived from its input's: the same fields plus `processedAt`. */
export function derivedOutputSchema(tenant: string, topic: string, input: Schema | undefined): Schema {
  const base = input?.type === 'object' ? input : { type: 'object', properties: {}, required: [] };
  return {
    $schema: (input?.$schema as string | undefined) ?? 'https://json-schema.org/draft/2020-12/schema',
    title: topicName(tenant, topic),
    description: `One record of ${topicName(tenant, topic)}: the source record plus the time it was processed.`,
    type: 'object',
    required: [...((base.required as string[] | undefined) ?? []), 'processedAt'],
    properties: {
      ...((base.properties as Schema | undefined) ?? {}),
      processedAt: { type: 'string', format: 'date-time', description: 'When the processor handled it' },
    },
    additionalProperties: true,
  };
}

export function schemaText(schema: Schema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** A deterministic value that satisfies `schema` (the demo's schema sampler with a fixed seed). */
export function sampleValue(schema: Schema | undefined, topic: string): unknown {
  return JSON.parse(schemaSamples(new DemoRandom(7), schema, topic).next(0, 'valid').value);
}

function importPath(fromFile: string, toFile: string): string {
  const relative = path.posix.relative(path.posix.dirname(fromFile), toFile);
  return relative.startsWith('.') ? relative : `./${relative}`;
}

export interface HandlerTemplateInput {
  tenant: string;
  consumer: string;
  topic: string;
  inputSchema?: Schema;
  inputSchemaFile?: string;
  output?: {
    topic: string;
    schema?: Schema;
    schemaFile?: string;
    /** The output schema is `derivedOutputSchema` of the input: the handler can pass fields through. */
    derived: boolean;
  };
}

export function handlerSource(input: HandlerTemplateInput): string {
  const file = PROJECT_LAYOUT.handler(input.tenant, input.consumer);
  const inType = typeName(input.topic);
  const lines = [
    '/**',
    ` * ${input.tenant}.${input.consumer}: reads ${input.tenant}.${input.topic}${input.output ? `, writes ${input.tenant}.${input.output.topic}` : ''}.`,
    ` * Topics, schemas, the DLQ and idempotency come from tenants/${input.tenant}.yaml through the environment;`,
    ' * this file is business logic only.',
    ' * Throw to have a record retried (then dead-lettered); see docs/handlers.md.',
    ' */',
  ];
  const source = `${input.tenant}.${input.topic}${input.inputSchemaFile ? ` (${input.inputSchemaFile})` : ''}`;
  if (!input.output) {
    return [
      ...lines,
      `import { defineConsumer } from '${importPath(file, PROJECT_LAYOUT.sdk)}';`,
      '',
      typeDeclaration(inType, input.inputSchema, `A record value of ${source}.`),
      `export const handler = defineConsumer<${inType}>({`,
      '  handler: async (record, { logger }) => {',
      '    // Your logic here: store it, call a service, update a view.',
      "    logger.info('record handled', { key: record.key });",
      '  },',
      '});',
      '',
    ].join('\n');
  }
  const outType = input.output.topic === input.topic ? `${inType}Out` : typeName(input.output.topic);
  const outSource = `${input.tenant}.${input.output.topic}${input.output.schemaFile ? ` (${input.output.schemaFile})` : ''}`;
  const body = input.output.derived
    ? [
        '  // The same fields plus the processing time; shape the output here.',
        '  return { ...value, processedAt: now.toISOString() };',
      ]
    : [
        `  // An example ${outType}; build it from the input here.`,
        `  return ${indentLiteral(sampleValue(input.output.schema, input.output.topic), '  ')};`,
      ];
  const unused = input.output.derived ? '' : '_';
  return [
    ...lines,
    `import { defineProcessor } from '${importPath(file, PROJECT_LAYOUT.sdk)}';`,
    '',
    typeDeclaration(inType, input.inputSchema, `A record value of ${source}.`),
    typeDeclaration(outType, input.output.schema, `A record value of ${outSource}.`),
    `/** The business logic, a plain function: unit-test it without the SDK. */`,
    `export function transform(${unused}value: ${inType}, ${unused}now: Date): ${outType} {`,
    ...body,
    '}',
    '',
    `export const handler = defineProcessor<${inType}, ${outType}>({`,
    '  handler: (record) => transform(record.value, new Date()),',
    '});',
    '',
  ].join('\n');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JSON value as TypeScript source the way Biome formats it: single quotes, bare keys, trailing commas. */
export function indentLiteral(value: unknown, indent: string): string {
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${indentLiteral(item, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(
    ([key, item]) => `${inner}${IDENTIFIER.test(key) ? key : `'${key}'`}: ${indentLiteral(item, inner)},`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

export function testSource(input: HandlerTemplateInput): string {
  const file = PROJECT_LAYOUT.test(input.tenant, input.consumer);
  const handler = PROJECT_LAYOUT.handler(input.tenant, input.consumer).replace(/\.ts$/, '.ts');
  const inType = typeName(input.topic);
  const valid = indentLiteral(sampleValue(input.inputSchema, input.topic), '');
  const processed = input.output
    ? [
        '    expect(result.outputs).toHaveLength(1);',
        `    expect(result.outputs[0]).toMatchObject({ topic: '${input.tenant}.${input.output.topic}', key: 'key-1' });`,
        ...(input.output.derived ? ['    expect(result.outputs[0]!.value).toMatchObject(valid);'] : []),
      ]
    : [];
  return [
    `/** ${input.tenant}.${input.consumer} with the testing kit: the manifest's handler and environment, no broker. */`,
    "import { afterAll, beforeAll, describe, expect, it } from 'vitest';",
    `import type { ${inType} } from '${importPath(file, handler)}';`,
    `import { type ConsumerHarness, loadConsumer, record } from '${importPath(file, PROJECT_LAYOUT.testingKit)}';`,
    '',
    `const valid: ${inType} = ${valid};`,
    '',
    `describe('${input.tenant}.${input.consumer}', () => {`,
    '  let consumer: ConsumerHarness;',
    '  beforeAll(async () => {',
    `    consumer = await loadConsumer({ tenant: '${input.tenant}', consumer: '${input.consumer}' });`,
    '  });',
    '  afterAll(() => consumer?.close());',
    '',
    "  it('handles a valid record', async () => {",
    "    const result = await consumer.run([record(valid, { key: 'key-1' })]);",
    '    expect(result.failures).toEqual([]);',
    '    expect(result.deadLetters).toEqual([]);',
    ...processed,
    '    expect(result.metrics.RecordsIn).toBe(1);',
    '  });',
    '',
    "  it('dead-letters a record that is not JSON', async () => {",
    "    const result = await consumer.run([record(Buffer.from('not json'))]);",
    "    expect(result.deadLetters.map((letter) => letter.reason)).toEqual(['DECODE_ERROR']);",
    '  });',
    '});',
    '',
  ].join('\n');
}
