/**
 * The four `stratus new` operations as planned file changes on a ScaffoldProject. Names are checked with the
 * manifest's own rules first (they become file paths); everything else is left to the manifest validator,
 * which `applyScaffold` runs on the result before anything is written.
 */
import { parseDocument } from 'yaml';
import { DLQ_TOPIC_KEY, RESERVED_TOPIC_KEYS } from '../core/naming.ts';
import { closestMatch } from '../manifest/errors.ts';
import { NAME_RULES } from '../manifest/index.ts';
import { PROJECT_LAYOUT } from '../manifest/project-layout.ts';
import type { ScaffoldProject } from './project.ts';
import { derivedOutputSchema, handlerSource, schemaSkeleton, schemaText, testSource } from './templates.ts';
import { insertEntry } from './yaml-insert.ts';

/** A name or reference the user gave is wrong: nothing is planned. */
export class ScaffoldInputError extends Error {
  override name = 'ScaffoldInputError';
}

/** The plan would overwrite something that exists (a file, a manifest entry). */
export class ScaffoldConflictError extends Error {
  override name = 'ScaffoldConflictError';
}

type Manifest = {
  topics?: Record<string, { schema?: string } | null>;
  consumers?: Record<string, unknown>;
  sinks?: Record<string, unknown>;
};

function checkName(kind: 'tenant' | 'topic' | 'consumer' | 'sink', name: string): void {
  const rule = kind === 'tenant' ? NAME_RULES.tenant : NAME_RULES.resource;
  if (!rule.pattern.test(name)) throw new ScaffoldInputError(`${kind} name "${name}" ${rule.hint}`);
  if (kind === 'topic' && (name === DLQ_TOPIC_KEY || RESERVED_TOPIC_KEYS.includes(name)))
    throw new ScaffoldInputError(
      `"${name}" is reserved for the platform (reserved topic keys: ${RESERVED_TOPIC_KEYS.join(', ')})`,
    );
}

function manifestOf(project: ScaffoldProject, tenant: string): { file: string; manifest: Manifest } {
  checkName('tenant', tenant);
  const file = project.manifestOf(tenant);
  if (!file)
    throw new ScaffoldInputError(
      `no manifest in ${project.platform.tenantsDir}/ declares tenant "${tenant}"; create it with \`stratus new tenant ${tenant}\``,
    );
  return { file, manifest: (parseDocument(project.read(file)!).toJS() ?? {}) as Manifest };
}

function add(project: ScaffoldProject, file: string, section: string, key: string, value: unknown): void {
  const { text, reformatted } = insertEntry(project.read(file)!, section, key, value);
  project.write(file, text);
  if (reformatted)
    project.notes.push(
      `${file}: "${section}" is in flow style or empty, so the YAML library rewrote the file's layout`,
    );
}

function createFile(project: ScaffoldProject, file: string, content: string): void {
  if (project.exists(file))
    throw new ScaffoldConflictError(`${file} already exists; stratus new never overwrites a file`);
  project.write(file, content);
}

function knownTopic(manifest: Manifest, tenant: string, topic: string): void {
  const topics = Object.keys(manifest.topics ?? {});
  if (topics.includes(topic)) return;
  const close = closestMatch(topic, topics);
  throw new ScaffoldInputError(
    `tenant ${tenant} has no topic "${topic}"${close ? `; did you mean "${close}"?` : ''} (topics: ${topics.join(', ') || 'none'}); add it with \`stratus new topic ${tenant} ${topic}\``,
  );
}

export interface NewTopicInput {
  tenant: string;
  name: string;
  partitions?: number;
  retention?: string;
  /** @default true */
  schema?: boolean;
}

export function newTopic(project: ScaffoldProject, input: NewTopicInput): void {
  checkName('topic', input.name);
  const { file, manifest } = manifestOf(project, input.tenant);
  if (manifest.topics && input.name in manifest.topics)
    throw new ScaffoldConflictError(`tenant ${input.tenant} already has a topic "${input.name}" (${file})`);
  const entry: Record<string, unknown> = {
    partitions: input.partitions ?? 3,
    retention: input.retention ?? '7d',
  };
  if (input.schema !== false) {
    const schemaFile = PROJECT_LAYOUT.schema(input.tenant, input.name);
    createFile(project, schemaFile, schemaText(schemaSkeleton(input.tenant, input.name)));
    entry.schema = schemaFile;
  }
  add(project, file, 'topics', input.name, entry);
}

export interface NewConsumerInput {
  tenant: string;
  name: string;
  topic: string;
  /** A processor's output topic; created (with a schema derived from the input's) when it does not exist. */
  output?: string;
}

export function newConsumer(project: ScaffoldProject, input: NewConsumerInput): void {
  checkName('consumer', input.name);
  checkName('topic', input.topic);
  if (input.output !== undefined) checkName('topic', input.output);
  const { file, manifest } = manifestOf(project, input.tenant);
  if (manifest.consumers && input.name in manifest.consumers)
    throw new ScaffoldConflictError(
      `tenant ${input.tenant} already has a consumer "${input.name}" (${file})`,
    );
  knownTopic(manifest, input.tenant, input.topic);
  if (input.output === input.topic)
    throw new ScaffoldInputError(
      '--output must differ from --topic: a processor writing to its own source loops',
    );

  const inputSchemaFile = manifest.topics?.[input.topic]?.schema;
  const inputSchema = project.readJson(inputSchemaFile);
  let output: Parameters<typeof handlerSource>[0]['output'];
  if (input.output !== undefined) {
    const existing = manifest.topics && input.output in manifest.topics;
    if (existing) {
      const schemaFile = manifest.topics?.[input.output]?.schema;
      output = {
        topic: input.output,
        schemaFile,
        schema: project.readJson(schemaFile),
        derived: !schemaFile,
      };
    } else {
      const schemaFile = PROJECT_LAYOUT.schema(input.tenant, input.output);
      const schema = derivedOutputSchema(input.tenant, input.output, inputSchema);
      createFile(project, schemaFile, schemaText(schema));
      add(project, file, 'topics', input.output, { partitions: 3, retention: '7d', schema: schemaFile });
      output = { topic: input.output, schemaFile, schema, derived: true };
    }
  }
  const template = {
    tenant: input.tenant,
    consumer: input.name,
    topic: input.topic,
    inputSchema,
    inputSchemaFile,
    output,
  };
  const handlerFile = PROJECT_LAYOUT.handler(input.tenant, input.name);
  createFile(project, handlerFile, handlerSource(template));
  createFile(project, PROJECT_LAYOUT.test(input.tenant, input.name), testSource(template));
  const entry: Record<string, unknown> = { topic: input.topic, handler: handlerFile };
  if (input.output !== undefined) entry.output = input.output;
  entry.onFailure = 'dlq';
  add(project, file, 'consumers', input.name, entry);
}

export type SinkFormat = 'iceberg' | 'parquet' | 'json';

export interface NewSinkInput {
  tenant: string;
  name: string;
  topic: string;
  format: SinkFormat;
}

export function newSink(project: ScaffoldProject, input: NewSinkInput): void {
  checkName('sink', input.name);
  checkName('topic', input.topic);
  const { file, manifest } = manifestOf(project, input.tenant);
  if (manifest.sinks && input.name in manifest.sinks)
    throw new ScaffoldConflictError(`tenant ${input.tenant} already has a sink "${input.name}" (${file})`);
  knownTopic(manifest, input.tenant, input.topic);
  // Buffer size is left to the validator's default, which knows Firehose's minimum for each format.
  add(project, file, 'sinks', input.name, {
    topic: input.topic,
    format: input.format,
    buffer: { interval: '60s' },
  });
}

export interface NewTenantInput {
  name: string;
  owner: string;
  costCenter: string;
  /** @default 'events' */
  topic?: string;
  /** @default 'handle-<topic>' */
  consumer?: string;
}

/**
 * A value the user typed, as one YAML scalar: plain when it is a simple word or address, else double-quoted
 * (JSON's quoting is YAML's), so `a@x.io, b@evil.io` or a line break stays one value and the validator judges it.
 */
function yamlScalar(value: string): string {
  const plain = /^[A-Za-z][\w.@+-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

/** A manifest with one topic (and its schema) and one consumer (handler and test): a pipeline that runs. */
export function newTenant(project: ScaffoldProject, input: NewTenantInput): void {
  checkName('tenant', input.name);
  const topic = input.topic ?? 'events';
  const consumer = input.consumer ?? `handle-${topic}`;
  checkName('topic', topic);
  checkName('consumer', consumer);
  const existing = project.manifestOf(input.name);
  if (existing) throw new ScaffoldConflictError(`tenant "${input.name}" is already declared in ${existing}`);
  const file = project.newManifestPath(input.name);
  const text = [
    `# ${input.name}: created by \`stratus new tenant\`. The reference of every field: docs/manifest.md.`,
    `tenant: ${input.name}`,
    `description: What ${input.name} streams, in one line.`,
    `owners: [${yamlScalar(input.owner)}]`,
    `costCenter: ${yamlScalar(input.costCenter)}`,
    '',
  ].join('\n');
  createFile(project, file, text);
  // The first topic and consumer go through the same edits as `new topic` and `new consumer`.
  newTopic(project, { tenant: input.name, name: topic });
  newConsumer(project, { tenant: input.name, name: consumer, topic });
}
