/**
 * AWS's event-ruler as a test oracle: one JVM per call of `askEventRuler`, however many cases. The Java side
 * (event-ruler/EventRulerOracle.java) documents the line protocol; its jars come from Maven Central through
 * the same cache as the Kafka broker's.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMavenJars } from '../../lib/local/maven-jars.ts';

const HERE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'event-ruler');

/** One pattern and the events (Lambda's filter input, as JSON text) to match against it. */
export interface OracleCase {
  pattern: string;
  events: string[];
}

export interface OracleVerdict {
  /** Whether event-ruler accepts the pattern (JsonRuleCompiler.check, then Machine.addRule). */
  accepted: boolean;
  /** event-ruler's reason when it refuses the pattern. */
  reason: string | null;
  /** One verdict per event; all false when the pattern is refused. */
  matches: boolean[];
  /** Number literals event-ruler cannot compare numerically on this JVM (see EventRulerOracle.java). */
  uncomparable: string[];
}

export function eventRulerJars(): Promise<string> {
  return ensureMavenJars({
    pom: path.join(HERE, 'pom.xml'),
    cacheName: 'event-ruler-jars',
    expectJar: 'event-ruler',
    what: 'AWS event-ruler',
  });
}

/** Asks event-ruler about every case in one JVM run; verdicts come back in the cases' order. */
export async function askEventRuler(cases: readonly OracleCase[]): Promise<OracleVerdict[]> {
  const jars = await eventRulerJars();
  const java = spawn(
    'java',
    ['-Xmx256m', '-cp', path.join(jars, '*'), path.join(HERE, 'EventRulerOracle.java')],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  java.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  java.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    java.once('error', reject);
    java.once('exit', resolve);
  });
  for (const oracleCase of cases) java.stdin.write(`${JSON.stringify(oracleCase)}\n`);
  java.stdin.end();
  const code = await exited;
  const lines = stdout.split('\n').filter((line) => line.length > 0);
  if (code !== 0 || lines.length !== cases.length)
    throw new Error(
      `event-ruler oracle failed (exit ${code}, ${lines.length}/${cases.length} answers):\n${stderr}`,
    );
  return lines.map((line) => JSON.parse(line) as OracleVerdict);
}
