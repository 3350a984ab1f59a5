/** The text form of `stratus invoke`'s result. */
import type { InvocationResult, LogLine } from '../../../functions/sdk/testing/invocation-result.ts';
import { recordCoordinate } from '../../core/record-coordinate.ts';
import type { InvokeOutcome } from './run.ts';

const short = (value: unknown, max = 160) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
};

/** Keys every line has (Lambda context, Powertools' own): noise when reading one invocation. */
const CONTEXT_KEYS = new Set([
  'timestamp',
  'service',
  'tenant',
  'consumer',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

function logLine(line: LogLine): string {
  const { level, message } = line;
  const rest = Object.fromEntries(
    Object.entries(line).filter(([key]) => key !== 'level' && key !== 'message' && !CONTEXT_KEYS.has(key)),
  );
  const keys = Object.keys(rest).length > 0 ? ` ${short(rest, 240)}` : '';
  return `  ${(level ?? '').padEnd(5)} ${message ?? ''}${keys}`;
}

export function renderInvocation(outcome: InvokeOutcome): string[] {
  const r: InvocationResult = outcome.result;
  const status = r.ok
    ? r.failures.length > 0
      ? `${r.failures.length} record(s) failed`
      : 'ok'
    : `function error`;
  const lines = [
    `${outcome.functionName}: ${outcome.records} record(s) in ${Math.round(outcome.durationMs)} ms — ${status}`,
  ];
  if (r.ok) lines.push(`response: ${JSON.stringify(r.response)}`);
  else
    lines.push(`error: ${r.error?.class}: ${r.error?.message}`, ...(r.error?.stack ? [r.error.stack] : []));
  lines.push(
    `outputs: ${r.outputs.length}${outcome.produced ? ' (produced)' : r.outputs.length > 0 ? ' (not produced; --produce sends them)' : ''}`,
  );
  for (const output of r.outputs)
    lines.push(`  ${output.topic} key=${output.key ?? '(none)'} ${short(output.value)}`);
  lines.push(`dead letters: ${r.deadLetters.length}${outcome.produced ? ' (produced)' : ''}`);
  for (const letter of r.deadLetters)
    lines.push(
      `  ${letter.reason} ${recordCoordinate(letter.source.topic, letter.source.partition, letter.source.offset)}: ${letter.error.class}: ${short(letter.error.message)}`,
    );
  if (r.failures.length > 0) {
    lines.push(
      `failed records (the event-source mapping retries them, then dead-letters with RETRIES_EXHAUSTED):`,
    );
    for (const failure of r.failures)
      lines.push(`  ${recordCoordinate(failure.topic, failure.partition, failure.offset)}`);
  }
  lines.push(`logs: ${r.logs.length}`, ...r.logs.map(logLine));
  const metrics = Object.entries(r.metrics).map(([name, value]) => `${name}=${Number(value.toFixed(2))}`);
  lines.push(`metrics: ${metrics.join(' ') || '(none)'}`);
  return lines;
}
