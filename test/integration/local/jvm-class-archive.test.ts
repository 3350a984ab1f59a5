/**
 * Class-data sharing for the JVMs the runtime starts (lib/local/jvm-class-archive.ts), with this machine's JDK
 * and the Kafka jars: the first clean run writes an archive, later runs load their classes from it, and
 * nothing a run leaves behind (a killed dump, a damaged archive, a JDK without CDS) can stop a JVM from
 * starting. Kafka's `StorageTool random-uuid` stands in for the broker: the same jars, a JVM that exits by
 * itself in under a second.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classArchive } from '../../../lib/local/jvm-class-archive.ts';
import { ensureKafkaJars } from '../../../lib/local/kafka-broker.ts';
import { javaBinary } from '../../../lib/local/maven-jars.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-class-archive-'));
let classpath = '';
beforeAll(async () => {
  classpath = `${await ensureKafkaJars()}/*`;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the tool with the archive's options (and any extra ones); its exit as `exitOf` words it, and output. */
function runTool(jvmArgs: string[], extra: string[] = []) {
  const run = spawnSync(
    javaBinary(),
    [...jvmArgs, ...extra, '-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { how: `exit code ${run.status}`, output: `${run.stdout}${run.stderr}` };
}

const files = (dir: string) => readdirSync(dir).sort();
/** What `random-uuid` prints: a KRaft cluster id (22 characters of URL-safe base64). */
const CLUSTER_ID = /^[A-Za-z0-9_-]{22}$/m;

describe('JVM class archives', () => {
  it('writes the archive on the first clean exit and loads classes from it afterwards', {
    timeout: 120_000,
  }, () => {
    const dir = path.join(root, 'reuse');
    const first = classArchive({ dir, name: 'tool', java: javaBinary() });
    expect(first.dumping).toBe(true);
    expect(first.jvmArgs.join(' ')).toMatch(/-XX:ArchiveClassesAtExit=/);
    const dumped = runTool(first.jvmArgs);
    expect(dumped.output).toMatch(CLUSTER_ID);
    first.settle(dumped.how);
    expect(files(dir)).toEqual([expect.stringMatching(/^tool-[0-9a-f]{12}\.jsa$/)]);

    const second = classArchive({ dir, name: 'tool', java: javaBinary() });
    expect(second.dumping).toBe(false);
    expect(second.jvmArgs.join(' ')).toMatch(/-XX:SharedArchiveFile=.*tool-[0-9a-f]{12}\.jsa/);
    // The JVM says where each class came from: Kafka's own classes now come from the archive's top layer.
    const loaded = runTool(second.jvmArgs, ['-Xlog:class+load=info']);
    expect(loaded.output).toMatch(/kafka\.tools\.StorageTool source: shared objects file \(top\)/);
  });

  it('keeps no dump of a JVM that did not exit as asked', { timeout: 120_000 }, () => {
    // A SIGKILL cannot be timed to land inside the dump, so the decision is checked on a complete dump that
    // is settled as killed: whatever a killed JVM left is dropped, never taken for an archive.
    const dir = path.join(root, 'killed');
    const archive = classArchive({ dir, name: 'tool', java: javaBinary() });
    runTool(archive.jvmArgs);
    expect(files(dir)).toEqual([expect.stringMatching(/\.tmp$/)]);
    archive.settle('killed by SIGKILL');
    expect(files(dir)).toEqual([]);
    expect(classArchive({ dir, name: 'tool', java: javaBinary() }).dumping).toBe(true);
  });

  it('starts the JVM as usual when the archive is damaged', { timeout: 120_000 }, () => {
    const dir = path.join(root, 'damaged');
    const first = classArchive({ dir, name: 'tool', java: javaBinary() });
    first.settle(runTool(first.jvmArgs).how);
    const [archiveFile] = files(dir);
    chmodSync(path.join(dir, archiveFile!), 0o644);
    writeFileSync(path.join(dir, archiveFile!), 'not a class archive');
    const run = runTool(classArchive({ dir, name: 'tool', java: javaBinary() }).jvmArgs);
    expect(run.how).toBe('exit code 0');
    expect(run.output).toMatch(CLUSTER_ID);
  });

  it('never asks a JDK without a base CDS archive to dump (the option is fatal there)', () => {
    // No such JDK is installed here: a stand-in `java` answers the probe as one would (no "sharing").
    const fake = path.join(root, 'java');
    writeFileSync(
      fake,
      "#!/bin/sh\necho 'openjdk version \"17.0.15\"' >&2\necho 'OpenJDK 64-Bit Server VM (build 17.0.15+6, mixed mode)' >&2\n",
    );
    chmodSync(fake, 0o755);
    const archive = classArchive({ dir: path.join(root, 'no-cds'), name: 'tool', java: fake });
    expect(archive).toMatchObject({ jvmArgs: [], dumping: false });
  });

  it('is off with STRATUS_CLASS_ARCHIVES=off', () => {
    process.env.STRATUS_CLASS_ARCHIVES = 'off';
    try {
      expect(classArchive({ dir: path.join(root, 'off'), name: 'tool', java: javaBinary() }).jvmArgs).toEqual(
        [],
      );
    } finally {
      delete process.env.STRATUS_CLASS_ARCHIVES;
    }
  });
});
