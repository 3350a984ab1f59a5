import { describe, expect, it } from 'vitest';
import { formatManifestError, type ManifestError } from '../../../lib/manifest/index.ts';
import { loadProject, loadWith, VALID_TENANT } from './fixture.ts';

interface Expected {
  path: string;
  line: number;
  message: RegExp;
}

function expectOnly(errors: ManifestError[], expected: Expected): void {
  expect(errors.map(formatManifestError)).toHaveLength(1);
  expectError(errors, expected);
}

function expectError(errors: ManifestError[], expected: Expected): void {
  const match = errors.find(
    (e) => e.path === expected.path && e.line === expected.line && expected.message.test(e.message),
  );
  expect(
    match,
    `no error ${JSON.stringify(expected.path)} at line ${expected.line} matching ${expected.message} in:\n${errors.map(formatManifestError).join('\n')}`,
  ).toBeDefined();
  expect(match!.file).toBe('tenants/shop.yaml');
  expect(match!.col).toBeGreaterThan(0);
}

describe('the valid fixture', () => {
  it('resolves with no errors, qualified names and defaults', () => {
    const { errors, spec } = loadProject();
    expect(errors).toEqual([]);
    const tenant = spec.tenants[0]!;
    expect(tenant.topics.map((t) => t.name)).toEqual(['shop.orders', 'shop.enriched', 'shop.dlq']);
    expect(tenant.consumers[0]).toMatchObject({
      groupId: 'shop.enrich',
      topic: 'shop.orders',
      output: 'shop.enriched',
      batchSize: 100,
      batchWindowMs: 500,
      startingPosition: 'TRIM_HORIZON',
      retries: 3,
      maxRecordAgeMs: -1,
      onFailureTopic: 'shop.dlq',
    });
    expect(tenant.topics[0]!.retentionMs).toBe(86_400_000);
    expect(tenant.sinks[0]).toMatchObject({
      table: 'lake',
      database: 'stratus_shop',
      bufferSizeBytes: 5 * 1_048_576,
      bufferIntervalMs: 300_000,
      // Firehose alone would start at its activation time; Stratus asks for the first record.
      startFrom: 'earliest',
    });
    expect(tenant.sinks[0]!.partitionBy).toEqual([{ transform: 'day', field: 'createdAt' }]);
  });
});

describe('one rule, one bad manifest: each error names the field and its line', () => {
  const cases: Array<[string, string, string, Expected]> = [
    [
      'tenant naming',
      'tenant: shop',
      'tenant: Shop',
      { path: 'tenant', line: 1, message: /lower-case letter/ },
    ],
    [
      'owner e-mail',
      'owners: [team@example.com]',
      'owners: [team]',
      { path: 'owners.0', line: 2, message: /not an e-mail/ },
    ],
    [
      'owners required',
      'owners: [team@example.com]',
      'owners: []',
      { path: 'owners', line: 2, message: /governance.requireOwners/ },
    ],
    [
      'partitions range',
      'partitions: 3\n    retention',
      'partitions: 0\n    retention',
      { path: 'topics.orders.partitions', line: 6, message: /integer from 1 to 64/ },
    ],
    [
      'retention syntax',
      'retention: 1d',
      'retention: 1 day',
      { path: 'topics.orders.retention', line: 7, message: /not a duration/ },
    ],
    [
      'retention governance',
      'retention: 1d',
      'retention: 90d',
      { path: 'topics.orders.retention', line: 7, message: /governance.maxRetention/ },
    ],
    [
      'schema file exists',
      '    schema: schemas/order.schema.json\n',
      '    schema: schemas/missing.json\n',
      { path: 'topics.orders.schema', line: 8, message: /does not exist/ },
    ],
    [
      'reserved dlq key',
      '  enriched:',
      '  dlq: {}\n  enriched:',
      { path: 'topics.dlq', line: 9, message: /dead-letter topic/ },
    ],
    [
      'topic key naming',
      '  enriched:',
      '  Bad_Name: {}\n  enriched:',
      { path: 'topics.Bad_Name', line: 9, message: /must be 1–48 characters/ },
    ],
    [
      'unknown field',
      'output: enriched',
      'outptu: enriched',
      { path: 'consumers.enrich.outptu', line: 14, message: /did you mean "output"/ },
    ],
    [
      'consumer topic reference',
      'topic: orders',
      'topic: order',
      { path: 'consumers.enrich.topic', line: 12, message: /unknown topic "order"; did you mean "orders"\?/ },
    ],
    [
      'output topic reference',
      'output: enriched',
      'output: enrichd',
      { path: 'consumers.enrich.output', line: 14, message: /did you mean "enriched"/ },
    ],
    [
      'output loop',
      'output: enriched',
      'output: orders',
      { path: 'consumers.enrich.output', line: 14, message: /endless loop/ },
    ],
    [
      'sink topic reference',
      'topic: enriched',
      'topic: nope',
      { path: 'sinks.lake.topic', line: 17, message: /unknown topic "nope"/ },
    ],
    [
      'handler exists',
      'handler: functions/enrich.ts',
      'handler: functions/missing.ts',
      { path: 'consumers.enrich.handler', line: 13, message: /does not exist/ },
    ],
    [
      'handler language',
      'handler: functions/enrich.ts',
      'handler: functions/enrich.py',
      { path: 'consumers.enrich.handler', line: 13, message: /\.ts, \.mts, \.js or \.mjs/ },
    ],
    [
      'batch size range',
      'output: enriched',
      'output: enriched\n    batchSize: 10001',
      { path: 'consumers.enrich.batchSize', line: 15, message: /1 to 10000/ },
    ],
    [
      'batch window range',
      'output: enriched',
      'output: enriched\n    batchWindow: 301s',
      { path: 'consumers.enrich.batchWindow', line: 15, message: /0s and 300s/ },
    ],
    [
      'batch window granularity',
      'output: enriched',
      'output: enriched\n    batchWindow: 250ms',
      { path: 'consumers.enrich.batchWindow', line: 15, message: /whole seconds/ },
    ],
    [
      'retries range',
      'output: enriched',
      'output: enriched\n    retries: -2',
      { path: 'consumers.enrich.retries', line: 15, message: /-1 to 10000/ },
    ],
    [
      'max record age range',
      'output: enriched',
      'output: enriched\n    maxRecordAge: 30s',
      { path: 'consumers.enrich.maxRecordAge', line: 15, message: /60s and 7d/ },
    ],
    [
      'starting position',
      'output: enriched',
      'output: enriched\n    startingPosition: EARLIEST',
      { path: 'consumers.enrich.startingPosition', line: 15, message: /TRIM_HORIZON, LATEST or an ISO 8601/ },
    ],
    [
      'sink start',
      'format: iceberg',
      'format: iceberg\n    startFrom: TRIM_HORIZON',
      { path: 'sinks.lake.startFrom', line: 19, message: /earliest, latest or an ISO 8601 time with zone/ },
    ],
    [
      'sink start in the future',
      'format: iceberg',
      'format: iceberg\n    startFrom: 2999-01-01T00:00:00Z',
      { path: 'sinks.lake.startFrom', line: 19, message: /in the future/ },
    ],
    [
      'starting position in the future',
      'output: enriched',
      'output: enriched\n    startingPosition: "2999-01-01T00:00:00Z"',
      { path: 'consumers.enrich.startingPosition', line: 15, message: /in the future/ },
    ],
    [
      'filter operator',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { type: [{ prefx: a }] } }]',
      {
        path: 'consumers.enrich.filters.0.value.type.0.prefx',
        line: 15,
        message: /unknown operator "prefx"/,
      },
    ],
    [
      'filter leaf',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { type: created } }]',
      { path: 'consumers.enrich.filters.0.value.type', line: 15, message: /takes a list of matchers/ },
    ],
    [
      'filter field',
      'output: enriched',
      'output: enriched\n    filters: [{ body: { type: [a] } }]',
      { path: 'consumers.enrich.filters.0.body', line: 15, message: /on "value" only/ },
    ],
    [
      'filter numeric range written upper bound first (event-ruler refuses it)',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { amount: [{ numeric: ["<", 1, ">", 0] }] } }]',
      {
        path: 'consumers.enrich.filters.0.value.amount.0.numeric',
        line: 15,
        message: /a range is written lower bound first/,
      },
    ],
    [
      'filter numeric range that is empty',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { amount: [{ numeric: [">=", 1, "<=", 1] }] } }]',
      { path: 'consumers.enrich.filters.0.value.amount.0.numeric', line: 15, message: /is empty/ },
    ],
    [
      'filter number that has no exact double (it would deploy rounded)',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { id: [9007199254740993] } }]',
      {
        path: 'consumers.enrich.filters.0.value.id.0',
        line: 15,
        message: /9007199254740993 has no exact double: it would be sent to AWS as 9007199254740992/,
      },
    ],
    [
      'filter anything-but mixing text and numbers',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { type: [{ anything-but: [a, 5] }] } }]',
      {
        path: 'consumers.enrich.filters.0.value.type.0.anything-but',
        line: 15,
        message: /only text or only numbers/,
      },
    ],
    [
      'filter wildcard with two stars',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { type: [{ wildcard: "a**b" }] } }]',
      { path: 'consumers.enrich.filters.0.value.type.0.wildcard', line: 15, message: /two \* in a row/ },
    ],
    [
      'filter $or with one branch',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { $or: [{ type: [a] }] } }]',
      { path: 'consumers.enrich.filters.0.value.$or', line: 15, message: /at least two branches/ },
    ],
    [
      'filter cidr mask',
      'output: enriched',
      'output: enriched\n    filters: [{ value: { ip: [{ cidr: 10.0.0.0/33 }] } }]',
      { path: 'consumers.enrich.filters.0.value.ip.0.cidr', line: 15, message: /IPv4 mask is 0 to 31 bits/ },
    ],
    [
      'filter count',
      'output: enriched',
      `output: enriched\n    filters: [${Array(6).fill('{ value: { a: [1] } }').join(', ')}]`,
      { path: 'consumers.enrich.filters', line: 15, message: /at most 5 filters/ },
    ],
    [
      'idempotency key',
      'output: enriched',
      'output: enriched\n    idempotency: { key: "value.[" }',
      { path: 'consumers.enrich.idempotency.key', line: 15, message: /not a valid JMESPath/ },
    ],
    [
      'pollers',
      'output: enriched',
      'output: enriched\n    pollers: { min: 10, max: 5 }',
      { path: 'consumers.enrich.pollers.max', line: 15, message: /at least pollers.min/ },
    ],
    [
      'on-failure choice',
      'output: enriched',
      'output: enriched\n    onFailure: sqs',
      { path: 'consumers.enrich.onFailure', line: 15, message: /one of dlq, none/ },
    ],
    [
      'sink format',
      'format: iceberg',
      'format: avro',
      { path: 'sinks.lake.format', line: 18, message: /one of iceberg, parquet, json/ },
    ],
    [
      'partition field',
      'partitionBy: [day(createdAt)]',
      'partitionBy: [day(created)]',
      { path: 'sinks.lake.partitionBy.0', line: 19, message: /did you mean "createdAt"/ },
    ],
    [
      'unquoted comma in a flow list',
      'partitionBy: [day(createdAt)]',
      'partitionBy: ["day(createdAt)", bucket(8]',
      { path: 'sinks.lake.partitionBy.1', line: 19, message: /quote it, e.g. \["bucket\(8, field\)"\]/ },
    ],
    [
      'partition transform',
      'partitionBy: [day(createdAt)]',
      'partitionBy: [week(createdAt)]',
      { path: 'sinks.lake.partitionBy.0', line: 19, message: /not a partition transform/ },
    ],
    [
      'buffer size',
      'format: iceberg',
      'format: iceberg\n    buffer: { size: 512MiB }',
      { path: 'sinks.lake.buffer.size', line: 19, message: /1MiB and 128MiB/ },
    ],
    [
      'buffer interval',
      'format: iceberg',
      'format: iceberg\n    buffer: { interval: 901s }',
      { path: 'sinks.lake.buffer.interval', line: 19, message: /0s and 900s/ },
    ],
    [
      'unique keys are columns',
      'format: iceberg',
      'format: iceberg\n    uniqueKeys: [orderId]',
      { path: 'sinks.lake.uniqueKeys.0', line: 19, message: /not a field/ },
    ],
    [
      'time partitions need a date-time field',
      'partitionBy: [day(createdAt)]',
      'partitionBy: [day(amount)]',
      {
        path: 'sinks.lake.partitionBy.0',
        line: 19,
        message: /day\(amount\) needs a string field with format date-time or date, but "amount" is number/,
      },
    ],
    [
      'unique keys are required fields',
      'format: iceberg',
      'format: iceberg\n    uniqueKeys: [amount]',
      { path: 'sinks.lake.uniqueKeys.0', line: 19, message: /must be a required, non-nullable property/ },
    ],
    [
      'parquet buffer minimum',
      'format: iceberg',
      'format: parquet\n    buffer: { size: 8MiB }',
      {
        path: 'sinks.lake.buffer.size',
        line: 19,
        message: /64MiB and 128MiB \(Firehose's range with Parquet conversion\)/,
      },
    ],
    [
      'no bucket partitions on S3',
      'format: iceberg\n    partitionBy: [day(createdAt)]',
      'format: json\n    partitionBy: ["bucket(8, id)"]',
      { path: 'sinks.lake.partitionBy.0', line: 19, message: /iceberg tables only/ },
    ],
    [
      'unique keys need iceberg',
      'format: iceberg',
      'format: json\n    uniqueKeys: [id]',
      { path: 'sinks.lake.uniqueKeys', line: 19, message: /iceberg tables only/ },
    ],
    [
      'alert range',
      'sinks:',
      'alerts:\n  errors: { ratePercent: 150 }\nsinks:',
      { path: 'alerts.errors.ratePercent', line: 16, message: /at most 100/ },
    ],
  ];

  it.each(cases)('%s', (_rule, from, to, expected) => {
    expectOnly(loadWith(from, to).errors, expected);
  });
});

describe('rules that need more than one file', () => {
  it('a YAML syntax error is reported at its line, with nothing else guessed from the broken file', () => {
    const { errors } = loadWith('retention: 1d', 'retention: [1d');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.file === 'tenants/shop.yaml' && e.message.startsWith('YAML:'))).toBe(true);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(7);
  });

  it('duplicate keys are a YAML error', () => {
    const { errors } = loadWith('topic: orders', 'topic: orders\n    topic: enriched');
    expect(errors.some((e) => /unique/i.test(e.message) && e.line === 13)).toBe(true);
  });

  it('a handler file must export "handler"', () => {
    const { errors } = loadWith('handler: functions/enrich.ts', 'handler: functions/other.ts', {
      files: { 'functions/other.ts': 'export const process = () => 1;\n' },
    });
    expectOnly(errors, { path: 'consumers.enrich.handler', line: 13, message: /does not export "handler"/ });
  });

  it('a schema file must be JSON and a valid JSON Schema', () => {
    const notJson = loadWith('    schema: schemas/order.schema.json\n', '    schema: schemas/bad.json\n', {
      files: { 'schemas/bad.json': '{nope' },
    });
    expectOnly(notJson.errors, { path: 'topics.orders.schema', line: 8, message: /not valid JSON/ });
    const notSchema = loadWith('    schema: schemas/order.schema.json\n', '    schema: schemas/bad.json\n', {
      files: { 'schemas/bad.json': '{"type": 12}' },
    });
    expectOnly(notSchema.errors, {
      path: 'topics.orders.schema',
      line: 8,
      message: /not a valid JSON Schema/,
    });
  });

  it('a table sink needs a schema on its topic', () => {
    const { errors } = loadWith(
      '  enriched: { partitions: 3, schema: schemas/order.schema.json }',
      '  enriched: { partitions: 3 }',
    );
    expect(errors.some((e) => e.path === 'sinks.lake.format' && /needs a table schema/.test(e.message))).toBe(
      true,
    );
  });

  it('two sinks cannot write one table', () => {
    const { errors } = loadWith(
      'sinks:\n',
      'sinks:\n  other: { topic: enriched, format: json, table: lake }\n',
    );
    expect(
      errors.some((e) => e.path === 'sinks.lake.table' && /already written by sink "other"/.test(e.message)),
    ).toBe(true);
  });

  it('the DLQ cannot be its own on-failure destination', () => {
    const { errors } = loadWith(
      'consumers:\n',
      'consumers:\n  drain: { topic: dlq, handler: functions/enrich.ts }\n',
    );
    expectOnly(errors, {
      path: 'consumers.drain.onFailure',
      line: 11,
      message: /cannot dead-letter into the DLQ/,
    });
  });

  it('two manifests cannot claim one tenant', () => {
    const { errors } = loadProject({ tenants: { 'a.yaml': VALID_TENANT, 'b.yaml': VALID_TENANT } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'tenants/b.yaml', line: 1, path: 'tenant' });
    expect(errors[0]!.message).toMatch(/already declared in tenants\/a.yaml/);
  });

  it('two manifests with invalid tenant names do not clash with each other, nor with a tenant "invalid"', () => {
    const { errors } = loadProject({
      tenants: {
        'a.yaml': VALID_TENANT.replace('tenant: shop', 'tenant: Bad_Name'),
        'b.yaml': VALID_TENANT.replace('tenant: shop', 'tenant: "x"'),
        'c.yaml': VALID_TENANT.replace('tenant: shop', 'tenant: invalid'),
      },
    });
    expect(errors.map((e) => `${e.file} ${e.path}`)).toEqual([
      'tenants/a.yaml tenant',
      'tenants/b.yaml tenant',
    ]);
    expect(errors.every((e) => /lower-case letter/.test(e.message))).toBe(true);
  });

  it("a file's empty topics are reported whatever another file's topics say", () => {
    const emptyTopics = VALID_TENANT.replace(/topics:[\s\S]*$/, 'topics: {}\n');
    const { errors } = loadProject({
      tenants: {
        // Sorted first, so its topic error is already in the list when b.yaml is checked.
        'a.yaml': VALID_TENANT.replace('tenant: shop', 'tenant: other').replace(
          'partitions: 3\n',
          'partitions: 0\n',
        ),
        'b.yaml': emptyTopics.replace('tenant: shop', 'tenant: Bad_Name'),
        'c.yaml': emptyTopics.replace('tenant: shop', 'tenant: third'),
      },
    });
    const report = errors.map((e) => `${e.file} ${e.path} ${e.message}`);
    expect(report).toContain('tenants/b.yaml topics a tenant declares at least one topic');
    expect(report).toContain('tenants/c.yaml topics a tenant declares at least one topic');
  });

  it("a sink's missing table schema is reported whatever another file's schemas say", () => {
    const noSchema = VALID_TENANT.replace(
      'enriched: { partitions: 3, schema: schemas/order.schema.json }',
      'enriched: { partitions: 3 }',
    );
    const { errors } = loadProject({
      tenants: {
        'a.yaml': VALID_TENANT.replace('tenant: shop', 'tenant: other').replace(
          'enriched: { partitions: 3, schema: schemas/order.schema.json }',
          'enriched: { partitions: 3, schema: schemas/missing.json }',
        ),
        'shop.yaml': noSchema,
      },
    });
    expectError(errors, { path: 'sinks.lake.format', line: 18, message: /needs a table schema/ });
  });

  it('control characters in values and keys are escaped, never printed raw', () => {
    const { errors } = loadWith(
      'format: iceberg',
      'format: "ice\\nberg\\u001b[31m\\u0007\\u202e"\n    "bad\\tkey": 1',
    );
    const printed = errors.map(formatManifestError);
    const raw = [...printed.join('')].filter(
      (c) => c.charCodeAt(0) < 0x20 || (c >= '\u007f' && c <= '\u009f') || c === '\u202e',
    );
    expect(raw).toEqual([]);
    expect(printed).toContainEqual(expect.stringContaining('got "ice\\nberg\\u001b[31m\\u0007\\u202e"'));
    expect(printed).toContainEqual(
      expect.stringContaining('sinks.lake.bad\\tkey  unknown field "bad\\tkey"'),
    );
  });

  it('governance limits come from the platform config', () => {
    const config =
      'governance:\n  maxPartitionsPerTopic: 2\n  maxPartitionsPerTenant: 4\n  requireCostCenter: true\n';
    const { errors } = loadProject({
      config,
      tenants: { 'shop.yaml': VALID_TENANT.replace('costCenter: cc-1\n', '') },
    });
    expect(
      errors.some(
        (e) => e.path === 'topics.orders.partitions' && /governance.maxPartitionsPerTopic/.test(e.message),
      ),
    ).toBe(true);
    expect(errors.some((e) => e.path === 'costCenter')).toBe(true);
  });

  it('the tenant-wide partition budget counts the DLQ', () => {
    const { errors } = loadProject({ config: 'governance:\n  maxPartitionsPerTenant: 6\n' });
    expectOnly(errors, {
      path: 'topics',
      line: 4,
      message: /7 partitions in all \(the DLQ included\).*allows 6/,
    });
  });

  it('platform config problems are located in the config file', () => {
    const { errors } = loadProject({
      config: 'region: eu-west-1\ncluster:\n  mode: existing\ngovernence: {}\n',
    });
    expect(errors.map((e) => [e.file, e.line, e.path])).toEqual([
      ['stratus.config.yaml', 2, 'cluster.arn'],
      ['stratus.config.yaml', 4, 'governence'],
    ]);
    expect(errors[1]!.message).toMatch(/did you mean "governance"/);
  });

  it('refuses kafka.t3.small, which has no multi-VPC connectivity for Firehose', () => {
    const { errors } = loadProject({ config: 'cluster:\n  instanceType: kafka.t3.small\n' });
    expect(errors.map((e) => [e.file, e.line, e.path])).toEqual([
      ['stratus.config.yaml', 2, 'cluster.instanceType'],
    ]);
    expect(errors[0]!.message).toMatch(/multi-VPC private connectivity/);
  });

  it("refuses local ports that clash, the broker's controller port (kafkaPort + 1) included", () => {
    // A user picking consecutive ports: the AWS endpoint would take the broker's controller port.
    const consecutive = loadProject({ config: 'local:\n  kafkaPort: 39300\n  awsPort: 39301\n' }).errors;
    expect(consecutive.map((e) => [e.file, e.line, e.path])).toEqual([
      ['stratus.config.yaml', 3, 'local.awsPort'],
    ]);
    expect(consecutive[0]!.message).toMatch(
      /both awsPort and the broker's controller port \(kafkaPort \+ 1\)/,
    );
    // Only kafkaPort set, landing its controller on the default metricsPort: the error is on what was set.
    const onDefault = loadProject({ config: 'local:\n  kafkaPort: 9463\n' }).errors;
    expect(onDefault.map((e) => e.path)).toEqual(['local.kafkaPort']);
    expect(loadProject({ config: 'local:\n  kafkaPort: 39300\n  awsPort: 39302\n' }).errors).toEqual([]);
  });

  it('refuses a fetch-blocked port where fetch reaches it (the AWS endpoint, metrics, portal), not for Kafka', () => {
    // A chaos run picked awsPort 10080: /readyz never became ready, its AWS check's fetch failed with "bad port".
    const blocked = loadProject({ config: 'local:\n  awsPort: 10080\n  portalPort: 6000\n' }).errors;
    expect(blocked.map((e) => [e.file, e.line, e.path])).toEqual([
      ['stratus.config.yaml', 2, 'local.awsPort'],
      ['stratus.config.yaml', 3, 'local.portalPort'],
    ]);
    expect(blocked[0]!.message).toMatch(/port 10080 is one browsers and Node's fetch refuse/);
    expect(loadProject({ config: 'local:\n  kafkaPort: 6665\n' }).errors).toEqual([]);
  });

  it('every problem in a manifest is listed at once', () => {
    const broken = VALID_TENANT.replace('tenant: shop', 'tenant: S')
      .replace('topic: orders', 'topic: order')
      .replace('format: iceberg', 'format: csv')
      .replace('retention: 1d', 'retention: forever');
    const { errors } = loadProject({ tenants: { 'shop.yaml': broken } });
    expect(errors.map((e) => e.path)).toEqual([
      'tenant',
      'topics.orders.retention',
      'consumers.enrich.topic',
      'sinks.lake.format',
    ]);
  });
});

describe('sinks.<key>.startFrom', () => {
  it.each([
    ['latest', { startFrom: 'latest', startFromTimestamp: undefined }],
    [
      '"2026-01-02T03:04:05+01:00"',
      { startFrom: 'timestamp', startFromTimestamp: Date.UTC(2026, 0, 2, 2, 4, 5) },
    ],
    // YAML's own timestamp type arrives as a Date.
    ['2026-01-02T03:04:05Z', { startFrom: 'timestamp', startFromTimestamp: Date.UTC(2026, 0, 2, 3, 4, 5) }],
  ])('reads %s', (text, expected) => {
    const { errors, spec } = loadProject({
      tenants: {
        'shop.yaml': VALID_TENANT.replace('format: iceberg', `format: iceberg\n    startFrom: ${text}`),
      },
    });
    expect(errors).toEqual([]);
    expect(spec.tenants[0]!.sinks[0]).toMatchObject(expected);
  });
});
