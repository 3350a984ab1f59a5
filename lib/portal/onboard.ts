/**
 * The Onboard page's plan: the form's fields become one `stratus new` operation (lib/scaffold) on the project,
 * its file changes are shown as diffs and checked by the validator `stratus validate` runs (`validateChanges`),
 * and each problem is put next to the field it is about. Writing goes through `applyChanges`, which refuses to
 * overwrite and validates again; without write access the same changes are offered as a patch.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { escapeControl } from '../core/quote.ts';
import { NAME_RULES } from '../manifest/index.ts';
import { applyChanges, validateChanges } from '../scaffold/apply.ts';
import { unifiedDiff } from '../scaffold/diff.ts';
import {
  newConsumer,
  newSink,
  newTenant,
  newTopic,
  ScaffoldConflictError,
  ScaffoldInputError,
} from '../scaffold/operations.ts';
import { type FileChange, ScaffoldProject } from '../scaffold/project.ts';
import { PortalInputError } from './http.ts';

export const ONBOARD_KINDS = ['tenant', 'topic', 'consumer', 'sink'] as const;
export type OnboardKind = (typeof ONBOARD_KINDS)[number];

/** The form: which fields matter depends on `kind` (as the flags of `stratus new <kind>`). */
export interface OnboardForm {
  kind: OnboardKind;
  /** The new tenant's name (kind tenant), else the tenant whose manifest is edited. */
  tenant: string;
  /** The new topic, consumer or sink key (not used for a tenant). */
  name?: string;
  owner?: string;
  costCenter?: string;
  /** A tenant's first topic; a consumer's or sink's source topic. */
  topic?: string;
  /** A tenant's first consumer. */
  consumer?: string;
  partitions?: number;
  retention?: string;
  schema?: boolean;
  /** A processor's output topic. */
  output?: string;
  format?: 'iceberg' | 'parquet' | 'json';
}

export type OnboardField = keyof OnboardForm;

export interface OnboardProblem {
  /** The form field the problem is about; undefined for a problem of the result as a whole. */
  field?: OnboardField;
  message: string;
  /** `file:line:col` of the validator's finding. */
  where?: string;
}

export interface OnboardPlan {
  ok: boolean;
  problems: OnboardProblem[];
  changes: Array<{ file: string; created: boolean; diff: string; after: string }>;
  notes: string[];
}

const TEXT_FIELDS: OnboardField[] = [
  'tenant',
  'name',
  'owner',
  'costCenter',
  'topic',
  'consumer',
  'retention',
  'output',
  'format',
];

/** The form from a query string or JSON body; anything malformed is a PortalInputError. */
export function parseOnboardForm(input: Record<string, unknown>): OnboardForm {
  const kind = input.kind;
  if (!ONBOARD_KINDS.includes(kind as OnboardKind))
    throw new PortalInputError(`kind must be one of ${ONBOARD_KINDS.join(', ')}`);
  const form: Record<string, unknown> = { kind };
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new PortalInputError(`${field} must be text`);
    form[field] = value;
  }
  if (input.partitions !== undefined && input.partitions !== '') {
    const partitions = Number(input.partitions);
    if (!Number.isInteger(partitions)) throw new PortalInputError('partitions must be a whole number');
    form.partitions = partitions;
  }
  if (input.schema !== undefined) form.schema = input.schema === true || input.schema === 'true';
  if (typeof form.tenant !== 'string') form.tenant = '';
  return form as unknown as OnboardForm;
}

/** Problems the form has before anything is planned: missing fields, names the manifest rules refuse, lines. */
function fieldProblems(form: OnboardForm): OnboardProblem[] {
  const problems: OnboardProblem[] = [];
  const need = (field: OnboardField, what: string) => {
    if (form[field] === undefined || form[field] === '')
      problems.push({ field, message: `${what} is required` });
  };
  for (const field of TEXT_FIELDS) {
    const value = form[field];
    // One line of visible text: a line break, control or invisible character would end up in YAML or a path.
    if (typeof value === 'string' && escapeControl(value) !== value)
      problems.push({
        field,
        message: `${field} must be one line of visible text (no line breaks, control or invisible characters)`,
      });
    else if (typeof value === 'string' && value.length > 200)
      problems.push({ field, message: `${field} is longer than 200 characters` });
  }
  const name = (field: OnboardField, rule: 'tenant' | 'resource', what: string) => {
    const value = form[field];
    if (typeof value !== 'string' || value === '' || problems.some((p) => p.field === field)) return;
    if (!NAME_RULES[rule].pattern.test(value))
      problems.push({ field, message: `${what} "${value}" ${NAME_RULES[rule].hint}` });
  };
  need('tenant', 'tenant');
  name('tenant', 'tenant', 'tenant name');
  if (form.kind === 'tenant') {
    need('owner', 'owner');
    need('costCenter', 'cost center');
    name('topic', 'resource', 'topic name');
    name('consumer', 'resource', 'consumer name');
  } else {
    need('name', `${form.kind} name`);
    name('name', 'resource', `${form.kind} name`);
  }
  if (form.kind === 'consumer' || form.kind === 'sink') {
    need('topic', 'topic');
    name('topic', 'resource', 'topic name');
  }
  if (form.kind === 'consumer') name('output', 'resource', 'output topic name');
  if (form.partitions !== undefined && (form.partitions < 1 || form.partitions > 100_000))
    problems.push({ field: 'partitions', message: 'partitions must be at least 1' });
  if (form.format !== undefined && !['iceberg', 'parquet', 'json'].includes(form.format))
    problems.push({ field: 'format', message: 'format must be iceberg, parquet or json' });
  return problems;
}

/** The planned changes of the form, unvalidated; a scaffolding refusal becomes a problem next to its field. */
function planChanges(
  rootDir: string,
  configFile: string | undefined,
  form: OnboardForm,
): { changes: FileChange[]; notes: string[]; problems: OnboardProblem[] } {
  const project = new ScaffoldProject(rootDir, configFile);
  try {
    if (form.kind === 'tenant')
      newTenant(project, {
        name: form.tenant,
        owner: form.owner ?? '',
        costCenter: form.costCenter ?? '',
        topic: form.topic,
        consumer: form.consumer,
      });
    else if (form.kind === 'topic')
      newTopic(project, {
        tenant: form.tenant,
        name: form.name ?? '',
        partitions: form.partitions,
        retention: form.retention,
        schema: form.schema,
      });
    else if (form.kind === 'consumer')
      newConsumer(project, {
        tenant: form.tenant,
        name: form.name ?? '',
        topic: form.topic ?? '',
        output: form.output,
      });
    else
      newSink(project, {
        tenant: form.tenant,
        name: form.name ?? '',
        topic: form.topic ?? '',
        format: form.format ?? 'iceberg',
      });
  } catch (error) {
    if (error instanceof ScaffoldInputError || error instanceof ScaffoldConflictError)
      return {
        changes: [],
        notes: [],
        problems: [{ field: fieldOfRefusal(form, error), message: error.message }],
      };
    throw error;
  }
  return { changes: project.planned(), notes: project.notes, problems: [] };
}

/** Which field a `stratus new` refusal is about, from what it names. */
function fieldOfRefusal(form: OnboardForm, error: Error): OnboardField {
  const message = error.message;
  if (/no manifest .* declares tenant|tenant ".*" is already declared/.test(message)) return 'tenant';
  if (/--output/.test(message)) return 'output';
  if (/has no topic/.test(message)) return 'topic';
  return form.kind === 'tenant' ? 'tenant' : 'name';
}

/** Which field a validator finding is about, from its manifest path. */
function fieldOfPath(form: OnboardForm, manifestPath: string): OnboardField | undefined {
  const [section, key, ...rest] = manifestPath.split('.');
  if (section === 'tenant') return 'tenant';
  if (section === 'owners') return 'owner';
  if (section === 'costCenter') return 'costCenter';
  if (section === 'topics') {
    if (form.kind === 'topic' && key === form.name)
      return rest[0] === 'partitions' ? 'partitions' : rest[0] === 'retention' ? 'retention' : 'name';
    if (form.kind === 'consumer' && key === form.output) return 'output';
    if (form.kind === 'tenant') return 'topic';
  }
  if (section === 'consumers') {
    if (form.kind === 'tenant') return 'consumer';
    if (key === form.name) return rest[0] === 'topic' ? 'topic' : rest[0] === 'output' ? 'output' : 'name';
  }
  if (section === 'sinks' && key === form.name)
    return rest[0] === 'format' ? 'format' : rest[0] === 'topic' ? 'topic' : 'name';
  return undefined;
}

/** The plan of the form: diffs, and every problem (field checks, scaffolding, the validator) at once. */
export function planOnboarding(
  rootDir: string,
  configFile: string | undefined,
  form: OnboardForm,
): OnboardPlan {
  const early = fieldProblems(form);
  if (early.length > 0) return { ok: false, problems: early, changes: [], notes: [] };
  const { changes, notes, problems } = planChanges(rootDir, configFile, form);
  if (problems.length > 0) return { ok: false, problems, changes: [], notes };
  const outside = changes.filter((change) => !insideProject(rootDir, change.file));
  if (outside.length > 0)
    return {
      ok: false,
      problems: outside.map((change) => ({
        message: `${change.file} is outside the project; nothing is written`,
      })),
      changes: [],
      notes,
    };
  const found = validateChanges(rootDir, configFile, changes).map(
    (error): OnboardProblem => ({
      field: fieldOfPath(form, error.path),
      message: error.path ? `${error.path}: ${error.message}` : error.message,
      where: `${error.file}:${error.line}:${error.col}`,
    }),
  );
  return {
    ok: found.length === 0,
    problems: found,
    changes: changes.map((change) => ({
      file: change.file,
      created: change.before === undefined,
      diff: unifiedDiff(change.file, change.before, change.after),
      after: change.after,
    })),
    notes,
  };
}

/** The plan's changes as one patch `git apply` takes (new files carry git's header for their mode). */
export function patchOf(plan: OnboardPlan): string {
  return plan.changes
    .map((change) => {
      const header = change.created
        ? `diff --git a/${change.file} b/${change.file}\nnew file mode 100644\n`
        : `diff --git a/${change.file} b/${change.file}\n`;
      return `${header}${change.diff}\n`;
    })
    .join('');
}

/** Writes the form's changes through `stratus new`'s code; refuses what does not validate or would overwrite. */
export function applyOnboarding(
  rootDir: string,
  configFile: string | undefined,
  form: OnboardForm,
): { written: Array<{ file: string; created: boolean }> } {
  const plan = planOnboarding(rootDir, configFile, form);
  if (!plan.ok)
    throw new PortalInputError(
      `nothing was written: ${plan.problems.map((p) => p.message).join('; ')}`,
      400,
      plan.problems,
    );
  const { changes } = planChanges(rootDir, configFile, form);
  applyChanges(rootDir, configFile, changes);
  return { written: changes.map((change) => ({ file: change.file, created: change.before === undefined })) };
}

/**
 * Whether `file` (relative) lands inside the project once symbolic links are followed: the deepest part of its
 * path that exists must resolve under the project's real root.
 */
export function insideProject(rootDir: string, file: string): boolean {
  const root = realpathSync(rootDir);
  let probe = path.resolve(rootDir, file);
  if (!probe.startsWith(path.resolve(rootDir) + path.sep)) return false;
  while (!existsSync(probe)) probe = path.dirname(probe);
  const real = realpathSync(probe);
  return real === root || real.startsWith(root + path.sep);
}
